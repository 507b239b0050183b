"""The monitor's queries and rules: which plan covers a unit, the status table of a unit, the
actuals of an indicator (computed or entered), and entering or importing actuals.

Entering is all-or-nothing: an unknown indicator, unit or year, a computed indicator, a
percentage outside 0-100 or a second measurement for the same indicator, unit and year is
refused (:class:`MonitorRefused`, naming the field) and nothing is written. Every write is
checked with ``allows`` (planner or beheerder on the unit) and audited.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.controlroom.times import LOCAL
from korps.identity.errors import Forbidden
from korps.identity.roles import Principal, allows
from korps.monitor import schemas
from korps.monitor.actuals import Memo, computed_series
from korps.monitor.errors import MonitorRefused
from korps.monitor.models import Indicator, Measurement, Plan, Target
from korps.monitor.status import Goal, assess
from korps.organisation.models import Unit
from korps.organisation.service import NotFoundError

EDITORS = ("planner", "beheerder")
READERS = ("gezag", "planner", "beheerder")


def today() -> date:
    """The clock of the monitor: today in Dutch local time."""
    return datetime.now(LOCAL).date()


def get_unit(session: Session, *, slug: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.slug == slug))
    if unit is None:
        raise NotFoundError(f"onbekende eenheid {slug!r}")
    return unit


def plan_for(session: Session, *, unit: Unit) -> Plan | None:
    """The plan of the unit or of its nearest ancestor that has one."""
    ids = [int(p) for p in unit.path.strip("/").split("/") if p]
    plans = {p.unit_id: p for p in session.scalars(select(Plan).where(Plan.unit_id.in_(ids)))}
    for unit_id in reversed(ids):
        if unit_id in plans:
            return plans[unit_id]
    return None


def get_indicator(session: Session, *, code: str) -> Indicator:
    indicator = session.scalar(select(Indicator).where(Indicator.code == code))
    if indicator is None:
        raise NotFoundError(f"onbekende indicator {code!r}")
    return indicator


def series_of(
    session: Session,
    *,
    indicator: Indicator,
    unit: Unit,
    plan: Plan,
    today: date,
    memo: Memo | None = None,
) -> list[schemas.Point]:
    """The actuals of ``indicator`` for ``unit`` over the plan's years: computed by korps, or
    as entered (with who, when and source)."""
    years = range(plan.first_year, plan.last_year + 1)
    if indicator.computation:
        found = computed_series(
            session,
            computation=indicator.computation,
            unit=unit,
            years=years,
            today=today,
            memo=memo,
        )
        return [schemas.Point(year=y, value=v, origin="berekend door korps") for y, v in found]
    rows = session.scalars(
        select(Measurement)
        .where(Measurement.indicator_id == indicator.id, Measurement.unit_id == unit.id)
        .order_by(Measurement.year)
    )
    return [
        schemas.Point(
            year=m.year,
            value=m.value,
            origin=m.source,
            entered_by=m.entered_by,
            entered_at=m.entered_at.isoformat(timespec="minutes"),
        )
        for m in rows
        if m.year in years
    ]


def _row(
    session: Session,
    *,
    indicator: Indicator,
    unit: Unit,
    plan: Plan,
    targets: list[Target],
    today: date,
    titles: dict[str, str],
    memo: Memo | None = None,
) -> schemas.StatusRow:
    series = series_of(session, indicator=indicator, unit=unit, plan=plan, today=today, memo=memo)
    goals = {t.year: Goal(t.kind, t.value) for t in targets}
    result = assess(
        series=[(p.year, p.value) for p in series],
        goals=goals,
        direction=indicator.direction,
        today=today,
    )
    latest = next((t for t in targets if t.year == result.year), targets[-1] if targets else None)
    return schemas.StatusRow(
        theme=targets[0].theme if targets else "",
        theme_title=titles.get(targets[0].theme, "") if targets else "",
        indicator=indicator.code,
        name=indicator.name,
        measure=indicator.measure,
        direction=indicator.direction,
        obtained=indicator.obtained,
        unit=unit.slug,
        unit_name=unit.name,
        series=series,
        targets=[
            schemas.TargetView(
                year=t.year,
                kind=t.kind,
                value=t.value,
                published=t.published,
                source=t.source,
                note=t.note,
            )
            for t in targets
        ],
        status=result.status,
        status_label=result.label,
        trend=result.trend,
        reason=result.reason,
        ratio=result.ratio,
        year=result.year,
        value=result.value,
        target=result.target,
        published=latest.published if latest else "",
        source=latest.source if latest else indicator.source,
    )


def _targets(session: Session, plan: Plan) -> dict[int, list[Target]]:
    grouped: dict[int, list[Target]] = defaultdict(list)
    for target in session.scalars(
        select(Target).where(Target.plan_id == plan.id).order_by(Target.id)
    ):
        grouped[target.indicator_id].append(target)
    for targets in grouped.values():
        targets.sort(key=lambda t: t.year)
    return grouped


def theme_titles(plan: Plan) -> dict[str, str]:
    themes = plan.document.get("themes", [])
    if not isinstance(themes, list):
        return {}
    return {str(t["code"]): str(t["title"]) for t in themes if isinstance(t, dict)}


def overview(session: Session, *, slug: str, today: date) -> schemas.Overview:
    """Every target indicator of the unit's plan with its actuals, status and trend."""
    unit = get_unit(session, slug=slug)
    plan = plan_for(session, unit=unit)
    rows: list[schemas.StatusRow] = []
    if plan is not None:
        indicators = {i.id: i for i in session.scalars(select(Indicator))}
        titles = theme_titles(plan)
        memo: Memo = {}
        for indicator_id, targets in _targets(session, plan).items():
            rows.append(
                _row(
                    session,
                    indicator=indicators[indicator_id],
                    unit=unit,
                    plan=plan,
                    targets=targets,
                    today=today,
                    titles=titles,
                    memo=memo,
                )
            )
    return schemas.Overview(
        unit=unit.slug,
        unit_name=unit.name,
        plan=plan.code if plan else None,
        plan_title=plan.title if plan else None,
        today=today.isoformat(),
        rows=rows,
    )


