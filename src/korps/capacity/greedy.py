"""A first roster by a greedy pass (pure), used as the CP-SAT solution hint.

Day by day, shift by shift: first the prio-1 drivers for the cars, then the HOvJ, then the
rest of the crews, each time among those who may legally work the shift (the same limits
as the model: one shift a day, rest, weekly hours, rest after a night series, nights per
period, series with a night) the one whose wishes it goes against least, then the one
furthest behind their contract hours; then people still behind their hours take the day's
least-staffed shift they may work and did not wish away. Never breaks a rule;
it may leave shifts short, which the solver then repairs if it can.
"""

from __future__ import annotations

from datetime import timedelta

from korps.capacity.problem import HOVJ, PRIO1, RosterProblem, Wish
from korps.capacity.rules import is_night, rest_needed


class _Person:
    def __init__(self, problem: RosterProblem, index: int, target_minutes: float) -> None:
        self.problem = problem
        self.index = index
        self.target = target_minutes
        self.days: dict[int, int] = {}  # day -> shift
        self.minutes = 0
        self.problem_wishes: dict[tuple[int, int], tuple[Wish, ...]] = {}

    def behind(self, day: int) -> float:
        return self.target * (day + 1) / self.problem.days - self.minutes

    def _night(self, day: int) -> bool:
        return day in self.days and self.problem.night(self.days[day])

    def may(self, day: int, shift: int, week_cap: float) -> bool:
        p = self.problem
        person = p.people[self.index]
        if day in person.absent or day in self.days or not p.works(day, shift):
            return False
        start, end = p.shifts[shift].bounds(p.day(day))
        night = is_night(start, end, p.rules)
        previous = [d for d in self.days if d < day]
        if previous:
            last = max(previous)
            s0, e0 = p.shifts[self.days[last]].bounds(p.day(last))
            needed, _ = rest_needed(s0, e0, p.rules)
            if (start - e0).total_seconds() / 3600 < needed:
                return False
            run = 0
            d = last
            while self._night(d):
                run += 1
                d -= 1
            series_ended = run >= p.rules.night_series_length and not (night and last == day - 1)
            gap = (start - e0).total_seconds() / 3600
            if series_ended and gap < p.rules.rest_after_night_series_hours:
                return False
        week = p.day(day).isocalendar()[:2]
        used = sum(
            p.shifts[s].minutes for d, s in self.days.items() if p.day(d).isocalendar()[:2] == week
        )
        if used + p.shifts[shift].minutes > week_cap:
            return False
        if night:
            window = p.rules.night_period_weeks * 7
            nights = sum(1 for d in self.days if d > day - window and self._night(d))
            if nights + 1 > p.rules.max_nights_per_period:
                return False
        run_days = [day]
        d = day - 1
        while d in self.days:
            run_days.append(d)
            d -= 1
        limit = p.rules.max_series_with_night
        return not (len(run_days) > limit and (night or any(self._night(x) for x in run_days[1:])))

    def against(self, day: int, shift: int) -> int:
        """How many of the person's wishes working ``shift`` on ``day`` goes against."""
        wishes = self.problem_wishes.get((self.index, day), ())
        return sum(1 for wish in wishes if wish.breaks(self.problem, shift))

    def take(self, day: int, shift: int) -> None:
        self.days[day] = shift
        self.minutes += self.problem.shifts[shift].minutes


def _pick(
    people: list[_Person],
    caps: list[float],
    on: list[_Person],
    day: int,
    shift: int,
    count: int,
    qualification: str | None,
) -> None:
    """Put ``count`` more people (with ``qualification``) on the shift, furthest behind first."""
    if count <= 0:
        return
    problem = people[0].problem
    when = problem.day(day)
    ready = [
        x
        for x in people
        if (qualification is None or problem.people[x.index].qualified(qualification, when))
        and x.may(day, shift, caps[x.index])
    ]
    ready.sort(key=lambda x: (x.against(day, shift), -x.behind(day), x.index))
    for x in ready[:count]:
        x.take(day, shift)
        on.append(x)


def first_roster(problem: RosterProblem, targets: list[float]) -> list[tuple[int, int, int]]:
    """(person, day, shift) assignments that break no rule; ``targets`` in minutes."""
    people = [_Person(problem, i, t) for i, t in enumerate(targets)]
    wishes: dict[tuple[int, int], list[Wish]] = {}
    for wish in problem.all_wishes():
        wishes.setdefault((wish.person, wish.day), []).append(wish)
    frozen = {key: tuple(found) for key, found in wishes.items()}
    for x in people:
        x.problem_wishes = frozen
    caps = [
        min(problem.rules.max_week_hours, p.contract_hours + problem.weekly_tolerance_hours) * 60
        for p in problem.people
    ]
    order = sorted(range(len(problem.shifts)), key=lambda s: not problem.night(s))
    for day in range(problem.days):
        when = problem.start + timedelta(days=day)
        staffed = dict.fromkeys(range(len(problem.shifts)), 0)
        for shift in order:
            cars = problem.cars[day][shift]
            if cars <= 0:
                continue
            on: list[_Person] = []
            drivers = sum(1 for x in on if problem.people[x.index].qualified(PRIO1, when))
            _pick(people, caps, on, day, shift, cars - drivers, PRIO1)
            hovj = sum(1 for x in on if problem.people[x.index].qualified(HOVJ, when))
            _pick(people, caps, on, day, shift, problem.hovj_per_shift - hovj, HOVJ)
            _pick(people, caps, on, day, shift, cars * problem.crew_size - len(on), None)
            staffed[shift] = len(on) - cars * problem.crew_size
        for x in sorted(people, key=lambda x: (-x.behind(day), x.index)):
            if x.behind(day) < min(s.minutes for s in problem.shifts) / 2:
                continue
            options = [s for s in order if x.may(day, s, caps[x.index]) and not x.against(day, s)]
            if options:
                best = min(options, key=lambda s: (problem.night(s), staffed[s], s))
                x.take(day, best)
                staffed[best] += 1
    return sorted((x.index, d, s) for x in people for d, s in x.days.items())
