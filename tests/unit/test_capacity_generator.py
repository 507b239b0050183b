"""The CP-SAT roster generator on small cases (2 workers, short time limits): coverage,
qualifications and absences hold, the independent rule checker finds nothing, and a
roster that cannot be made is explained by shift and rule."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from korps.capacity.generator import RosterError, SolveOptions, solve
from korps.capacity.problem import (
    HOVJ,
    PRIO1,
    Person,
    Qualification,
    RosterProblem,
    ShiftTemplate,
    shortfall_text,
)
from korps.capacity.rules import check
from korps.capacity.synthetic import THREE_SHIFTS, basisteam

MONDAY = date(2027, 1, 4)
FAST = SolveOptions(time_limit=8, workers=2)


def team(
    count: int, drivers: int, hovj: int, absent: dict[int, set[int]] | None = None
) -> tuple[Person, ...]:
    out = []
    for n in range(count):
        quals = []
        if n < drivers:
            quals.append(Qualification(PRIO1))
        if n >= count - hovj:
            quals.append(Qualification(HOVJ))
        days = frozenset((absent or {}).get(n, set()))
        out.append(Person(f"P{n:02d}", 36.0, tuple(quals), days))
    return tuple(out)


def problem(people: tuple[Person, ...], cars: tuple[int, ...], days: int = 7) -> RosterProblem:
    return RosterProblem(MONDAY, days, THREE_SHIFTS, people, tuple(cars for _ in range(days)))


def test_a_feasible_week_is_covered_and_passes_the_rule_checker() -> None:
    spec = problem(team(16, drivers=8, hovj=5, absent={0: {2, 3}, 5: {0}}), (1, 1, 1))
    seen: list[tuple[float, float, float]] = []
    result = solve(spec, FAST, progress=lambda s, o, b: seen.append((s, o, b)))
    assert result.shortfalls == []
    assert seen, "progress is reported while solving"
    assert 0.0 <= result.gap <= 1.0 and result.bound <= result.objective + 1e-6
    assert check(result.worked(spec), spec.rules) == []
    for day in range(spec.days):
        for shift in range(3):
            on = [spec.people[i] for i, d, s in result.assignments if (d, s) == (day, shift)]
            assert len(on) >= 2
            assert any(p.qualified(PRIO1, spec.day(day)) for p in on)
            assert any(p.qualified(HOVJ, spec.day(day)) for p in on)
    for i, day, _s in result.assignments:
        assert day not in spec.people[i].absent
    # hours near the contract: nobody more than one shift away from 36 h
    for person in spec.people:
        assert abs(result.hours[person.key] - result.targets[person.key]) <= 8


def test_too_few_prio1_drivers_names_the_shifts_and_the_rule() -> None:
    # two cars a shift, but only three drivers in the team: at most one shift a day each
    spec = problem(team(30, drivers=3, hovj=8), (2, 2, 2), days=3)
    result = solve(spec, FAST)
    short = [s for s in result.shortfalls if s.what == PRIO1]
    assert short, "the missing drivers are reported"
    texts = [shortfall_text(spec, s) for s in short]
    assert all("prio-1-chauffeur" in t and "per auto" in t for t in texts)
    # three drivers over nine car-shifts of two cars: at least 6 - 3 = 3 per day missing
    per_day = {d: sum(s.missing for s in short if s.day == d) for d in range(3)}
    assert all(missing >= 3 for missing in per_day.values())
    assert texts[0].startswith("ma 04-01-2027")
    assert check(result.worked(spec), spec.rules) == []


def test_absences_leave_a_shift_short_and_say_so() -> None:
    everyone_away_on_day_1 = {n: {1} for n in range(10)}
    spec = problem(team(10, drivers=5, hovj=3, absent=everyone_away_on_day_1), (1, 0, 0), days=3)
    result = solve(spec, FAST)
    day_one = [s for s in result.shortfalls if s.day == 1]
    assert {s.what for s in day_one} == {"mensen", PRIO1, HOVJ}
    assert all("afwezig" in s.reason or "beschikbaar" in s.reason for s in day_one)


def test_working_time_rules_leave_shifts_short_when_people_cannot_rest() -> None:
    # two people for three shifts a day: rest rules make the late and night impossible
    spec = problem(team(2, drivers=2, hovj=2), (1, 1, 1), days=2)
    result = solve(spec, FAST)
    assert result.shortfalls
    assert any("Arbeidstijdenwet" in s.rule for s in result.shortfalls)
    assert check(result.worked(spec), spec.rules) == []


def test_a_shift_template_that_breaks_the_law_is_refused() -> None:
    long_night = (ShiftTemplate("lange nacht", 20 * 60, 11 * 60),)
    spec = RosterProblem(MONDAY, 1, long_night, team(4, 4, 4), ((1,),))
    with pytest.raises(RosterError, match="nachtdienst"):
        solve(spec, FAST)


def test_a_synthetic_team_of_24_for_two_weeks_passes_the_checker() -> None:
    spec = basisteam(people_count=24, weeks=2, rng=np.random.default_rng(7))
    result = solve(spec, SolveOptions(time_limit=25, workers=2))
    assert check(result.worked(spec), spec.rules) == []
    nights = {p.key: 0 for p in spec.people}
    for i, _d, s in result.assignments:
        if spec.night(s):
            nights[spec.people[i].key] += 1
    required = sum(row[2] * 2 for row in spec.cars)
    assert sum(nights.values()) >= required - sum(
        s.missing for s in result.shortfalls if s.what == "mensen" and s.shift == 2
    )


def test_the_greedy_hint_breaks_no_rule_and_covers_an_ample_team() -> None:
    from korps.capacity.greedy import first_roster
    from korps.capacity.problem import RosterResult

    spec = basisteam(people_count=40, weeks=2, rng=np.random.default_rng(3))
    targets = [p.contract_hours * 60 * 2 for p in spec.people]
    assignments = first_roster(spec, targets)
    worked = RosterResult("HINT", assignments, 0, 0, 0, 0, [], {}, {}).worked(spec)
    assert check(worked, spec.rules) == []
    for day in range(spec.days):
        for shift in range(3):
            on = [i for i, d, s in assignments if (d, s) == (day, shift)]
            assert len(on) >= spec.cars[day][shift] * spec.crew_size
    for i, day, _s in assignments:
        assert day not in spec.people[i].absent
