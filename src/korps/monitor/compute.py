"""Recompute the computed actuals of a unit (and the districts and basisteams below it, for the
drill down) and keep them as measurements: value, source ("berekend door korps uit ..."), who
asked for the computation and when. Every year and every quarter of the plan up to today (the
running ones up to today); occupancy, which formation keeps no history of, only for the
running year and quarter (earlier figures stay as they were kept). A figure that changed is
replaced, one the source no longer has is removed; the run is audited (counts, and
before/after of every changed figure). Commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.common.i18n import _
from korps.identity.errors import Forbidden
from korps.identity.roles import Principal, allows
from korps.monitor.actuals import CURRENT_ONLY, Memo, compute_value
from korps.monitor.errors import MonitorRefused
from korps.monitor.models import Indicator, Measurement, Plan
from korps.monitor.periods import Period, quarters, year
from korps.monitor.service import EDITORS, get_unit, plan_for
from korps.organisation.models import Unit

DRILL_DOWN = ("district", "basisteam")
Key = tuple[int, int, int, int, int]  # indicator, unit, year, first month, months


@dataclass
class ComputeReport:
    unit: str
    plan: str
    periods: list[str]
    units: int
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    changes: list[dict[str, object]] = field(default_factory=list)


def plan_periods(plan: Plan, today: date) -> list[Period]:
    """Every year and quarter of the plan that has started by ``today``."""
    found: list[Period] = []
    for y in range(plan.first_year, min(plan.last_year, today.year) + 1):
        found += [p for p in (year(y), *quarters(y)) if p.start <= today]
    return found


def units_from(session: Session, unit: Unit) -> list[Unit]:
    """The unit and the districts and basisteams below it."""
    below = session.scalars(
        select(Unit)
        .where(
            Unit.path.startswith(unit.path, autoescape=True),
            Unit.id != unit.id,
            Unit.kind.in_(DRILL_DOWN),
        )
        .order_by(Unit.path)
    )
    return [unit, *below]


def _key(m: Measurement) -> Key:
    return (m.indicator_id, m.unit_id, m.year, m.first_month, m.months)


def compute(session: Session, *, principal: Principal, slug: str, today: date) -> ComputeReport:
    """Recompute every computed indicator for the unit ``slug`` and below; commits."""
    unit = get_unit(session, slug=slug)
    plan = plan_for(session, unit=unit)
    if plan is None:
        raise MonitorRefused("unit", _("{name} valt onder geen plan", name=unit.name))
    if not allows(principal, EDITORS, unit.path):
        raise Forbidden(_("u mag de cijfers van {name} niet herberekenen", name=unit.name))
    periods = plan_periods(plan, today)
    units = units_from(session, unit)
    indicators = list(session.scalars(select(Indicator).where(Indicator.computation.is_not(None))))
    stored = {
        _key(m): m
        for m in session.scalars(
            select(Measurement).where(
                Measurement.indicator_id.in_([i.id for i in indicators]),
                Measurement.unit_id.in_([u.id for u in units]),
            )
        )
    }
    report = ComputeReport(unit.slug, plan.code, [p.label for p in periods], len(units))
    names = {("i", i.id): i.code for i in indicators} | {("u", u.id): u.slug for u in units}
    now, memo = datetime.now(UTC), Memo()
    try:
        # every figure first, then the writes: no query waits for a flush of pending rows
        found: list[tuple[Key, tuple[float, str] | None]] = []
        for indicator in indicators:
            assert indicator.computation is not None
            runs = [p for p in periods if p.start <= today < p.end]
            chosen = runs if indicator.computation in CURRENT_ONLY else periods
            for target in units:
                for period in chosen:
                    value = compute_value(
                        session,
                        computation=indicator.computation,
                        unit=target,
                        period=period,
                        today=today,
                        memo=memo,
                    )
                    key = (indicator.id, target.id, period.year, period.first_month, period.months)
                    found.append((key, value))
        for key, value in found:
            named = (names[("i", key[0])], names[("u", key[1])])  # the audit names them by code
            _keep(session, report, stored.pop(key, None), key, named, value, principal, now)
        record(
            session,
            entity="monitor_plan",
            entity_id=plan.id,
            action="berekende metingen herberekend",
            actor=principal.username,
            after={
                "unit": unit.slug,
                "today": today.isoformat(),
                "added": report.added,
                "changed": report.changed,
                "removed": report.removed,
                "changes": report.changes[:200],
            },
        )
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise MonitorRefused(
            "berekening", _("een andere berekening liep tegelijk; er is niets opgeslagen")
        ) from exc
    except Exception:
        session.rollback()
        raise
    return report


def _keep(
    session: Session,
    report: ComputeReport,
    row: Measurement | None,
    key: Key,
    named: tuple[str, str],
    found: tuple[float, str] | None,
    principal: Principal,
    now: datetime,
) -> None:
    indicator_id, unit_id, year_value, first_month, months = key
    label = Period(year_value, first_month, months).label
    if found is None:
        if row is not None:
            report.removed += 1
            report.changes.append(
                {"indicator": named[0], "unit": named[1], "period": label, "before": row.value}
            )
            session.delete(row)
        return
    value, source = found
    if row is None:
        report.added += 1
        session.add(
            Measurement(
                indicator_id=indicator_id,
                unit_id=unit_id,
                year=year_value,
                first_month=first_month,
                months=months,
                value=value,
                source=source,
                entered_by=principal.username,
                entered_at=now,
            )
        )
        return
    if row.value != value:
        report.changed += 1
        report.changes.append(
            {
                "indicator": named[0],
                "unit": named[1],
                "period": label,
                "before": row.value,
                "after": value,
            }
        )
    else:
        report.unchanged += 1
    row.value, row.source, row.entered_by, row.entered_at = value, source, principal.username, now
