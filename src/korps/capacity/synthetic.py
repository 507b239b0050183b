"""Synthetic teams for tests, benchmarks and the demo (randomness from a numpy Generator).

Shares are assumptions, not seed figures: about half the noodhulp officers drive prio 1
(assumption: most teams aim for one driver per car and a reserve), one in seven is a HOvJ,
contracts of 36, 32 or 24 hours, and a few days of leave per person per four weeks.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np

from korps.capacity.problem import (
    HOVJ,
    PRIO1,
    WISH_NO_NIGHT,
    WISH_OFF,
    WISH_SHIFT,
    Person,
    Qualification,
    RosterProblem,
    ShiftTemplate,
    Wish,
)

THREE_SHIFTS = (
    ShiftTemplate("vroeg", 7 * 60, 8 * 60),
    ShiftTemplate("laat", 15 * 60, 8 * 60),
    ShiftTemplate("nacht", 23 * 60, 8 * 60),
)


def people(
    count: int, *, days: int, rng: np.random.Generator, prefix: str = "P", leave_days: int = 2
) -> tuple[Person, ...]:
    out = []
    for n in range(count):
        quals = []
        if rng.random() < 0.5:
            quals.append(Qualification(PRIO1))
        if rng.random() < 0.15:
            quals.append(Qualification(HOVJ))
        contract = float(rng.choice([36.0, 36.0, 36.0, 32.0, 24.0]))
        absent = frozenset(
            int(d) for d in rng.choice(days, size=min(leave_days, days), replace=False)
        )
        out.append(Person(f"{prefix}{n + 1:04d}", contract, tuple(quals), absent))
    return tuple(out)


def weekly_cars(
    days: int, start: date, per_shift: tuple[int, ...], weekend_extra: tuple[int, ...]
) -> tuple[tuple[int, ...], ...]:
    rows = []
    for d in range(days):
        weekend = (start + timedelta(days=d)).weekday() >= 5
        rows.append(
            tuple(c + (e if weekend else 0) for c, e in zip(per_shift, weekend_extra, strict=True))
        )
    return tuple(rows)


def basisteam(
    *,
    people_count: int = 80,
    weeks: int = 4,
    rng: np.random.Generator,
    start: date = date(2027, 1, 4),
) -> RosterProblem:
    """A basisteam: noodhulp cars per shift in proportion to its size (5/6/4 for 80)."""
    days = weeks * 7
    scale = people_count / 80
    per_shift = tuple(max(1, round(c * scale)) for c in (5, 6, 4))
    extra = tuple(round(c * scale) for c in (0, 1, 1))
    return RosterProblem(
        start=start,
        days=days,
        shifts=THREE_SHIFTS,
        people=people(people_count, days=days, rng=rng),
        cars=weekly_cars(days, start, per_shift, extra),
    )


def with_wishes(problem: RosterProblem, *, rng: np.random.Generator) -> RosterProblem:
    """The problem with wishes (assumption: per person per four weeks two days asked off,
    and one in ten asks for no nights for the whole period, one in ten for early shifts)."""
    wishes: list[Wish] = []
    for i in range(len(problem.people)):
        for day in rng.choice(problem.days, size=min(2, problem.days), replace=False):
            wishes.append(Wish(i, int(day), WISH_OFF))
        draw = rng.random()
        if draw < 0.1:
            wishes.extend(Wish(i, d, WISH_NO_NIGHT) for d in range(problem.days))
        elif draw < 0.2:
            wishes.extend(Wish(i, d, WISH_SHIFT, 0) for d in range(problem.days))
    return replace(problem, wishes=tuple(wishes))
