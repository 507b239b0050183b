"""Sick leave the standard way: calendar days lost / calendar days available, weighted by
the part-time factor, counted only while employed and inside the period."""

from __future__ import annotations

from datetime import date

import pytest

from korps.capacity.sickleave import Employment, percentage, sick_leave

JAN_1, JAN_31 = date(2026, 1, 1), date(2026, 1, 31)


def test_one_full_timer_ill_for_a_week_of_a_31_day_month() -> None:
    ill = Employment(36, date(2020, 1, 1), None, ((date(2026, 1, 5), date(2026, 1, 11)),))
    well = Employment(36, date(2020, 1, 1), None)
    available, lost = sick_leave([ill, well], JAN_1, JAN_31)
    assert (available, lost) == (62.0, 7.0)
    assert percentage(available, lost) == pytest.approx(100 * 7 / 62)


def test_part_timers_weigh_by_their_factor_and_only_while_employed() -> None:
    half = Employment(18, date(2020, 1, 1), None, ((date(2025, 12, 20), date(2026, 1, 10)),))
    joined = Employment(36, date(2026, 1, 22), None)  # 10 days in January
    available, lost = sick_leave([half, joined], JAN_1, JAN_31)
    assert available == pytest.approx(0.5 * 31 + 10)
    assert lost == pytest.approx(0.5 * 10)  # 1-10 January only


def test_overlapping_sick_periods_count_a_day_once_and_no_one_means_zero() -> None:
    twice = ((date(2026, 1, 1), date(2026, 1, 10)), (date(2026, 1, 5), date(2026, 1, 12)))
    available, lost = sick_leave([Employment(36, date(2020, 1, 1), None, twice)], JAN_1, JAN_31)
    assert lost == 12.0 and available == 31.0
    assert percentage(*sick_leave([], JAN_1, JAN_31)) == 0.0
    with pytest.raises(ValueError, match="eindigt voordat"):
        sick_leave([], JAN_31, JAN_1)
