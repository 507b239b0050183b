"""Fit a free parameter of the twin to a published share within the norm
(``korps sim calibrate --unit SLUG --target-share 0.855``).

The free parameters are the units' availability share (``availability.share``: the share of
their time on duty that units are free for incidents) and the speed scale
(``travel.scale``); the share of prio-1 incidents on scene within 15 minutes rises with
both. The fit is a bisection on one of them, every step simulated with the same seed
(common random numbers, so that the steps differ by the parameter and not by the draw),
until the share is within ``tolerance`` of the target or the interval is narrower than a
hundredth. What it printed and the residuals of the fitted defaults are in
docs/simulation.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from korps.common.i18n import _
from korps.sim.engine import build_model, compact, replicate
from korps.sim.kpi import Estimate, summarize
from korps.sim.scenario import SimScenario

Parameter = Literal["availability", "speed"]
BOUNDS: dict[Parameter, tuple[float, float]] = {"availability": (0.2, 1.0), "speed": (0.5, 2.0)}


@dataclass(frozen=True)
class Outcome:
    """What one simulated setting gives, per priority-1 incident after the warm-up."""

    value: float
    share: Estimate  # within the norm (95 % CI over the replications)
    per_year: float  # prio-1 incidents a year
    median: float  # minutes, response of those served
    bulk: float  # share of the served with a response between 3 and 10 minutes
    mode: float  # the most frequent whole minute of response


@dataclass
class Fit:
    parameter: Parameter
    target: float
    value: float
    outcome: Outcome
    steps: list[Outcome] = field(default_factory=list)

    @property
    def residual(self) -> float:
        return self.outcome.share.mean - self.target


def with_parameter(scenario: SimScenario, parameter: Parameter, value: float) -> SimScenario:
    if parameter == "availability":
        availability = scenario.availability.model_copy(update={"share": value})
        return scenario.model_copy(update={"availability": availability})
    travel = scenario.travel.model_copy(update={"scale": value})
    return scenario.model_copy(update={"travel": travel})


def outcome(
    scenario: SimScenario, *, value: float, replications: int, seed: int, priority: int = 1
) -> Outcome:
    model = build_model(scenario)
    reps = replicate(model, replications=replications, seed=seed, keep=compact)
    result = summarize(model, reps, seed)
    responses = []
    for rep in reps:
        keep = (rep.incidents.time >= scenario.warmup_days * 1440.0) & (
            rep.incidents.priority == priority
        )
        response = (rep.on_scene - rep.incidents.time)[keep]
        responses.append(response[~np.isnan(response)])
    served = np.concatenate(responses) if responses else np.zeros(0)
    counts = np.bincount(np.floor(served).astype(np.int64)) if served.size else np.zeros(1)
    kpi = next(k for k in result.priorities if k.priority == priority)
    span = scenario.days - scenario.warmup_days
    return Outcome(
        value=value,
        share=kpi.within_norm,
        per_year=kpi.incidents * 365.0 / span,
        median=float(np.median(served)) if served.size else math.nan,
        bulk=float(np.mean((served >= 3) & (served <= 10))) if served.size else math.nan,
        mode=float(np.argmax(counts)) + 0.5,
    )


def fit_share(
    scenario: SimScenario,
    *,
    target: float,
    parameter: Parameter = "availability",
    bounds: tuple[float, float] | None = None,
    replications: int = 1,
    seed: int = 1,
    tolerance: float = 0.002,
    max_steps: int = 14,
    progress: Callable[[Outcome], None] | None = None,
) -> Fit:
    """Bisect ``parameter`` until the prio-1 share within the norm is within ``tolerance``
    of ``target``; the bounds are ``bounds`` or ``BOUNDS`` (a target outside what they
    reach ends at the bound, with its residual)."""
    if not 0 < target < 1:
        raise ValueError(
            _("het doelaandeel moet tussen 0 en 1 liggen (gegeven: {target})", target=target)
        )
    if 1 not in scenario.norms:
        raise ValueError(_("het scenario heeft geen norm voor prio 1 om op af te stemmen"))
    lo, hi = bounds or BOUNDS[parameter]
    steps: list[Outcome] = []

    def run(value: float) -> Outcome:
        result = outcome(
            with_parameter(scenario, parameter, value),
            value=value,
            replications=replications,
            seed=seed,
        )
        steps.append(result)
        if progress is not None:
            progress(result)
        return result

    low, high = run(lo), run(hi)
    best = min((low, high), key=lambda o: abs(o.share.mean - target))
    if low.share.mean < target < high.share.mean:
        for _step in range(max_steps):
            middle = run(round((lo + hi) / 2, 4))
            if abs(middle.share.mean - target) < abs(best.share.mean - target):
                best = middle
            if abs(middle.share.mean - target) <= tolerance or hi - lo < 0.01:
                break
            if middle.share.mean < target:
                lo = middle.value
            else:
                hi = middle.value
    return Fit(parameter=parameter, target=target, value=best.value, outcome=best, steps=steps)


BULK = (3.0, 10.0)  # "a clear peak between three and ten minutes" (politie.nl, 2017)
MOST = 0.5  # "most" responses in BULK read as at least half of them
MIN_AVAILABILITY = 0.4  # assumption: units are free for incidents >= 40 % of their duty


@dataclass(frozen=True)
class Setting:
    """One point of the joint fit: the speed scale and turnout it sets, and the availability
    bisected so that the prio-1 share within the norm meets the target there."""

    speed: float
    turnout: float
    fit: Fit

    @property
    def outcome(self) -> Outcome:
        return self.fit.outcome

    @property
    def shape_residual(self) -> float:
        """Share of the served responses in 3-10 minutes minus the published "most" (0.5);
        negative: fewer than half in the published peak."""
        return self.outcome.bulk - MOST

    @property
    def peak_residual(self) -> float:
        """Minutes from the most frequent minute to the middle of 3-10 minutes."""
        return self.outcome.mode - sum(BULK) / 2


@dataclass
class JointFit:
    target: float
    settings: list[Setting]
    best: Setting


def with_settings(scenario: SimScenario, *, speed: float, turnout: float) -> SimScenario:
    """The scenario with the speed scale and the turnout (every priority) set."""
    travel = scenario.travel.model_copy(
        update={"scale": speed, "turnout_minutes": {p: turnout for p in (1, 2, 3)}}
    )
    return scenario.model_copy(update={"travel": travel})


def fit_joint(
    scenario: SimScenario,
    *,
    target: float,
    speeds: Sequence[float],
    turnouts: Sequence[float],
    replications: int = 1,
    seed: int = 1,
    tolerance: float = 0.002,
    min_availability: float = MIN_AVAILABILITY,
    progress: Callable[[Setting], None] | None = None,
) -> JointFit:
    """Availability, speed scale and turnout together: for every speed scale and turnout of
    the grid the availability is bisected to the target share (``fit_share``), and of the
    settings that meet it (within ``tolerance``) with an availability of at least
    ``min_availability`` the one whose response times put the most into 3-10 minutes is
    chosen (the published shape: the peak there, "most" in it), its most frequent minute
    inside 3-10 minutes first. Faster driving with less availability always puts more into
    3-10 minutes at the same share, so without the floor the choice would run to the grid's
    edge: the floor is what stops it (an assumption, docs/simulation.md). Every setting
    runs on the same seed."""
    if not speeds or not turnouts:
        raise ValueError(_("het raster vraagt minstens één snelheidsschaal en één uitruktijd"))
    settings: list[Setting] = []
    for speed in speeds:
        for turnout in turnouts:
            base = with_settings(scenario, speed=speed, turnout=turnout)
            fitted = fit_share(
                base, target=target, replications=replications, seed=seed, tolerance=tolerance
            )
            setting = Setting(speed=speed, turnout=turnout, fit=fitted)
            settings.append(setting)
            if progress is not None:
                progress(setting)

    def rank(s: Setting) -> tuple[bool, bool, bool, float]:
        hits = abs(s.fit.residual) <= tolerance
        peaked = BULK[0] <= s.outcome.mode <= BULK[1]
        return (hits, s.fit.value >= min_availability, peaked, s.outcome.bulk)

    return JointFit(target=target, settings=settings, best=max(settings, key=rank))
