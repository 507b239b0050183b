"""Deadlines in working days: Monday to Friday, without Dutch public holidays (the
``holidays`` package: nieuwjaarsdag, Goede Vrijdag, Pasen, Koningsdag, Bevrijdingsdag in
lustrum years, Hemelvaart, Pinksteren, Kerstmis)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("NL", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself does not count)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def overdue(deadline: date, today: date, *, open_: bool) -> bool:
    """An open dossier is overdue the day after its deadline."""
    return open_ and today > deadline
