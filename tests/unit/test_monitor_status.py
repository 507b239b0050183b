"""The monitor's status method on constructed series with a fixed clock (docs/monitor.md)."""

from __future__ import annotations

from datetime import date

from korps.common.i18n import using
from korps.monitor.status import Goal, assess

TODAY = date(2025, 12, 31)  # the fixed clock: the 2025 measurements are the latest
RISING = {
    2023: Goal("streefwaarde", 100.0),
    2024: Goal("streefwaarde", 110.0),
    2025: Goal("streefwaarde", 120.0),
    2026: Goal("streefwaarde", 130.0),
}
NORM_82 = {y: Goal("streefwaarde", 82.0) for y in range(2023, 2027)}


def test_on_track_when_the_trend_reaches_the_target_in_time() -> None:
    # 2025's target (120) is missed, but 90 -> 112 in two years is 11/year; 130 by the end
    # of 2026 needs (130-90)/(2027-2024) = 13.3/year: R = 0.83 -> needs attention
    slipping = assess(
        series=[(2023, 90), (2025, 112)], goals=RISING, direction="hoger", today=TODAY
    )
    assert slipping.status == "aandacht"
    assert slipping.ratio is not None and 0.8 < slipping.ratio < 0.85
    # 90 -> 118: 14/year >= 13.3/year: R = 1.05, on track although 2025's 120 is missed
    on_track = assess(
        series=[(2023, 90), (2025, 118)], goals=RISING, direction="hoger", today=TODAY
    )
    assert on_track.status == "op-koers" and on_track.ratio is not None and on_track.ratio >= 0.95


def test_target_of_the_year_met_is_on_track() -> None:
    result = assess(
        series=[(2024, 80.0), (2025, 83.5)], goals=NORM_82, direction="hoger", today=TODAY
    )
    assert (result.status, result.trend, result.target) == ("op-koers", "verbetert", 82.0)


def test_deteriorating_is_off_track() -> None:
    result = assess(
        series=[(2023, 80.0), (2024, 79.0), (2025, 76.0)],
        goals=NORM_82,
        direction="hoger",
        today=TODAY,
    )
    assert result.status == "uit-koers"
    assert result.ratio is not None and result.ratio < 0
    assert result.trend == "verslechtert"


def test_lower_is_better_turns_the_ratio_around() -> None:
    sick = {y: Goal("streefwaarde", 5.9) for y in range(2023, 2027)}
    falling = assess(series=[(2023, 7.0), (2025, 6.0)], goals=sick, direction="lager", today=TODAY)
    assert falling.status == "op-koers"  # -0.5/yr against the -0.37/yr needed
    rising = assess(series=[(2023, 6.5), (2025, 6.8)], goals=sick, direction="lager", today=TODAY)
    assert rising.status == "uit-koers"


def test_the_clock_ignores_later_measurements() -> None:
    series = [(2023, 80.0), (2024, 79.0), (2026, 90.0)]
    assert (
        assess(series=series, goals=NORM_82, direction="hoger", today=TODAY).status == "uit-koers"
    )
    later = assess(series=series, goals=NORM_82, direction="hoger", today=date(2026, 12, 31))
    assert later.status == "op-koers" and later.year == 2026


def test_one_measurement_compares_with_its_year() -> None:
    missed = assess(series=[(2025, 70.0)], goals=NORM_82, direction="hoger", today=TODAY)
    assert (missed.status, missed.ratio) == ("aandacht", None)


def test_improvement_on_the_previous_measurement() -> None:
    goals = {y: Goal("verbetering") for y in range(2023, 2027)}
    assert (
        assess(series=[(2024, 6.8)], goals=goals, direction="hoger", today=TODAY).status
        == "geen-oordeel"
    )
    up = assess(
        series=[(2023, 6.9), (2024, 6.8), (2025, 7.1)], goals=goals, direction="hoger", today=TODAY
    )
    assert up.status == "op-koers"
    down = assess(series=[(2024, 6.8), (2025, 6.7)], goals=goals, direction="hoger", today=TODAY)
    assert down.status == "uit-koers"
    same = assess(series=[(2024, 6.8), (2025, 6.8)], goals=goals, direction="hoger", today=TODAY)
    assert same.status == "aandacht"


def test_no_target_and_nb_give_no_verdict_but_a_trend() -> None:
    nb = {y: Goal("nb") for y in range(2023, 2027)}
    result = assess(series=[(2024, 10.0), (2025, 12.0)], goals=nb, direction="hoger", today=TODAY)
    assert (result.status, result.trend) == ("geen-oordeel", "verbetert")
    assert "nb" in result.reason
    none = assess(series=[(2024, 10.0), (2025, 9.0)], goals={}, direction="hoger", today=TODAY)
    assert (none.status, none.trend) == ("geen-oordeel", "verslechtert")
    assert assess(series=[], goals=NORM_82, direction="hoger", today=TODAY).status == "geen-oordeel"


def test_the_reason_is_in_the_readers_language() -> None:
    """The reason is worded when the status is shown (never stored): Dutch, or English."""
    series = [(2023, 90.0), (2025, 112.0)]
    slipping = assess(series=series, goals=RISING, direction="hoger", today=TODAY)
    assert slipping.reason == (
        "voortgang 0,83 van de benodigde voortgang naar het doel 2026 (2023-2025)"
    )
    with using("en"):
        english = assess(series=series, goals=RISING, direction="hoger", today=TODAY)
        better = assess(
            series=[(2024, 1.0), (2025, 2.0)],
            goals={2025: Goal("verbetering")},
            direction="hoger",
            today=TODAY,
        )
    assert english.reason == (
        "progress 0.83 of the progress needed towards the target 2026 (2023-2025)"
    )
    assert better.reason == "improving compared with the previous measurement (2024)"
