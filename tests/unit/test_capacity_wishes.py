"""Shift templates with days of the week and a night flag, and wishes as soft constraints:
honoured when the team has room, reported with the reason when the roster needs the person."""

from __future__ import annotations

from datetime import date

from korps.capacity.explain import template_problem
from korps.capacity.generator import SolveOptions, solve
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
    wish_text,
)
from korps.capacity.rules import WorkingTimeRules, check
from korps.capacity.synthetic import THREE_SHIFTS

MONDAY = date(2027, 1, 4)
FAST = SolveOptions(time_limit=8, workers=2)


def crew(count: int) -> tuple[Person, ...]:
    quals = (Qualification(PRIO1), Qualification(HOVJ))
    return tuple(Person(f"W{n:02d}", 36.0, quals) for n in range(count))


def test_a_template_is_worked_only_on_its_days() -> None:
    weekend_late = ShiftTemplate("weekendlaat", 18 * 60, 8 * 60, weekdays=(5, 6))
    shifts = (*THREE_SHIFTS, weekend_late)
    cars = tuple((1, 1, 1, 1 if (MONDAY.weekday() + d) % 7 >= 5 else 0) for d in range(7))
    spec = RosterProblem(MONDAY, 7, shifts, crew(16), cars)
    result = solve(spec, FAST)
    assert result.shortfalls == []
    days = {d for _i, d, s in result.assignments if s == 3}
    assert days and all(spec.day(d).weekday() >= 5 for d in days)
    assert sum(1 for _i, d, s in result.assignments if s == 3 and d == 5) >= 2
    assert check(result.worked(spec), spec.rules) == []


def test_a_marked_night_longer_than_ten_hours_is_refused_naming_the_rule() -> None:
    rules = WorkingTimeRules()
    marked = ShiftTemplate("avondnacht", 14 * 60, 11 * 60, night=True)
    refused = template_problem(marked, rules)
    assert refused is not None and "nachtdienstduur" in refused and "10 uur" in refused
    assert template_problem(ShiftTemplate("avond", 14 * 60, 11 * 60), rules) is None
    assert template_problem(ShiftTemplate("nacht", 23 * 60, 10 * 60, night=True), rules) is None


def test_wishes_are_honoured_when_the_team_has_room() -> None:
    people = crew(16)
    wishes = (
        Wish(0, 2, WISH_OFF),
        *(Wish(1, d, WISH_NO_NIGHT) for d in range(7)),
        *(Wish(2, d, WISH_SHIFT, 0) for d in range(5)),
    )
    cars = tuple((1, 1, 1) for _ in range(7))
    spec = RosterProblem(MONDAY, 7, THREE_SHIFTS, people, cars, wishes=wishes)
    result = solve(spec, FAST)
    assert result.unmet == []
    worked = {(i, d): s for i, d, s in result.assignments}
    assert (0, 2) not in worked
    assert all(not spec.night(worked[1, d]) for d in range(7) if (1, d) in worked)
    assert all(worked[2, d] == 0 for d in range(5) if (2, d) in worked)
    assert any((2, d) in worked for d in range(5)), "the person still works their hours"


def test_a_wish_the_crew_cannot_spare_is_reported_with_the_reason() -> None:
    # one car on the early shift, two people: both are needed, the wish cannot be met
    early = (THREE_SHIFTS[0],)
    spec = RosterProblem(MONDAY, 1, early, crew(2), ((1,),), wishes=(Wish(0, 0, WISH_OFF),))
    result = solve(spec, FAST)
    assert len(result.unmet) == 1
    text = wish_text(spec, result.unmet[0])
    assert text.startswith("W00 ma 04-01-2027: wens vrij, ingeroosterd vroeg")
    assert "nodig voor de bezetting" in text and "2 mensen per noodhulpauto" in text


def test_the_greedy_hint_keeps_wishes_when_others_can_work() -> None:
    from korps.capacity.greedy import first_roster

    wishes = tuple(Wish(i, d, WISH_OFF) for i in range(4) for d in range(3))
    cars = tuple((1, 1, 1) for _ in range(7))
    spec = RosterProblem(MONDAY, 7, THREE_SHIFTS, crew(16), cars, wishes=wishes)
    assignments = first_roster(spec, [36 * 60.0] * 16)
    assert not [(i, d) for i, d, _s in assignments if i < 4 and d < 3]
    assert any(i < 4 for i, _d, _s in assignments), "they still work on other days"
