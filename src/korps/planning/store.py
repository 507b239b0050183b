"""Save, list and change scenarios in the database; every write is validated first.

Nothing is ever lost: every save is a new version (who, when; ``korps.planning.versions``),
saving under the name of *another* scenario is refused unless the caller confirms
(:class:`NameTaken`), and deleting is a soft delete. Every change is on the audit trail.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.common.datafile import DatasetError
from korps.common.formatting import significant
from korps.common.i18n import _
from korps.identity.errors import Forbidden
from korps.identity.roles import Principal, allows
from korps.organisation.models import Unit
from korps.organisation.service import NotFoundError
from korps.planning.allocation import AllocationError
from korps.planning.models import NAME_LENGTH, SavedScenario, ScenarioVersion
from korps.planning.plan import Result
from korps.planning.scenario import Scenario, parse_scenario
from korps.planning.service import allocate_scenario, store_workload_rows
from korps.planning.workload import Workload


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:100] or "scenario"


PLANNERS = ("planner",)


def may_use(session: Session, *, principal: Principal | None, scenario: Scenario) -> bool:
    """A planner uses the scenarios of the units they plan for (and their subtrees), and
    every scenario with inline teams; ``principal`` None is the command line (trusted)."""
    if principal is None:
        return True
    if scenario.unit is None:
        return allows(principal, PLANNERS)
    path = session.scalar(select(Unit.path).where(Unit.slug == scenario.unit))
    return allows(principal, PLANNERS, path) if path is not None else allows(principal, PLANNERS)


def _readable(session: Session, saved: SavedScenario, reader: Principal | None) -> bool:
    try:
        scenario = scenario_of(saved)
    except DatasetError:
        return reader is None or allows(reader, PLANNERS)
    return may_use(session, principal=reader, scenario=scenario)


class NameTaken(Exception):
    """Saving would add a version to another scenario of that name: the caller must confirm."""

    def __init__(self, saved: SavedScenario) -> None:
        if saved.deleted_at is not None:
            text = _(
                "er bestaat al een scenario {name} (verwijderd): bevestig dat u er een nieuwe "
                "versie van wilt opslaan, of kies een andere naam",
                name=repr(saved.name),
            )
        else:
            text = _(
                "er bestaat al een scenario {name}: bevestig dat u er een nieuwe versie van "
                "wilt opslaan, of kies een andere naam",
                name=repr(saved.name),
            )
        super().__init__(text)
        self.saved = saved


def list_saved(
    session: Session, *, reader: Principal | None = None, deleted: bool = False
) -> list[SavedScenario]:
    """The latest version of every scenario the reader may read (``deleted``: the deleted)."""
    query = select(SavedScenario).order_by(SavedScenario.name)
    query = query.where(
        SavedScenario.deleted_at.is_not(None) if deleted else SavedScenario.deleted_at.is_(None)
    )
    return [s for s in session.scalars(query) if _readable(session, s, reader)]


def get_saved(
    session: Session, *, slug: str, reader: Principal | None = None, deleted: bool = False
) -> SavedScenario:
    """A saved scenario; one of a unit the reader does not plan for is 'unknown' (404), as
    is a deleted one unless ``deleted``."""
    saved = session.scalar(select(SavedScenario).where(SavedScenario.slug == slug[:120]))
    if (
        saved is None
        or (saved.deleted_at is not None and not deleted)
        or not _readable(session, saved, reader)
    ):
        raise NotFoundError(_("onbekend scenario {slug}", slug=repr(slug[:120])))
    return saved


def ensure_may_use(session: Session, *, principal: Principal | None, scenario: Scenario) -> None:
    if not may_use(session, principal=principal, scenario=scenario):
        raise Forbidden(_("u bent geen planner van {unit}", unit=repr(scenario.unit)))


def save(
    session: Session,
    *,
    text: str,
    file: str = "scenario",
    slug: str | None = None,
    workload: Workload | None = None,
    writer: Principal | None = None,
    ask: bool = False,
    note: str | None = None,
) -> SavedScenario:
    """Validate the YAML (schema and a trial run on the database), then store it as the
    next version of its scenario (``slug``, else the one its name gives) or a new scenario.

    The trial run means a scenario naming an unknown team or breaking its own rules is
    refused before anything is stored. ``workload`` is the table of the scenario's
    `workload:` file as the command line read it: it is stored as a workload table and the
    saved scenario refers to that by id, so nothing stored ever names a server path.
    ``ask``: raise :class:`NameTaken` rather than add a version to an existing scenario
    found by name (the web asks the planner first). A text equal to the latest version
    adds no version. ``writer`` None is the command line.
    """
    scenario = parse_scenario(text, file)
    ensure_may_use(session, principal=writer, scenario=scenario)
    allocate_scenario(session, scenario=scenario, workload=workload)
    if scenario.workload is not None and workload is not None:
        table = store_workload_rows(session, rows=workload, filename=scenario.workload)
        scenario = scenario.model_copy(update={"workload": None, "workload_table": table.id})
        text = f"# workload: {table.filename} is workload table {table.id}\n{to_yaml(scenario)}"
    now = datetime.now(UTC)
    key = slug or slugify(scenario.name)
    saved = session.scalar(select(SavedScenario).where(SavedScenario.slug == key))
    if saved is not None and not _readable(session, saved, writer):
        raise Forbidden(
            _("het scenario {key} is van een eenheid waarvoor u geen planner bent", key=repr(key))
        )
    if saved is not None and ask and slug is None:
        raise NameTaken(saved)
    who = writer.username if writer is not None else None
    if saved is None:
        saved = SavedScenario(slug=key, created_at=now, version=0)
        session.add(saved)
    elif saved.text == text and saved.name == scenario.name and saved.deleted_at is None:
        return saved  # nothing changed: no new version
    restored = saved.deleted_at is not None
    saved.name, saved.text, saved.updated_at = scenario.name, text, now
    saved.version, saved.updated_by = (saved.version or 0) + 1, who
    saved.deleted_at = saved.deleted_by = None
    session.flush()
    session.add(
        ScenarioVersion(
            scenario_id=saved.id,
            number=saved.version,
            name=saved.name,
            text=text,
            created_at=now,
            created_by=who,
            note=(note or ("teruggehaald na verwijderen" if restored else None)),
        )
    )
    record(
        session,
        entity="scenario",
        entity_id=saved.id,
        action=f"scenario opgeslagen: versie {saved.version}",
        after={"slug": saved.slug, "name": saved.name[:NAME_LENGTH], "version": saved.version},
    )
    session.commit()
    return saved


def versions(session: Session, *, saved: SavedScenario) -> list[ScenarioVersion]:
    """Every version of a scenario, the newest first."""
    query = select(ScenarioVersion).where(ScenarioVersion.scenario_id == saved.id)
    return list(session.scalars(query.order_by(ScenarioVersion.number.desc())))


def get_version(session: Session, *, saved: SavedScenario, number: int) -> ScenarioVersion:
    version = session.scalar(
        select(ScenarioVersion).where(
            ScenarioVersion.scenario_id == saved.id, ScenarioVersion.number == number
        )
    )
    if version is None:
        raise NotFoundError(
            _("scenario {slug} heeft geen versie {number}", slug=repr(saved.slug), number=number)
        )
    return version


def scenario_of(saved: SavedScenario) -> Scenario:
    return parse_scenario(saved.text, saved.slug)


def with_weights(scenario: Scenario, weights: dict[int, dict[str, float]]) -> Scenario:
    """The scenario with new weights for some levels (``{level index: {column: weight}}``).

    Own weights for the first level replace a fit (the caller says so: ``replaces_fit``);
    a level whose weights are all 0 is refused (every team would get the same)."""
    unknown = sorted(i for i in weights if not 0 <= i < len(scenario.levels))
    if unknown:
        raise AllocationError(
            _("niveau {unknown} bestaat niet in dit scenario", unknown=unknown[0])
        )
    for i, level in enumerate(scenario.levels):
        merged = {**level.weights, **weights.get(i, {})}
        extra = sorted(set(weights.get(i, {})) - set(level.weights))
        if extra:
            raise AllocationError(
                _("niveau {i} heeft geen gewicht {extra}", i=i + 1, extra=repr(extra[0]))
            )
        if merged and all(w == 0 for w in merged.values()):
            raise AllocationError(
                _(
                    "alle gewichten van niveau {i} zijn 0: geef minstens één gewicht groter dan 0 "
                    "(anders krijgt elk team hetzelfde)",
                    i=i + 1,
                )
            )
    levels = [
        level.model_copy(update={"weights": {**level.weights, **weights[i]}})
        if i in weights
        else level
        for i, level in enumerate(scenario.levels)
    ]
    fit = None if 0 in weights else scenario.fit  # own weights replace fitted ones
    return Scenario.model_validate(
        {**scenario.model_dump(), "fit": fit, "levels": [lvl.model_dump() for lvl in levels]}
    )


def same_weights(given: dict[str, float], fitted: dict[str, float]) -> bool:
    """True when ``given`` are the fitted weights as the page shows them (6 digits)."""
    return set(given) <= set(fitted) and all(
        math.isclose(w, fitted[c], rel_tol=1e-5, abs_tol=1e-12) for c, w in given.items()
    )


def to_yaml(scenario: Scenario) -> str:
    data: dict[str, Any] = scenario.model_dump(exclude_defaults=True, exclude_none=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def run_saved(
    session: Session,
    *,
    slug: str,
    weights: dict[int, dict[str, float]] | None = None,
    reader: Principal | None = None,
    version: int | None = None,
) -> tuple[SavedScenario, Scenario, Result]:
    """Run a saved scenario (its latest version, or ``version``) with ``weights`` changed.

    On a fitted scenario the page shows the fitted weights; posted back unchanged they keep
    the fit. Own weights for the first level replace it, and the result says so."""
    saved = get_saved(session, slug=slug, reader=reader)
    scenario = scenario_of(saved)
    if version is not None:
        scenario = parse_scenario(get_version(session, saved=saved, number=version).text, slug)
    if not weights:
        return saved, scenario, allocate_scenario(session, scenario=scenario)
    weights = dict(weights)
    fitted: dict[str, float] | None = None
    if scenario.fit is not None and 0 in weights:
        fitted_result = allocate_scenario(session, scenario=scenario)
        fitted = fitted_result.fit.weights if fitted_result.fit is not None else None
        if fitted is not None and same_weights(weights[0], fitted):
            del weights[0]
    scenario = with_weights(scenario, weights)
    result = allocate_scenario(session, scenario=scenario)
    if fitted is not None and 0 in weights:
        shown = ", ".join(f"{c} {significant(w)}" for c, w in fitted.items())
        result.replaced_fit = _(
            "Eigen gewichten op niveau 1: de fit ({shown}) is vervangen. "
            "Opslaan bewaart uw gewichten zonder fit.",
            shown=shown,
        )
    return saved, scenario, result
