"""Status and trend of an indicator for a unit and year: a pure function of the series, the
targets and a clock (docs/monitor.md, "Status").

**Numeric targets (streefwaarde).** When the latest measurement meets the target of its year,
the status is *op koers*. Otherwise the trend decides, as in open-sdg's progress methodology
(the ratio of observed to required progress): with the first measurement ``y0`` at ``t0``, the
latest ``yi`` at ``ti`` and the final target ``yT`` due at the end of its year ``tT``,

    R = ((yi - y0) / (ti - t0)) / ((yT - y0) / (tT - t0))

(linear rates, so zero and negative values are allowed). R >= 0.95: *op koers* (the trend
reaches the target in time); 0 <= R < 0.95: *aandacht nodig*; R < 0: *uit koers* (moving away
from the target). When the first measurement already met the final target but the latest does
not meet its year's target: *aandacht nodig*, or *uit koers* when it is worse than the first.
One measurement only: *op koers* when it meets its year's target, else *aandacht nodig*.
A measurement counts at the end of its period (a year, a quarter, a month), or at the clock
while the period runs; its value is on the scale of the yearly target (docs/monitor.md,
"Periods": counts and sums of a shorter period pro rata).

**Verbetering ten opzichte van vorige meting.** The latest against the previous measurement:
better *op koers*, equal *aandacht nodig*, worse *uit koers*; with one measurement *geen oordeel*.

**nb / monitoring / no target.** *Geen oordeel*; the trend is still shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from korps.common.formatting import number
from korps.common.i18n import N_, _

Status = Literal["op-koers", "aandacht", "uit-koers", "geen-oordeel"]
Trend = Literal["verbetert", "verslechtert", "gelijk", "onbekend"]
#: the statuses' words (Dutch, stored nowhere; pages show them through ``| t``)
LABELS: dict[str, str] = {
    "op-koers": N_("op koers"),
    "aandacht": N_("aandacht nodig"),
    "uit-koers": N_("uit koers"),
    "geen-oordeel": N_("geen oordeel"),
}
#: the trends are Dutch words too, shown through ``| t``
TREND_WORDS = (N_("verbetert"), N_("verslechtert"), N_("gelijk"), N_("onbekend"))
ON_TRACK_RATIO = 0.95
EPSILON = 1e-9


@dataclass(frozen=True)
class Goal:
    """The target of one year: kind (streefwaarde, verbetering, nb, monitoring) and number."""

    kind: str
    value: float | None = None


@dataclass(frozen=True)
class Assessment:
    status: Status
    trend: Trend
    reason: str
    ratio: float | None = None
    year: int | None = None  # the year of the latest measurement used
    value: float | None = None
    target: float | None = None  # the target of that year (streefwaarde)

    @property
    def label(self) -> str:
        return LABELS[self.status]


def moment(year: int, today: date) -> float:
    """When a measurement of ``year`` counts, in fractional years (end of the year, or today)."""
    if year >= today.year:
        return today.year + (today.timetuple().tm_yday - 1) / 365.25
    return year + 1.0


def _better(a: float, b: float, sign: int) -> int:
    """+1 when ``a`` is better than ``b`` for the direction ``sign``, -1 worse, 0 equal."""
    difference = (a - b) * sign
    return (
        0
        if abs(difference) <= EPSILON * max(1.0, abs(a), abs(b))
        else (1 if difference > 0 else -1)
    )


def trend_of(series: list[tuple[int, float]], direction: str) -> Trend:
    if len(series) < 2:
        return "onbekend"
    sign = 1 if direction == "hoger" else -1
    step = _better(series[-1][1], series[-2][1], sign)
    trends: dict[int, Trend] = {1: "verbetert", -1: "verslechtert", 0: "gelijk"}
    return trends[step]


def meets(value: float, target: float, direction: str) -> bool:
    return _better(value, target, 1 if direction == "hoger" else -1) >= 0


@dataclass(frozen=True)
class Sample:
    """One measurement for the status: the year whose target applies, when it counts (in
    fractional years) and its value on the scale of the yearly target."""

    year: int
    at: float
    value: float


def assess(
    *,
    series: list[tuple[int, float]],
    goals: dict[int, Goal],
    direction: str,
    today: date,
) -> Assessment:
    """The status of a yearly series [(year, value)] against ``goals`` per year on ``today``."""
    points = sorted((y, v) for y, v in series if y <= today.year)
    return assess_samples(
        samples=[Sample(y, moment(y, today), v) for y, v in points],
        goals=goals,
        direction=direction,
    )


def assess_samples(*, samples: list[Sample], goals: dict[int, Goal], direction: str) -> Assessment:
    """The status of ``samples`` (oldest first, any periods) against the yearly ``goals``."""
    points = [(s.year, s.value) for s in samples]
    trend = trend_of(points, direction)
    if not samples:
        return Assessment("geen-oordeel", trend, _("nog geen meting"))
    year, value = points[-1]
    goal = goals.get(year) or (goals[max(goals)] if goals else Goal("monitoring"))
    if goal.kind == "verbetering":
        return _improvement(points, direction, trend)
    numbered = {
        y: g.value for y, g in goals.items() if g.kind == "streefwaarde" and g.value is not None
    }
    if goal.kind != "streefwaarde" or goal.value is None or not numbered:
        reason = _("doel nb (niet bekend)") if goal.kind == "nb" else _("geen doel (monitoring)")
        return Assessment("geen-oordeel", trend, reason, year=year, value=value)
    target = goal.value
    found = dict(year=year, value=value, target=target)
    if meets(value, target, direction):
        reached = _("doel {year} gehaald", year=year)
        return Assessment("op-koers", trend, reached, **found)  # type: ignore[arg-type]
    if len(points) == 1:
        missed = _("één meting; doel {year} niet gehaald", year=year)
        return Assessment("aandacht", trend, missed, **found)  # type: ignore[arg-type]
    return _by_ratio(samples, numbered, direction, trend, found)


def _improvement(points: list[tuple[int, float]], direction: str, trend: Trend) -> Assessment:
    year, value = points[-1]
    if len(points) < 2:
        return Assessment(
            "geen-oordeel",
            trend,
            _("eerste meting: nog geen vorige meting"),
            year=year,
            value=value,
        )
    status: Status = {
        "verbetert": "op-koers",
        "gelijk": "aandacht",
        "verslechtert": "uit-koers",
    }.get(trend, "geen-oordeel")  # type: ignore[assignment]
    reason = _(
        "{trend} ten opzichte van de vorige meting ({year})", trend=_(trend), year=points[-2][0]
    )
    return Assessment(status, trend, reason, year=year, value=value)


def _by_ratio(
    samples: list[Sample],
    numbered: dict[int, float],
    direction: str,
    trend: Trend,
    found: dict[str, float | int],
) -> Assessment:
    sign = 1 if direction == "hoger" else -1
    first, latest = samples[0], samples[-1]
    y0_year, y0, yi_year, yi = first.year, first.value, latest.year, latest.value
    final_year = max(numbered)
    final = numbered[final_year]
    t0, ti, t_target = first.at, latest.at, final_year + 1.0
    required = (final - y0) / (t_target - t0) if t_target > t0 else 0.0
    if required * sign <= EPSILON:
        worse = _better(yi, y0, sign) < 0
        status: Status = "uit-koers" if worse else "aandacht"
        reason = _("de eerste meting haalde het einddoel al; de laatste haalt het doel niet")
        return Assessment(status, trend, reason, **found)  # type: ignore[arg-type]
    observed = (yi - y0) / (ti - t0) if ti > t0 else 0.0
    ratio = observed / required
    if ratio >= ON_TRACK_RATIO:
        status = "op-koers"
    elif ratio >= 0:
        status = "aandacht"
    else:
        status = "uit-koers"
    reason = _(
        "voortgang {ratio} van de benodigde voortgang naar het doel {year} ({first}-{last})",
        ratio=number(ratio, 2),
        year=final_year,
        first=y0_year,
        last=yi_year,
    )
    return Assessment(status, trend, reason, ratio=round(ratio, 4), **found)  # type: ignore[arg-type]
