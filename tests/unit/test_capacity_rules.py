"""Every working-time rule on hand-made rosters: a clean roster passes, each violation is
found with its rule named, and the limit itself is allowed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from korps.capacity.rules import (
    RULES,
    Worked,
    WorkingTimeRules,
    check,
    is_night,
)

MONDAY = datetime(2026, 11, 2)  # a Monday


def at(day: int, hour: float) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour)


def shift(day: int, start: float, hours: float, person: str = "P1") -> Worked:
    return Worked(person, at(day, start), at(day, start + hours))


def early(day: int) -> Worked:
    return shift(day, 7, 8)


def late(day: int) -> Worked:
    return shift(day, 15, 8)


def night(day: int) -> Worked:
    return shift(day, 23, 8)


def rules_of(shifts: list[Worked]) -> list[str]:
    return [v.rule for v in check(shifts)]


def test_a_normal_week_has_no_violation() -> None:
    week = [early(0), early(1), late(3), late(4)]
    assert check(week) == []


def test_shift_longer_than_12_hours() -> None:
    assert rules_of([shift(0, 7, 12)]) == []
    assert rules_of([shift(0, 7, 12.5)]) == ["dienstduur"]


def test_night_shift_longer_than_10_hours() -> None:
    assert rules_of([shift(0, 21, 10)]) == []
    found = check([shift(0, 20, 10.5)])
    assert [v.rule for v in found] == ["nachtdienstduur"]
    assert "10,5 uur" in found[0].detail  # a Dutch decimal comma


def test_more_than_60_hours_in_a_week() -> None:
    five_of_12 = [shift(d, 7, 12) for d in range(5)]
    assert rules_of(five_of_12) == []
    found = check([*five_of_12, shift(5, 7, 1)])
    assert [v.rule for v in found] == ["weekuren"]
    assert "61 uur" in found[0].detail
    # the same hours spread over two ISO weeks are fine
    assert rules_of([shift(d, 7, 12) for d in range(3, 9)]) == []


def test_rest_between_shifts_at_least_11_hours() -> None:
    assert rules_of([shift(0, 7, 9), shift(1, 3, 8)]) == []  # 16 -> 03: exactly 11 h
    found = check([late(0), early(1)])  # 23:00 -> 07:00: 8 h
    assert [v.rule for v in found] == ["rust"]
    assert found[0].at == at(1, 7)


def test_rest_after_night_ending_after_two_is_14_hours() -> None:
    # a night 23-07 ends after 02:00: 14 h rest needed, 11 is not enough
    found = check([night(0), shift(1, 18, 8)])
    assert [v.rule for v in found] == ["rust_na_nacht"]
    assert rules_of([night(0), shift(1, 21, 8)]) == []  # 07:00 -> 21:00: 14 h
    # a night ending at 02:00 needs only the ordinary 11 hours
    assert rules_of([shift(0, 18, 8), shift(1, 13, 8)]) == []
    assert rules_of([shift(0, 18, 8), shift(1, 12, 8)]) == ["rust"]


def test_night_definition_more_than_one_hour_between_0_and_6() -> None:
    limits = WorkingTimeRules()
    assert is_night(at(0, 23), at(1, 7), limits)
    assert not is_night(at(0, 17), at(1, 1), limits)  # exactly one hour: not a night
    assert is_night(at(0, 17), at(1, 1.5), limits)
    assert not is_night(at(0, 7), at(0, 15), limits)


def test_46_hours_rest_after_a_series_of_three_nights() -> None:
    three = [night(0), night(1), night(2)]  # last ends day 3 07:00
    assert rules_of([*three, early(5)]) == []  # day 5 07:00: 48 h later
    found = check([*three, late(4)])  # day 4 15:00: 32 h later
    assert [v.rule for v in found] == ["rust_na_nachtreeks"]
    assert "3 nachten" in found[0].detail
    # two nights are no series: 32 h rest is enough
    assert rules_of([night(0), night(1), late(3)]) == []


def test_at_most_36_nights_in_16_weeks() -> None:
    pattern = [night(week * 7 + d) for week in range(16) for d in (0, 1, 2)]  # 48 nights
    rules = WorkingTimeRules(max_series_with_night=99)
    found = [v.rule for v in check(pattern[:36], rules)]
    assert "nachten_per_periode" not in found
    found = [v.rule for v in check(pattern[:37], rules)]
    assert "nachten_per_periode" in found


def test_at_most_seven_consecutive_shifts_when_one_is_a_night() -> None:
    days = [early(d) for d in range(8)]
    assert rules_of(days) == []  # eight day shifts: no night, this rule does not apply
    with_night = [early(d) for d in range(6)] + [shift(6, 21, 8)]
    assert rules_of(with_night) == []  # seven in a row with a night: allowed
    found = check([*with_night, shift(7, 21, 8)])
    assert "reeks_met_nacht" in [v.rule for v in found]


def test_each_violation_names_its_rule_in_dutch() -> None:
    limits = WorkingTimeRules()
    found = check([late(0), early(1)])
    assert "minstens 11 uur rust" in found[0].message(limits)
    assert set(RULES) == {
        "dienstduur",
        "weekuren",
        "nachtdienstduur",
        "rust",
        "rust_na_nacht",
        "rust_na_nachtreeks",
        "nachten_per_periode",
        "reeks_met_nacht",
    }


def test_people_are_checked_apart() -> None:
    a = shift(0, 15, 8, person="A")
    b = shift(1, 7, 8, person="B")
    assert check([a, b]) == []


def test_rules_from_data() -> None:
    stricter = WorkingTimeRules.from_mapping({"max_shift_hours": 9})
    assert [v.rule for v in check([shift(0, 7, 10)], stricter)] == ["dienstduur"]
    with pytest.raises(ValueError, match="onbekende"):
        WorkingTimeRules.from_mapping({"max_uren": 9})
    with pytest.raises(ValueError, match="getal"):
        WorkingTimeRules.from_mapping({"max_shift_hours": "veel"})


def test_a_shift_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="na zijn begin"):
        check([Worked("P1", at(0, 8), at(0, 7))])