def detail(
    session: Session, *, slug: str, code: str, today: date
) -> tuple[schemas.StatusRow, list[schemas.StatusRow]]:
    """One indicator of a unit, and the same for each child unit (district, basisteam) that
    has actuals: the drill down."""
    unit = get_unit(session, slug=slug)
    indicator = get_indicator(session, code=code)
    plan = plan_for(session, unit=unit)
    if plan is None:
        raise NotFoundError(f"geen plan voor {unit.name}")
    targets = _targets(session, plan).get(indicator.id, [])
    titles = theme_titles(plan)
    memo: Memo = {}
    own = _row(
        session,
        indicator=indicator,
        unit=unit,
        plan=plan,
        targets=targets,
        today=today,
        titles=titles,
        memo=memo,
    )
    children = session.scalars(
        select(Unit)
        .where(Unit.parent_id == unit.id, Unit.kind.in_(("district", "basisteam")))
        .order_by(Unit.position, Unit.name)
    )
    below = [
        _row(
            session,
            indicator=indicator,
            unit=c,
            plan=plan,
            targets=targets,
            today=today,
            titles=titles,
            memo=memo,
        )
        for c in children
    ]
    return own, [r for r in below if r.series]


def _check(
    session: Session, *, item: schemas.MeasurementIn, today: date, line: int | None = None
) -> tuple[Indicator, Unit]:
    indicator = session.scalar(select(Indicator).where(Indicator.code == item.indicator))
    if indicator is None:
        raise MonitorRefused("indicator", f"onbekende indicator {item.indicator!r}", line)
    if indicator.computation:
        raise MonitorRefused("indicator", f"{indicator.name} wordt door korps berekend", line)
    unit = session.scalar(select(Unit).where(Unit.slug == item.unit))
    if unit is None:
        raise MonitorRefused("unit", f"onbekende eenheid {item.unit!r}", line)
    plan = plan_for(session, unit=unit)
    if plan is None:
        raise MonitorRefused("unit", f"{unit.name} valt onder geen plan", line)
    if not plan.first_year <= item.year <= min(plan.last_year, today.year):
        last = min(plan.last_year, today.year)
        raise MonitorRefused("year", f"jaar {item.year} valt buiten {plan.first_year}-{last}", line)
    if indicator.measure == "procent" and not 0 <= item.value <= 100:
        raise MonitorRefused(
            "value", f"een percentage ligt tussen 0 en 100 (niet {item.value:g})", line
        )
    if item.value < 0:
        raise MonitorRefused("value", "een negatieve waarde kan niet", line)
    return indicator, unit


