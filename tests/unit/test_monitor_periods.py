"""Periods of the monitor (pure): labels and bounds, the Dutch refusals, pro rata against a
yearly target, which measurements a year or a quarter view uses, and the status of a series
of quarters (docs/monitor.md, "Periods")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from korps.monitor.periods import (
    Period,
    comparable,
    in_view,
    parse,
    parse_view,
    target_for,
    within,
)
from korps.monitor.status import Goal, Sample, assess_samples


@dataclass(frozen=True)
class M:
    period: Period
    value: float = 0.0


def test_labels_bounds_and_parsing() -> None:
    quarter = parse("2025-K2")
    assert (quarter.start, quarter.end, quarter.label) == (
        date(2025, 4, 1),
        date(2025, 7, 1),
        "2025-K2",
    )
    december = parse("2025-12")
    assert (december.end, december.label, december.fraction) == (
        date(2026, 1, 1),
        "2025-12",
        1 / 12,
    )
    assert parse("2024") == Period(2024) and parse("2024-q4") == Period(2024, 10, 3)
    assert within(2025, "") == within(2025, "jaar") == Period(2025)
    assert within(2025, "K3") == Period(2025, 7, 3) and within(2025, "M03") == Period(2025, 3, 1)
    assert parse_view("") is None and parse_view("2025-K1") == Period(2025, 1, 3)
    assert Period(2025).covers(Period(2025, 4, 3)) and not Period(2025, 4, 3).covers(Period(2025))
    assert quarter.last_day(date(2025, 5, 10)) == date(2025, 5, 10)


@pytest.mark.parametrize(
    "text,reason",
    [
        ("2025-K5", "onbekende periode"),
        ("2025-13", "maand 13 bestaat niet"),
        ("1999", "ligt niet tussen 2000 en 2100"),
        ("vorig jaar", "onbekende periode"),
    ],
)
def test_bad_periods_are_refused_in_dutch(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse(text)


def test_a_month_is_no_view_and_a_bad_part_is_refused() -> None:
    with pytest.raises(ValueError, match="kies een jaar of een kwartaal"):
        parse_view("2025-03")
    with pytest.raises(ValueError, match="onbekende periode"):
        within(2025, "Q5")


def test_counts_and_sums_pro_rata_shares_as_they_are() -> None:
    quarter = Period(2025, 1, 3)
    assert comparable(25.0, quarter, "aantal") == 100.0
    assert comparable(6.0, Period(2025, 2, 1), "som") == 72.0
    assert comparable(82.5, quarter, "aandeel") == 82.5
    assert comparable(4.0, quarter, "mediaan") == 4.0
    assert (
        target_for(100.0, quarter, "aantal") == 25.0
        and target_for(82.0, quarter, "aandeel") == 82.0
    )


def test_views_use_earlier_years_and_the_views_own_periods() -> None:
    rows = [
        M(Period(2024)),
        M(Period(2024, 1, 3)),  # covered by 2024: left out
        M(Period(2025, 1, 3)),
        M(Period(2025, 4, 3)),
        M(Period(2025, 5, 1)),  # covered by 2025-K2: left out
        M(Period(2025, 10, 3)),  # not begun on the clock
        M(Period(2025)),
    ]
    today = date(2025, 8, 15)
    year_view = [m.period.label for m in in_view(rows, view=Period(2025), today=today)]
    assert year_view == ["2024", "2025"]  # the year's own figure stands for its quarters
    quarter_view = [m.period.label for m in in_view(rows, view=Period(2025, 4, 3), today=today)]
    assert quarter_view == ["2024", "2025-K1", "2025-K2"]
    past = [m.period.label for m in in_view(rows, view=Period(2024), today=today)]
    assert past == ["2024"]


def test_status_of_quarters_against_a_yearly_target() -> None:
    """A count of 100 a year: quarters of 20 and 24 extrapolate to 80 and 96 a year; the
    second quarter misses, but the rise of 64 a year (16 a quarter) reaches 100 in time."""
    goals = {2025: Goal("streefwaarde", 100.0), 2026: Goal("streefwaarde", 100.0)}
    clock = date(2025, 6, 30)
    samples = [
        Sample(p.year, p.moment(clock), comparable(v, p, "aantal"))
        for p, v in ((Period(2025, 1, 3), 20.0), (Period(2025, 4, 3), 24.0))
    ]
    result = assess_samples(samples=samples, goals=goals, direction="hoger")
    assert (result.status, result.trend, result.value) == ("op-koers", "verbetert", 96.0)
    assert result.ratio is not None and result.ratio > 1
    falling = [Sample(s.year, s.at, v) for s, v in zip(samples, (96.0, 80.0), strict=True)]
    worse = assess_samples(samples=falling, goals=goals, direction="hoger")
    assert (worse.status, worse.trend) == ("uit-koers", "verslechtert")
