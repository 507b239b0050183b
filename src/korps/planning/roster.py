"""The fewest noodhulp units per shift and basisteam that meet the response-time norms.

1. **Screen** with the analytic model: for each area and shift, the smallest number of
   units c for which an M/M/c queue of that area's demand (``korps.sim.analytic.mmc``)
   answers prio 1 within the norm minus intake and travel at the target share. This ignores
   help from neighbouring teams, so it tends to be generous.
2. **Confirm and trim** with the simulation (with upscaling): while the norms are not met
   at the chosen level, add a unit where the simulated compliance is worst; then remove
   units one at a time, least-used first, as long as the norms stay met.

Every added unit's marginal gain (compliance before and after) is reported. FTE: a unit is
a crew of ``crew`` officers; an FTE works ``hours_per_fte`` hours a week of which the
share ``deployability`` is available for shifts (assumptions: 2, 36 h, 0.75).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from korps.sim.analytic import QueueingError, mmc
from korps.sim.demand import default_profile
from korps.sim.engine import Model, build_model, replicate
from korps.sim.kpi import SimResult, summarize
from korps.sim.scenario import SimScenario

Level = Literal["unit", "district", "basisteam"]


@dataclass(frozen=True)
class FteRule:
    crew: int = 2
    hours_per_fte: float = 36.0
    deployability: float = 0.75

    def fte(self, units: int, shift_hours: float, days_per_week: int) -> float:
        officer_hours = units * self.crew * shift_hours * days_per_week
        return officer_hours / (self.hours_per_fte * self.deployability)


@dataclass
class Step:
    action: str  # "screen", "add", "remove"
    area: str
    shift: str
    compliance_before: float | None
    compliance_after: float | None
    met: bool


@dataclass
class RosterPlan:
    units: dict[str, dict[str, int]]  # area -> shift -> units
    fte: dict[str, float]  # area -> FTE
    total_units: int  # unit-shifts per day
    total_fte: float
    met: bool
    level: Level
    steps: list[Step] = field(default_factory=list)
    result: SimResult | None = None


def _with_units(scenario: SimScenario, units: dict[str, dict[str, int]]) -> SimScenario:
    roster = scenario.roster.model_copy(update={"units": {k: dict(v) for k, v in units.items()}})
    return scenario.model_copy(update={"roster": roster})


def screen(scenario: SimScenario) -> dict[str, dict[str, int]]:
    """Units per area and shift from M/M/c, the prio-1 norm at its target share."""
    profile = np.asarray(scenario.profile) if scenario.profile else default_profile()
    profile = profile / profile.mean()
    norm = scenario.norms.get(1)
    service = scenario.service[1].mean
    intake = scenario.control_room.intake[1].mean if scenario.control_room else 0.0
    speed = scenario.travel.speed_kmh[1]
    result: dict[str, dict[str, int]] = {}
    for area in scenario.areas:
        per_minute = sum(area.incidents_per_year.values()) / (365 * 24 * 60)
        within = 0.5214 * math.sqrt(area.area_km2) * scenario.travel.detour / speed * 60
        busy = service + 2 * within
        demand = per_minute * (1 + scenario.two_unit_share * _share(area.incidents_per_year))
        result[area.key] = {}
        for shift in scenario.roster.shifts:
            start, length = shift.minutes()
            hours = [(start // 60 + k) % 24 for k in range(math.ceil(length / 60))]
            factor = float(np.mean([profile[d * 24 + h] for d in range(7) for h in hours]))
            rate = demand * factor
            if rate <= 0:
                result[area.key][shift.name] = 0
                continue
            slack = (norm.minutes - intake - within) if norm else math.inf
            target = norm.share if norm else 0.0
            c = max(1, math.floor(rate * busy) + 1)
            while True:
                try:
                    if slack > 0 and mmc(rate, 1 / busy, c).service_level(slack) >= target:
                        break
                except QueueingError:
                    pass
                c += 1
                if c > 500:
                    break
            result[area.key][shift.name] = c
    return result


def _share(rates: dict[int, float]) -> float:
    total = sum(rates.values())
    return rates.get(1, 0.0) / total if total else 0.0


def _compliance(result: SimResult, level: Level, scenario: SimScenario) -> dict[str, float]:
    """Worst share within the norm (over the normed priorities), per group of the level."""
    targets = {p: n.share for p, n in scenario.norms.items()}
    if level == "unit":
        shares = [
            k.within_norm.mean - targets[k.priority]
            for k in result.priorities
            if k.priority in targets and not math.isnan(k.within_norm.mean)
        ]
        return {"*": min(shares) if shares else 0.0}
    rows = result.districts if level == "district" else result.areas
    out: dict[str, float] = {}
    for row in rows:
        if row.incidents > 0 and not math.isnan(row.within_norm.mean):
            gap = row.within_norm.mean - targets[row.priority]
            out[row.key] = min(out.get(row.key, math.inf), gap)
    return out


def _pair_utilisation(model: Model, result: SimResult) -> dict[tuple[str, str], float]:
    """Mean utilisation of the units of each (area, shift) in a run."""
    sums: dict[tuple[str, str], list[float]] = {}
    for unit, (home, shift) in enumerate(zip(model.unit_home, model.unit_shift, strict=True)):
        sums.setdefault((model.keys[int(home)], shift), []).append(
            float(result.unit_utilisation[unit])
        )
    return {pair: float(np.mean(values)) for pair, values in sums.items()}


def optimise(
    scenario: SimScenario,
    *,
    level: Level = "unit",
    replications: int = 3,
    seed: int = 1,
    fte_rule: FteRule | None = None,
    max_steps: int = 200,
    progress: Callable[[str], None] | None = None,
) -> RosterPlan:
    """Screen analytically, then add units where the simulated norms fail, then trim."""
    rule = fte_rule or FteRule()
    units = screen(scenario)
    steps = [
        Step("screen", area, shift, None, None, False)
        for area, shifts in units.items()
        for shift in shifts
    ]

    def evaluate(candidate: dict[str, dict[str, int]]) -> tuple[Model, SimResult, dict[str, float]]:
        model = build_model(_with_units(scenario, candidate))
        result = summarize(model, replicate(model, replications=replications, seed=seed), seed)
        return model, result, _compliance(result, level, scenario)

    model, result, gaps = evaluate(units)
    district = {a.key: a.district for a in scenario.areas}
    for _ in range(max_steps):  # add a unit where the norm fails, to the busiest units there
        worst = min(gaps, key=lambda k: gaps[k]) if gaps else None
        if worst is None or gaps[worst] >= 0:
            break
        busy = _pair_utilisation(model, result)
        pairs = [(a, s) for a in units for s in units[a] if worst in ("*", a, district[a])]
        area, shift = max(pairs, key=lambda pair: (busy.get(pair, 1.0), pair))
        before = gaps[worst]
        units[area][shift] += 1
        model, result, gaps = evaluate(units)
        steps.append(Step("add", area, shift, before, gaps.get(worst), min(gaps.values()) >= 0))
        if progress:
            progress(f"+1 {area} {shift}: {before:+.3f} -> {gaps.get(worst, 0.0):+.3f}")
    met = bool(gaps) and min(gaps.values()) >= 0
    removed = True
    while met and removed and len(steps) < max_steps:  # trim, least busy units first
        removed = False
        busy = _pair_utilisation(model, result)
        for area, shift in sorted(busy, key=lambda pair: (busy[pair], pair)):
            if units[area][shift] <= 1:  # every basisteam keeps a unit in every shift
                continue
            units[area][shift] -= 1
            trial_model, trial, trial_gaps = evaluate(units)
            if trial_gaps and min(trial_gaps.values()) >= 0:
                steps.append(
                    Step("remove", area, shift, min(gaps.values()), min(trial_gaps.values()), True)
                )
                model, result, gaps, removed = trial_model, trial, trial_gaps, True
                if progress:
                    progress(f"-1 {area} {shift}: norms still met")
                break
            units[area][shift] += 1
    return _plan(scenario, units, rule, met, level, steps, result)


def _plan(
    scenario: SimScenario,
    units: dict[str, dict[str, int]],
    rule: FteRule,
    met: bool,
    level: Level,
    steps: list[Step],
    result: SimResult,
) -> RosterPlan:
    fte: dict[str, float] = {}
    for area, shifts in units.items():
        total = 0.0
        for shift in scenario.roster.shifts:
            _, length = shift.minutes()
            total += rule.fte(shifts.get(shift.name, 0), length / 60, len(shift.days))
        fte[area] = round(total, 1)
    return RosterPlan(
        units=units,
        fte=fte,
        total_units=sum(sum(v.values()) for v in units.values()),
        total_fte=round(sum(fte.values()), 1),
        met=met,
        level=level,
        steps=steps,
        result=result,
    )