def enter(
    session: Session,
    *,
    principal: Principal,
    items: list[schemas.MeasurementIn],
    today: date,
    lines: list[int] | None = None,
) -> list[int]:
    """Write every measurement or none; returns their ids. Commits."""
    checked: list[tuple[Indicator, Unit, schemas.MeasurementIn, int | None]] = []
    seen: set[tuple[int, int, int]] = set()
    for i, item in enumerate(items):
        line = lines[i] if lines else None
        indicator, unit = _check(session, item=item, today=today, line=line)
        if not allows(principal, EDITORS, unit.path):
            raise Forbidden(f"u mag geen metingen invoeren voor {unit.name}")
        key = (indicator.id, unit.id, item.year)
        duplicate = key in seen or session.scalar(
            select(Measurement.id).where(
                Measurement.indicator_id == indicator.id,
                Measurement.unit_id == unit.id,
                Measurement.year == item.year,
            )
        )
        if duplicate:
            message = f"er is al een meting van {indicator.code} voor {unit.slug} in {item.year}"
            raise MonitorRefused("year", message, line)
        seen.add(key)
        checked.append((indicator, unit, item, line))
    now = datetime.now(UTC)
    ids: list[int] = []
    try:
        for indicator, unit, item, _line in checked:
            row = Measurement(
                indicator_id=indicator.id,
                unit_id=unit.id,
                year=item.year,
                value=item.value,
                source=item.source,
                entered_by=principal.username,
                entered_at=now,
            )
            session.add(row)
            session.flush()
            record(
                session,
                entity="monitor_meting",
                entity_id=row.id,
                action="meting ingevoerd",
                after={
                    "indicator": indicator.code,
                    "unit": unit.slug,
                    "year": item.year,
                    "value": item.value,
                    "source": item.source,
                },
            )
            ids.append(row.id)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return ids


def adopt_plan(session: Session, *, principal: Principal, slug: str, on: date) -> Plan:
    """Mark the unit's plan as adopted (vastgesteld) by the Regionaal Veiligheidsoverleg on
    ``on``; audited. Refused for a date outside the plan's years or in the future."""
    unit = get_unit(session, slug=slug)
    plan = plan_for(session, unit=unit)
    if plan is None or plan.unit_id != unit.id:
        raise MonitorRefused("unit", f"{unit.name} heeft geen eigen plan")
    if not allows(principal, EDITORS, unit.path):
        raise Forbidden(f"u mag het plan van {unit.name} niet vaststellen")
    if on > datetime.now(UTC).date() or on.year < plan.first_year - 1:
        raise MonitorRefused(
            "datum", f"datum {on.isoformat()} ligt in de toekomst of ver voor het plan"
        )
    before = {
        "status": plan.status,
        "adopted_on": plan.adopted_on.isoformat() if plan.adopted_on else None,
    }
    plan.status, plan.adopted_on, plan.adopted_by = "vastgesteld", on, principal.username
    record(
        session,
        entity="monitor_plan",
        entity_id=plan.id,
        action="plan vastgesteld door het RVO",
        before=before,
        after={"status": plan.status, "adopted_on": on.isoformat()},
    )
    session.commit()
    return plan
