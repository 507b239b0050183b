"""Actuals korps computes from its own data: response-time shares from the control room (the
very figures of its KPI page, ``korps.controlroom.kpi.kpis``) and occupancy from formation
(``korps.formation.service``). A year's response-time share covers the incidents received in
that calendar year (Dutch local time); the occupancy figures are the latest period on file."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.controlroom.kpi import kpis
from korps.controlroom.schemas import KpiReport
from korps.controlroom.times import LOCAL
from korps.formation.service import formation_gap, wijkagent_target
from korps.organisation.models import Unit

PRIORITY = {"aanrijdtijd-prio-1": 1, "aanrijdtijd-prio-2": 2}
GROUP = {"eenheid": "priority", "district": "district", "basisteam": "basisteam"}


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 January, next 1 January) of ``year`` in Dutch local time."""
    return datetime(year, 1, 1, tzinfo=LOCAL), datetime(year + 1, 1, 1, tzinfo=LOCAL)


def eenheid_of(session: Session, unit: Unit) -> Unit | None:
    ids = [int(p) for p in unit.path.strip("/").split("/") if p]
    for candidate in session.scalars(select(Unit).where(Unit.id.in_(ids))):
        if candidate.kind in ("eenheid", "zone"):
            return candidate
    return None


Memo = dict[tuple[str, int, str], KpiReport]


def response_share(
    session: Session, *, computation: str, unit: Unit, year: int, memo: Memo | None = None
) -> float | None:
    """Percentage of the prio's incidents with a unit on scene within the norm (None: none).
    ``memo`` keeps the KPI reports of one page, so siblings in a drill down share one query."""
    root = eenheid_of(session, unit)
    group = GROUP.get(unit.kind if root is None or root.id != unit.id else "eenheid")
    if root is None or group is None:
        return None
    memo = {} if memo is None else memo
    if (root.slug, year, group) not in memo:
        since, until = year_bounds(year)
        memo[(root.slug, year, group)] = kpis(
            session,
            eenheid=root.slug,
            since=since,
            until=until,
            group=group,  # type: ignore[arg-type]
        )
    report = memo[(root.slug, year, group)]
    key = str(PRIORITY[computation]) if group == "priority" else unit.slug
    for row in report.rows:
        if row.key == key and row.priority == PRIORITY[computation]:
            return None if row.share_within_norm is None else round(row.share_within_norm * 100, 2)
    return None


def occupancy(session: Session, *, computation: str, unit: Unit) -> tuple[str, float] | None:
    """(period, percentage) of wijkagent occupancy or of the whole formation, if on file."""
    if computation == "bezetting-wijkagenten":
        target = wijkagent_target(session, slug=unit.slug)
        return (
            (target.period, target.percentage)
            if target.period and target.percentage is not None
            else None
        )
    report = formation_gap(session, slug=unit.slug, category="formatie", depth=0)
    figures = report.own if report.own.percentage is not None else report.subtree
    if report.period and figures is not None and figures.percentage is not None:
        return report.period, figures.percentage
    return None


def computed_series(
    session: Session,
    *,
    computation: str,
    unit: Unit,
    years: range,
    today: date,
    memo: Memo | None = None,
) -> list[tuple[int, float]]:
    """[(year, value)] korps computes for ``unit`` over ``years`` up to ``today``."""
    if computation in PRIORITY:
        series = []
        for year in years:
            if year > today.year:
                break
            value = response_share(
                session, computation=computation, unit=unit, year=year, memo=memo
            )
            if value is not None:
                series.append((year, value))
        return series
    found = occupancy(session, computation=computation, unit=unit)
    if found is None:
        return []
    period, value = found
    year = int(period[:4]) if period[:4].isdigit() else today.year
    # a plan period (2023-2026) counts for this year: the occupancy on file is the current one
    year = today.year if "-" in period and year <= today.year else year
    return [(year, value)] if year in years else []
