"""Actuals korps computes from its own data, for one unit and one period (a year or a quarter;
the running period up to today), each with the source it was computed from:

* response-time shares from the control room (the very figures of its KPI page,
  ``korps.controlroom.kpi.kpis``), incidents received in the period (Dutch local time);
* occupancy from formation (``korps.formation.service``): the figure on file is the current
  one, so it is only the actual of a period that runs today;
* sick leave from capacity (``korps.capacity.service.sick_leave_of``: days lost / days
  available of the unit and the units below it);
* aangifte satisfaction from the portal's questionnaire (``korps.portal.feedback.satisfaction``:
  the share answering "tevreden: ja") and the dossier lead time (:mod:`korps.monitor.leadtime`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.capacity.models import Person
from korps.capacity.service import sick_leave_of
from korps.common.formatting import date as date_text
from korps.common.formatting import number
from korps.common.i18n import DEFAULT_LOCALE, using
from korps.controlroom.kpi import kpis
from korps.controlroom.schemas import KpiReport
from korps.controlroom.times import LOCAL
from korps.formation.service import formation_gap, wijkagent_target
from korps.identity.roles import Principal, Scope
from korps.monitor.leadtime import LeadTimes, lead_times
from korps.monitor.periods import Period
from korps.organisation.models import Unit
from korps.organisation.service import eenheid_of
from korps.portal.feedback import satisfaction
from korps.portal.models import Dossier, Feedback

PRIORITY = {"aanrijdtijd-prio-1": 1, "aanrijdtijd-prio-2": 2}
# figures with no history in their source: only the periods running today are (re)computed,
# so the figures kept for earlier periods stay
CURRENT_ONLY = ("bezetting-wijkagenten", "formatie-bezetting")
GROUP = {"eenheid": "priority", "district": "district", "basisteam": "basisteam"}
BY = "korps"  # who computed, when the computation was not asked for by a user
# sick leave is read with the least role that may read it (figures only, no names)
READER = Principal(
    user_id=0,
    username="korps-monitor",
    name="korps monitor",
    kind="medewerker",
    scopes=(Scope(role="gezag", unit_id=None, unit_path="/"),),
)

Found = tuple[float, str]  # the value and where it comes from


@dataclass
class Memo:
    """What one computation run keeps: the KPI reports (siblings share one query), the
    eenheid above each unit, and whether a unit's subtree has any source rows at all."""

    reports: dict[tuple[str, str, str], KpiReport] = field(default_factory=dict)
    roots: dict[int, Unit | None] = field(default_factory=dict)
    present: dict[tuple[str, int], bool] = field(default_factory=dict)
    lead: dict[tuple[int, str], LeadTimes | None] = field(default_factory=dict)


SOURCES: dict[str, tuple[Any, Any]] = {  # the rows a domain's figure needs, by unit column
    "capaciteit": (Person.id, Person.unit_id),
    "tevredenheid": (Feedback.id, Feedback.team_id),
    "dossiers": (Dossier.id, Dossier.team_id),
}


