"""Save, list and change scenarios in the database; every write is validated first."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.identity.errors import Forbidden
from korps.identity.roles import Principal, allows
from korps.organisation.datafile import DatasetError
from korps.organisation.models import Unit
from korps.organisation.service import NotFoundError
from korps.planning.allocation import AllocationError
from korps.planning.models import SavedScenario
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


def list_saved(session: Session, *, reader: Principal | None = None) -> list[SavedScenario]:
    every = session.scalars(select(SavedScenario).order_by(SavedScenario.name))
    return [s for s in every if _readable(session, s, reader)]


def get_saved(session: Session, *, slug: str, reader: Principal | None = None) -> SavedScenario:
    """A saved scenario; one of a unit the reader does not plan for is 'unknown' (404)."""
    saved = session.scalar(select(SavedScenario).where(SavedScenario.slug == slug))
    if saved is None or not _readable(session, saved, reader):
        raise NotFoundError(f"onbekend scenario {slug[:120]!r}")
    return saved


def ensure_may_use(session: Session, *, principal: Principal | None, scenario: Scenario) -> None:
    if not may_use(session, principal=principal, scenario=scenario):
        raise Forbidden(f"u bent geen planner van {scenario.unit!r}")


def save(
    session: Session,
    *,
    text: str,
    file: str = "scenario",
    slug: str | None = None,
    workload: Workload | None = None,
    writer: Principal | None = None,
) -> SavedScenario:
    """Validate the YAML (schema and a trial run on the database), then insert or update it.

    The trial run means a scenario naming an unknown team or breaking its own rules is
    refused before anything is stored. ``workload`` is the table of the scenario's
    `workload:` file as the command line read it: it is stored as a workload table and the
    saved scenario refers to that by id, so nothing stored ever names a server path.
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
        raise Forbidden(f"het scenario {key!r} is van een eenheid waarvoor u geen planner bent")
    if saved is None:
        saved = SavedScenario(slug=key, created_at=now)
        session.add(saved)
    saved.name, saved.text, saved.updated_at = scenario.name, text, now
    session.commit()
    return saved


def scenario_of(saved: SavedScenario) -> Scenario:
    return parse_scenario(saved.text, saved.slug)


def with_weights(scenario: Scenario, weights: dict[int, dict[str, float]]) -> Scenario:
    """The scenario with new weights for some levels (``{level index: {column: weight}}``)."""
    unknown = sorted(i for i in weights if not 0 <= i < len(scenario.levels))
    if unknown:
        raise AllocationError(f"niveau {unknown[0]} bestaat niet in dit scenario")
    levels = [
        level.model_copy(update={"weights": weights[i]}) if i in weights else level
        for i, level in enumerate(scenario.levels)
    ]
    fit = None if 0 in weights else scenario.fit  # own weights replace fitted ones
    return Scenario.model_validate(
        {**scenario.model_dump(), "fit": fit, "levels": [lvl.model_dump() for lvl in levels]}
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
) -> tuple[SavedScenario, Scenario, Result]:
    saved = get_saved(session, slug=slug, reader=reader)
    scenario = scenario_of(saved)
    if weights:
        scenario = with_weights(scenario, weights)
    return saved, scenario, allocate_scenario(session, scenario=scenario)
