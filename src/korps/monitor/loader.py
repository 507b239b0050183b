"""Load the monitor's YAML files (indicators and plans) into the database in one transaction.

Every file is parsed and checked first (schema, unknown units and indicators, years outside
the plan, duplicate targets, percentages above 100); only when all are sound is anything
written, so a bad file leaves the database as it was. Indicators are matched by code (their
ids, and the measurements that refer to them, survive a reload); a plan's targets are
replaced; a plan's adoption (status, date, by whom) survives a reload of its document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from korps.common.datafile import DatasetError, Problem, line_of
from korps.common.formatting import short
from korps.common.i18n import _
from korps.monitor.datafile import (
    IndicatorFile,
    PlanFile,
    TargetSpec,
    parse_indicators,
    parse_plan,
    read_text,
)
from korps.monitor.models import Indicator, Plan, Target
from korps.organisation.loader import datasets_dir
from korps.organisation.models import Unit

INDICATOR_FILE = "monitor-indicatoren.yaml"


@dataclass
class MonitorLoadReport:
    files: list[str]
    indicators: int = 0
    plans: list[str] = field(default_factory=list)
    targets: int = 0


def bundled_files() -> list[Path]:
    """The indicator file first, then every bundled plan (``monitor-*.yaml``)."""
    folder = datasets_dir()
    plans = sorted(p for p in folder.glob("monitor-*.yaml") if p.name != INDICATOR_FILE)
    return [folder / INDICATOR_FILE, *plans]


def target_years(spec: TargetSpec, plan: PlanFile) -> dict[int, float | None]:
    """Year -> value of a target as published (``values``, or ``value`` for ``years`` / every
    year of the plan)."""
    if spec.values is not None:
        return dict(spec.values)
    years = spec.years or list(range(plan.first_year, plan.last_year + 1))
    return dict.fromkeys(years, spec.value)


def _check_plan(
    plan: PlanFile, root: object, file: str, indicators: Mapping[str, str], units: set[str]
) -> list[Problem]:
    node = root if isinstance(root, yaml.Node) else None
    problems: list[Problem] = []

    def problem(loc: tuple[str | int, ...], reason: str) -> None:
        path = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[")
        problems.append(Problem(path, reason, line_of(node, loc)))

    if plan.unit not in units:
        problem(
            ("unit",),
            _("onbekende eenheid {slug} (laad eerst de organisatie)", slug=repr(plan.unit)),
        )
    seen: set[tuple[str, int]] = set()
    for t, theme in enumerate(plan.themes):
        for i, spec in enumerate(theme.targets):
            loc: tuple[str | int, ...] = ("themes", t, "targets", i)
            measure = indicators.get(spec.indicator)
            if measure is None:
                problem(
                    (*loc, "indicator"),
                    _("onbekende indicator {code}", code=repr(spec.indicator)),
                )
            for year, value in target_years(spec, plan).items():
                if not plan.first_year <= year <= plan.last_year:
                    problem(
                        loc,
                        _(
                            "jaar {year} valt buiten het plan ({first}-{last})",
                            year=year,
                            first=plan.first_year,
                            last=plan.last_year,
                        ),
                    )
                if (spec.indicator, year) in seen:
                    problem(
                        loc,
                        _("dubbel doel voor {code} in {year}", code=spec.indicator, year=year),
                    )
                seen.add((spec.indicator, year))
                if measure == "procent" and value is not None and not 0 <= value <= 100:
                    problem(
                        loc,
                        _("percentage {value} ligt niet tussen 0 en 100", value=short(value)),
                    )
    return problems


def _read(paths: list[Path]) -> tuple[IndicatorFile, list[tuple[PlanFile, object, str]]]:
    indicator_file: IndicatorFile | None = None
    plans: list[tuple[PlanFile, object, str]] = []
    for path in paths:
        text = read_text(path)
        head = yaml.safe_load(text) if text.strip() else None
        kind = head.get("kind") if isinstance(head, dict) else None
        if kind == "indicatoren":
            indicator_file = parse_indicators(text, str(path))
        else:
            plan, root = parse_plan(text, str(path))
            plans.append((plan, root, str(path)))
    if indicator_file is None:
        raise DatasetError(
            str(paths[0]),
            [
                Problem(
                    "",
                    _(
                        "het indicatorbestand ontbreekt ({indicator_file})",
                        indicator_file=INDICATOR_FILE,
                    ),
                )
            ],
        )
    return indicator_file, plans


def load_monitor(session: Session, *, paths: list[Path] | None = None) -> MonitorLoadReport:
    """Validate every file, then write indicators, plans and targets; commit once.

    Raises DatasetError (file:line: path: reason) and writes nothing when any file is bad.
    """
    paths = paths or bundled_files()
    try:
        indicator_file, plans = _read(paths)
    except yaml.YAMLError as exc:
        raise DatasetError(str(paths[0]), [Problem("", f"malformed YAML: {exc}")]) from exc
    codes = [i.code for i in indicator_file.indicators]
    doubles = sorted({c for c in codes if codes.count(c) > 1})
    if doubles:
        raise DatasetError(
            str(paths[0]),
            [Problem("indicators", _("dubbele code {code}", code=repr(c))) for c in doubles],
        )
    measures = {i.code: i.measure for i in indicator_file.indicators}
    unit_ids = {slug: id_ for slug, id_ in session.execute(select(Unit.slug, Unit.id))}
    plan_codes = [p.code for p, _r, _f in plans]
    for plan, root, file in plans:
        if plan_codes.count(plan.code) > 1:
            raise DatasetError(
                file, [Problem("code", _("dubbel plan {code}", code=repr(plan.code)))]
            )
        if problems := _check_plan(plan, root, file, measures, set(unit_ids)):
            raise DatasetError(file, problems)
    try:
        report = _write(session, indicator_file, [p for p, _r, _f in plans], unit_ids)
        report.files = [str(p) for p in paths]
        session.commit()
    except Exception:
        session.rollback()
        raise
    return report


def _write(
    session: Session, indicator_file: IndicatorFile, plans: list[PlanFile], unit_ids: dict[str, int]
) -> MonitorLoadReport:
    report = MonitorLoadReport(files=[])
    existing = {i.code: i for i in session.scalars(select(Indicator))}
    for item in indicator_file.indicators:
        row = existing.get(item.code) or Indicator(code=item.code)
        for name in ("name", "definition", "measure", "direction", "aggregation", "obtained"):
            setattr(row, name, getattr(item, name))
        row.computation, row.source = item.computation, item.source
        session.add(row)
        existing[item.code] = row
        report.indicators += 1
    session.flush()
    now = datetime.now(UTC)
    for spec_plan in plans:
        plan = session.scalar(select(Plan).where(Plan.code == spec_plan.code))
        if plan is None:
            plan = Plan(code=spec_plan.code, status=spec_plan.status)
        plan.unit_id = unit_ids[spec_plan.unit]
        plan.title, plan.source = spec_plan.title, spec_plan.source
        plan.first_year, plan.last_year = spec_plan.first_year, spec_plan.last_year
        plan.document = spec_plan.model_dump(mode="json")
        plan.loaded_at = now
        session.add(plan)
        session.flush()
        session.execute(delete(Target).where(Target.plan_id == plan.id))
        for theme in spec_plan.themes:
            for spec in theme.targets:
                note = "; ".join(
                    x for x in (spec.note, spec.assumption and f"aanname: {spec.assumption}") if x
                )
                for year, value in sorted(target_years(spec, spec_plan).items()):
                    session.add(
                        Target(
                            plan_id=plan.id,
                            indicator_id=existing[spec.indicator].id,
                            unit_id=plan.unit_id,
                            theme=theme.code,
                            year=year,
                            kind=spec.kind,
                            value=value,
                            published=spec.published,
                            source=spec.source,
                            note=note or None,
                        )
                    )
                    report.targets += 1
        report.plans.append(spec_plan.code)
    session.flush()
    return report