def present(session: Session, *, source: str, unit: Unit, memo: Memo) -> bool:
    """Whether the unit or a unit below it has any row of ``source`` (else: no figure)."""
    if (source, unit.id) not in memo.present:
        row_id, unit_id = SOURCES[source]
        found = session.scalar(
            select(row_id)
            .join(Unit, Unit.id == unit_id)
            .where(Unit.path.startswith(unit.path, autoescape=True))
            .limit(1)
        )
        memo.present[(source, unit.id)] = found is not None
    return memo.present[(source, unit.id)]


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 January, next 1 January) of ``year`` in Dutch local time."""
    return datetime(year, 1, 1, tzinfo=LOCAL), datetime(year + 1, 1, 1, tzinfo=LOCAL)


def bounds(period: Period, today: date) -> tuple[datetime, datetime]:
    """[start, end) of the period in Dutch local time, up to the end of ``today``."""
    until = min(period.end, today + timedelta(days=1))
    return datetime.combine(period.start, time(), LOCAL), datetime.combine(until, time(), LOCAL)


def span(period: Period, today: date) -> str:
    """The period of a source text, stored in Dutch: 01-01-2024 t/m 31-03-2024."""
    with using(DEFAULT_LOCALE):
        return (
            f"{date_text(period.start, 'short')} t/m {date_text(period.last_day(today), 'short')}"
        )


def figure(value: float) -> str:
    """A number in a stored (Dutch) source text: 1.452, 452,5 or 452,25 days, 1.234 answers."""
    decimals = 0 if float(value).is_integer() else (1 if round(value, 1) == value else 2)
    with using(DEFAULT_LOCALE):
        return number(value, decimals)


def response_share(
    session: Session,
    *,
    computation: str,
    unit: Unit,
    period: Period,
    today: date,
    memo: Memo | None = None,
) -> Found | None:
    """Percentage of the prio's incidents with a unit on scene within the norm (None: none).
    ``memo`` keeps the KPI reports of one run, so siblings share one query."""
    memo = Memo() if memo is None else memo
    if unit.id not in memo.roots:
        memo.roots[unit.id] = eenheid_of(session, unit=unit)
    root = memo.roots[unit.id]
    group = GROUP.get(unit.kind if root is None or root.id != unit.id else "eenheid")
    if root is None or group is None:
        return None
    key = (root.slug, period.label, group)
    if key not in memo.reports:
        since, until = bounds(period, today)
        memo.reports[key] = kpis(
            session,
            eenheid=root.slug,
            since=since,
            until=until,
            group=group,  # type: ignore[arg-type]
        )
    wanted = str(PRIORITY[computation]) if group == "priority" else unit.slug
    for row in memo.reports[key].rows:
        if row.key == wanted and row.priority == PRIORITY[computation]:
            if row.share_within_norm is None:
                return None
            source = f"berekend door korps uit de meldkamer-KPI (incidenten {span(period, today)})"
            return round(row.share_within_norm * 100, 2), source
    return None


def occupancy(
    session: Session, *, computation: str, unit: Unit, period: Period, today: date
) -> Found | None:
    """Wijkagent occupancy or that of the whole formation, in % (the current figure: only
    for a period that runs today)."""
    if not period.start <= today < period.end:
        return None
    if computation == "bezetting-wijkagenten":
        target = wijkagent_target(session, slug=unit.slug)
        found = (target.period, target.percentage)
    else:
        report = formation_gap(session, slug=unit.slug, category="formatie", depth=0)
        figures = report.own if report.own.percentage is not None else report.subtree
        found = (report.period, None if figures is None else figures.percentage)
    on_file, value = found
    if not on_file or value is None:
        return None
    return value, f"berekend door korps uit formatie en bezetting (periode {on_file})"


def sick_leave(session: Session, *, unit: Unit, period: Period, today: date) -> Found | None:
    report = sick_leave_of(
        session,
        principal=READER,
        slug=unit.slug,
        starts=period.start,
        ends=period.last_day(today),
    )
    if report.days_available <= 0:
        return None
    source = (
        f"berekend door korps uit capaciteit (verzuim {figure(report.days_lost)} van "
        f"{figure(report.days_available)} beschikbare dagen, {span(period, today)})"
    )
    return report.percentage, source


def satisfied(session: Session, *, unit: Unit, period: Period, today: date) -> Found | None:
    since, until = bounds(period, today)
    result = satisfaction(session, since=since, until=until, unit_path=unit.path)
    if result.satisfied_share is None:
        return None
    source = (
        f"berekend door korps uit het portaal ({figure(result.answers)} antwoorden op de "
        f"tevredenheidsvraag, {span(period, today)})"
    )
    return round(result.satisfied_share * 100, 2), source


def lead_time(
    session: Session,
    *,
    computation: str,
    unit: Unit,
    period: Period,
    today: date,
    memo: Memo | None = None,
) -> Found | None:
    """Median or mean lead time; ``memo`` keeps the pair, so the second is no second query."""
    memo = Memo() if memo is None else memo
    if (unit.id, period.label) not in memo.lead:
        since, until = bounds(period, today)
        memo.lead[(unit.id, period.label)] = lead_times(
            session, since=since, until=until, unit_path=unit.path
        )
    found = memo.lead[(unit.id, period.label)]
    if found is None:
        return None
    value = found.median if computation == "doorlooptijd-mediaan" else found.mean
    source = (
        f"berekend door korps uit het portaal ({figure(found.dossiers)} dossiers afgehandeld, "
        f"{span(period, today)})"
    )
    return value, source


Computer = Callable[[Session, str, Unit, Period, date, Memo], Found | None]
COMPUTERS: dict[str, Computer] = {
    "aanrijdtijd-prio-1": lambda s, c, u, p, t, m: response_share(
        s, computation=c, unit=u, period=p, today=t, memo=m
    ),
    "bezetting-wijkagenten": lambda s, c, u, p, t, m: occupancy(
        s, computation=c, unit=u, period=p, today=t
    ),
    "ziekteverzuim": lambda s, c, u, p, t, m: (
        sick_leave(s, unit=u, period=p, today=t)
        if present(s, source="capaciteit", unit=u, memo=m)
        else None
    ),
    "tevredenheid-aangifte": lambda s, c, u, p, t, m: (
        satisfied(s, unit=u, period=p, today=t)
        if present(s, source="tevredenheid", unit=u, memo=m)
        else None
    ),
    "doorlooptijd-mediaan": lambda s, c, u, p, t, m: (
        lead_time(s, computation=c, unit=u, period=p, today=t, memo=m)
        if present(s, source="dossiers", unit=u, memo=m)
        else None
    ),
}
COMPUTERS["aanrijdtijd-prio-2"] = COMPUTERS["aanrijdtijd-prio-1"]
COMPUTERS["formatie-bezetting"] = COMPUTERS["bezetting-wijkagenten"]
COMPUTERS["doorlooptijd-gemiddeld"] = COMPUTERS["doorlooptijd-mediaan"]


def compute_value(
    session: Session,
    *,
    computation: str,
    unit: Unit,
    period: Period,
    today: date,
    memo: Memo | None = None,
) -> Found | None:
    """The value of ``computation`` for ``unit`` over ``period`` (up to ``today``), with its
    source; None when the source domain has no figure for it."""
    return COMPUTERS[computation](
        session, computation, unit, period, today, Memo() if memo is None else memo
    )
