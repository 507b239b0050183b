"""The monitor's queries and rules: which plan covers a unit, the status table of a unit, the
actuals of an indicator (computed or entered), and entering or importing actuals.

Entering is all-or-nothing: an unknown indicator, unit or year, a computed indicator, a
percentage outside 0-100 or a second measurement for the same indicator, unit and year is
refused (:class:`MonitorRefused`, naming the field) and nothing is written. Every write is
checked with ``allows`` (planner or beheerder on the unit) and audited.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.common.formatting import number, short
from korps.common.i18n import _
from korps.controlroom.times import LOCAL
from korps.identity.errors import Forbidden
from korps.identity.roles import Principal, allows
from korps.monitor import schemas
from korps.monitor.errors import MonitorRefused
from korps.monitor.models import Indicator, Measurement, Plan, Target
from korps.monitor.periods import PRO_RATA, Period, comparable, in_view, target_for, within, year
from korps.monitor.status import Goal, Sample, assess_samples
from korps.organisation.models import Unit
from korps.organisation.service import NotFoundError

EDITORS = ("planner", "beheerder")
READERS = ("gezag", "planner", "beheerder")
COMPUTED_THEME, COMPUTED_TITLE = "berekend", "Door korps berekend (geen doel in het plan)"
NO_TARGET = "geen doel in het plan (monitoring)"


def today() -> date:
    """The clock of the monitor: today in Dutch local time."""
    return datetime.now(LOCAL).date()


def get_unit(session: Session, *, slug: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.slug == slug))
    if unit is None:
        raise NotFoundError(_("onbekende eenheid {slug}", slug=repr(slug)))
    return unit


def plan_for(session: Session, *, unit: Unit) -> Plan | None:
    """The plan of the unit or of its nearest ancestor that has one."""
    ids = [int(p) for p in unit.path.strip("/").split("/") if p]
    plans = {p.unit_id: p for p in session.scalars(select(Plan).where(Plan.unit_id.in_(ids)))}
    for unit_id in reversed(ids):
        if unit_id in plans:
            return plans[unit_id]
    return None


def planned_units(session: Session) -> list[str]:
    """The slugs of the units that have a plan."""
    return list(
        session.scalars(select(Unit.slug).join(Plan, Plan.unit_id == Unit.id).order_by(Unit.slug))
    )


def get_indicator(session: Session, *, code: str) -> Indicator:
    indicator = session.scalar(select(Indicator).where(Indicator.code == code))
    if indicator is None:
        raise NotFoundError(_("onbekende indicator {code}", code=repr(code)))
    return indicator


def view_of(view: Period | None, today: date) -> tuple[Period, date]:
    """The period shown (default: this year) and the clock of its status: ``today``, or the
    last day of a view that has ended."""
    shown = view or year(today.year)
    return shown, min(today, shown.end - timedelta(days=1))


def series_of(
    session: Session, *, indicator: Indicator, unit: Unit, plan: Plan, view: Period, today: date
) -> list[Measurement]:
    """The actuals of ``indicator`` for ``unit`` within the plan's years that the view uses
    (:func:`korps.monitor.periods.in_view`), oldest first: computed by korps or entered, each
    with who, when and source."""
    rows = session.scalars(
        select(Measurement).where(
            Measurement.indicator_id == indicator.id,
            Measurement.unit_id == unit.id,
            Measurement.year >= plan.first_year,
            Measurement.year <= plan.last_year,
        )
    ).all()
    return in_view(rows, view=view, today=today)


def _point(m: Measurement) -> schemas.Point:
    return schemas.Point(
        year=m.year,
        period=m.period.label,
        first_month=m.first_month,
        months=m.months,
        value=m.value,
        origin=m.source,
        entered_by=m.entered_by,
        entered_at=m.entered_at.isoformat(timespec="minutes"),
    )


def _row(
    session: Session,
    *,
    indicator: Indicator,
    unit: Unit,
    plan: Plan,
    targets: list[Target],
    view: Period,
    today: date,
    titles: dict[str, str],
) -> schemas.StatusRow:
    series = series_of(session, indicator=indicator, unit=unit, plan=plan, view=view, today=today)
    goals = {t.year: Goal(t.kind, t.value) for t in targets}
    samples = [
        Sample(m.year, m.period.moment(today), comparable(m.value, m.period, indicator.aggregation))
        for m in series
    ]
    result = assess_samples(samples=samples, goals=goals, direction=indicator.direction)
    latest = series[-1] if series else None
    target, reason = result.target, result.reason
    if latest is not None and target is not None and latest.months < 12:
        target = target_for(target, latest.period, indicator.aggregation)
        if indicator.aggregation in PRO_RATA:
            reason += " " + _(
                "(doel {period} pro rata: {target})",
                period=latest.period.label,
                target=number(target, 0),
            )
    shown = next((t for t in targets if t.year == result.year), targets[-1] if targets else None)
    return schemas.StatusRow(
        theme=targets[0].theme if targets else COMPUTED_THEME,
        theme_title=titles.get(targets[0].theme, "") if targets else COMPUTED_TITLE,
        indicator=indicator.code,
        name=indicator.name,
        measure=indicator.measure,
        direction=indicator.direction,
        obtained=indicator.obtained,
        unit=unit.slug,
        unit_name=unit.name,
        series=[_point(m) for m in series],
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
        reason=reason,
        ratio=result.ratio,
        year=result.year,
        period=latest.period.label if latest else None,
        value=latest.value if latest else None,
        target=target,
        published=shown.published if shown else NO_TARGET,
        source=shown.source if shown else indicator.source,
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


def _rows(
    session: Session, *, unit: Unit, plan: Plan, view: Period, today: date, only: str | None = None
) -> list[schemas.StatusRow]:
    """A row per target indicator of the plan, then per computed indicator without a target
    in the plan (followed: monitoring); ``only``: that indicator."""
    indicators = {i.id: i for i in session.scalars(select(Indicator).order_by(Indicator.id))}
    targets = _targets(session, plan)
    followed = [i for i, ind in indicators.items() if ind.computation and i not in targets]
    order = [*targets, *followed]
    titles = theme_titles(plan)
    return [
        _row(
            session,
            indicator=indicators[i],
            unit=unit,
            plan=plan,
            targets=targets.get(i, []),
            view=view,
            today=today,
            titles=titles,
        )
        for i in order
        if only is None or indicators[i].code == only
    ]


def overview(
    session: Session, *, slug: str, today: date, view: Period | None = None
) -> schemas.Overview:
    """Every target indicator of the unit's plan (and every computed one) with its actuals,
    status and trend, for a year or a quarter (default: this year)."""
    unit = get_unit(session, slug=slug)
    plan = plan_for(session, unit=unit)
    shown, clock = view_of(view, today)
    rows = [] if plan is None else _rows(session, unit=unit, plan=plan, view=shown, today=clock)
    return schemas.Overview(
        unit=unit.slug,
        unit_name=unit.name,
        plan=plan.code if plan else None,
        plan_title=plan.title if plan else None,
        today=clock.isoformat(),
        view=shown.label,
        rows=rows,
    )


def detail(
    session: Session, *, slug: str, code: str, today: date, view: Period | None = None
) -> tuple[schemas.StatusRow, list[schemas.StatusRow]]:
    """One indicator of a unit, and the same for each child unit (district, basisteam) that
    has actuals: the drill down."""
    unit = get_unit(session, slug=slug)
    get_indicator(session, code=code)
    plan = plan_for(session, unit=unit)
    if plan is None:
        raise NotFoundError(_("geen plan voor {name}", name=unit.name))
    shown, clock = view_of(view, today)
    mine = _rows(session, unit=unit, plan=plan, view=shown, today=clock, only=code)
    if not mine:
        raise NotFoundError(
            _("{code} is geen indicator van het plan van {name}", code=repr(code), name=unit.name)
        )
    children = session.scalars(
        select(Unit)
        .where(Unit.parent_id == unit.id, Unit.kind.in_(("district", "basisteam")))
        .order_by(Unit.position, Unit.name)
    )
    below = [
        _rows(session, unit=c, plan=plan, view=shown, today=clock, only=code)[0] for c in children
    ]
    return mine[0], [r for r in below if r.series]


def _check(
    session: Session, *, item: schemas.MeasurementIn, today: date, line: int | None = None
) -> tuple[Indicator, Unit, Period]:
    indicator = session.scalar(select(Indicator).where(Indicator.code == item.indicator))
    if indicator is None:
        raise MonitorRefused(
            "indicator", _("onbekende indicator {indicator}", indicator=repr(item.indicator)), line
        )
    if indicator.computation:
        raise MonitorRefused(
            "indicator", _("{name} wordt door korps berekend", name=indicator.name), line
        )
    unit = session.scalar(select(Unit).where(Unit.slug == item.unit))
    if unit is None:
        raise MonitorRefused("unit", _("onbekende eenheid {unit}", unit=repr(item.unit)), line)
    plan = plan_for(session, unit=unit)
    if plan is None:
        raise MonitorRefused("unit", _("{name} valt onder geen plan", name=unit.name), line)
    if not plan.first_year <= item.year <= min(plan.last_year, today.year):
        last = min(plan.last_year, today.year)
        raise MonitorRefused(
            "year",
            _(
                "jaar {year} valt buiten {first_year}-{last}",
                year=item.year,
                first_year=plan.first_year,
                last=last,
            ),
            line,
        )
    try:
        period = within(item.year, item.period)
    except ValueError as exc:
        raise MonitorRefused("periode", str(exc), line) from None
    if period.start > today:
        raise MonitorRefused(
            "periode", _("periode {label} is nog niet begonnen", label=period.label), line
        )
    if indicator.measure == "procent" and not 0 <= item.value <= 100:
        raise MonitorRefused(
            "value",
            _("een percentage ligt tussen 0 en 100 (niet {value})", value=short(item.value)),
            line,
        )
    if item.value < 0:
        raise MonitorRefused("value", _("een negatieve waarde kan niet"), line)
    return indicator, unit, period


def enter(
    session: Session,
    *,
    principal: Principal,
    items: list[schemas.MeasurementIn],
    today: date,
    lines: list[int] | None = None,
) -> list[int]:
    """Write every measurement or none; returns their ids. Commits."""
    checked: list[tuple[Indicator, Unit, Period, schemas.MeasurementIn]] = []
    seen: set[tuple[int, int, Period]] = set()
    for i, item in enumerate(items):
        line = lines[i] if lines else None
        indicator, unit, period = _check(session, item=item, today=today, line=line)
        if not allows(principal, EDITORS, unit.path):
            raise Forbidden(_("u mag geen metingen invoeren voor {name}", name=unit.name))
        key = (indicator.id, unit.id, period)
        duplicate = key in seen or session.scalar(
            select(Measurement.id).where(
                Measurement.indicator_id == indicator.id,
                Measurement.unit_id == unit.id,
                Measurement.year == period.year,
                Measurement.first_month == period.first_month,
                Measurement.months == period.months,
            )
        )
        if duplicate:
            message = _(
                "er is al een meting van {indicator} voor {unit} in {period}",
                indicator=indicator.code,
                unit=unit.slug,
                period=period.label,
            )
            raise MonitorRefused("periode", message, line)
        seen.add(key)
        checked.append((indicator, unit, period, item))
    now = datetime.now(UTC)
    ids: list[int] = []
    try:
        for indicator, unit, period, item in checked:
            row = Measurement(
                indicator_id=indicator.id,
                unit_id=unit.id,
                year=period.year,
                first_month=period.first_month,
                months=period.months,
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
                    "period": period.label,
                    "value": item.value,
                    "source": item.source,
                },
            )
            ids.append(row.id)
        session.commit()
    except IntegrityError as exc:  # the same measurement entered at the same moment
        session.rollback()
        raise MonitorRefused("periode", _("deze meting is zojuist al ingevoerd")) from exc
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
        raise MonitorRefused("unit", _("{name} heeft geen eigen plan", name=unit.name))
    if not allows(principal, EDITORS, unit.path):
        raise Forbidden(_("u mag het plan van {name} niet vaststellen", name=unit.name))
    if on > datetime.now(UTC).date() or on.year < plan.first_year - 1:
        raise MonitorRefused(
            "datum",
            _(
                "datum {date} ligt in de toekomst of ver voor het plan",
                date=on.isoformat(),
            ),
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
