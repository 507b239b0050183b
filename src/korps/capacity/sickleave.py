"""Sick-leave percentage the standard way (pure): calendar days lost to sickness divided by
calendar days available, both weighted by each person's part-time factor, over the days
the person was employed in the period (the Verzuimregistratie/CBS method)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from korps.common.i18n import _

FULL_TIME_HOURS = 36.0  # the police's full-time week (CAO Politie)


@dataclass(frozen=True)
class Employment:
    contract_hours: float
    start: date
    end: date | None
    sick: tuple[tuple[date, date], ...] = ()  # periods, both days included


def _overlap(a: date, b: date, c: date, d: date) -> int:
    return max(0, (min(b, d) - max(a, c)).days + 1)


def sick_leave(people: Iterable[Employment], starts: date, ends: date) -> tuple[float, float]:
    """(days available, days lost), both in full-time-equivalent calendar days."""
    if ends < starts:
        raise ValueError(_("de periode eindigt voordat ze begint"))
    available = lost = 0.0
    for person in people:
        factor = person.contract_hours / FULL_TIME_HOURS
        end = person.end or ends
        days = _overlap(person.start, end, starts, ends)
        if days == 0:
            continue
        available += factor * days
        sick_days: set[date] = set()
        for first, last in person.sick:
            lo, hi = max(first, starts, person.start), min(last, ends, end)
            sick_days.update(date.fromordinal(n) for n in range(lo.toordinal(), hi.toordinal() + 1))
        lost += factor * len(sick_days)
    return available, lost


def percentage(available: float, lost: float) -> float:
    return 100.0 * lost / available if available > 0 else 0.0
