"""The fewest noodhulp units per shift and basisteam that meet the response-time norms.

0. **Reachability**: per area, the best share within the prio-1 norm that any number of
   units could give: a unit always free at the nearest base, so the response is intake plus
   turnout and drive from there (``reachable``). An area where travel alone already costs
   more than the target allows is reported as unreachable by staffing, with that share, and
   gets no units for its sake (its own units stay at the screen's count or the cap).
1. **Screen** with the analytic model: for each area and shift, the smallest number of
   units c for which an M/M/c queue of that area's demand (``korps.sim.analytic.mmc``)
   answers prio 1 within the norm minus intake, turnout and travel at the target share,
   with the units' capacity times their availability. This ignores help from neighbouring
   teams, so it tends to be generous; it stops at the cap per area.
2. **Confirm and trim** with the simulation (with upscaling): while the norms are not met
   at the chosen level (unreachable areas left out), add a unit where the simulated
   compliance is worst; then remove units one at a time, least-used first, as long as the
   norms stay met. Caps: ``max_per_area`` units per area and shift, ``max_total``
   unit-shifts a day in all; an add that a cap refuses ends the loop, and the plan says so.

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

from korps.common.formatting import number, percent, signed
from korps.common.i18n import _
from korps.sim.analytic import QueueingError, mmc
from korps.sim.demand import default_profile, draw_durations
from korps.sim.engine import Model, build_model, replicate, travel_planes
from korps.sim.kpi import SimResult, summarize
from korps.sim.scenario import SimScenario

Level = Literal["unit", "district", "basisteam"]
LIMITED_MARGIN = 0.05  # an area within 5 points of its travel ceiling is limited by travel


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


@dataclass(frozen=True)
class Reach:
    """The best an area can do by staffing: the share of its prio-1 incidents on scene within
    the norm if a unit were always free at the nearest base."""

    area: str
    best_share: float
    travel_minutes: float  # turnout + drive from the nearest base
    reachable: bool  # best_share >= the target
    limited: bool  # best_share < the target + LIMITED_MARGIN: travel, not staffing, decides

    @property
    def travel_costs(self) -> float:
        """The share of prio-1 incidents late whatever the roster."""
        return 1.0 - self.best_share


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
    unreachable: list[Reach] = field(default_factory=list)
    limited: list[Reach] = field(default_factory=list)  # reachable, but travel decides
    capped: list[str] = field(default_factory=list)  # what the caps refused, in words
    evaluations: int = 0


def _with_units(scenario: SimScenario, units: dict[str, dict[str, int]]) -> SimScenario:
    roster = scenario.roster.model_copy(update={"units": {k: dict(v) for k, v in units.items()}})
    return scenario.model_copy(update={"roster": roster})


def reachable(scenario: SimScenario, *, samples: int = 20_000, seed: int = 0) -> list[Reach]:
    """Per area, the prio-1 share within the norm with a unit always free at the nearest
    base (intake drawn as in the twin, travel from ``build_model``'s matrix); an area whose
    best share is below the target is unreachable by staffing."""
    norm = scenario.norms.get(1)
    if norm is None:
        return []
    travel = travel_planes(scenario)[0]  # turnout + drive, [from, to]
    rng = np.random.default_rng(seed)
    room = scenario.control_room
    intake = draw_durations(rng, room.intake[1], samples) if room else np.zeros(samples)
    result = []
    for j, area in enumerate(scenario.areas):
        nearest = float(travel[:, j].min())
        best = float(np.mean(intake + nearest <= norm.minutes + 1e-9))
        result.append(
            Reach(area.key, best, nearest, best >= norm.share, best < norm.share + LIMITED_MARGIN)
        )
    return result


def screen(
    scenario: SimScenario,
    *,
    max_per_area: int = 500,
    skip: set[str] | None = None,
    limited: set[str] | None = None,
) -> dict[str, dict[str, int]]:
    """Units per area and shift from M/M/c, the prio-1 norm at its target share (at most
    ``max_per_area``; areas in ``skip``, unreachable by staffing, get one unit a shift; areas
    in ``limited``, within reach of their travel ceiling, get the load plus one: no number
    of units brings their waiting to the nearly nothing the thin slack would ask)."""
    profile = np.asarray(scenario.profile) if scenario.profile else default_profile()
    profile = profile / profile.mean()
    norm = scenario.norms.get(1)
    service = scenario.service[1].mean
    intake = scenario.control_room.intake[1].mean if scenario.control_room else 0.0
    available = scenario.availability.share
    travel = travel_planes(scenario)
    result: dict[str, dict[str, int]] = {}
    for j, area in enumerate(scenario.areas):
        per_minute = sum(area.incidents_per_year.values()) / (365 * 24 * 60)
        within = float(travel[0, j, j])  # turnout + drive within the area
        busy = service + within + float(travel[3, j, j])
        demand = per_minute * (1 + scenario.two_unit_share * _share(area.incidents_per_year))
        result[area.key] = {}
        for shift in scenario.roster.shifts:
            start, length = shift.minutes()
            hours = [(start // 60 + k) % 24 for k in range(math.ceil(length / 60))]
            factor = float(np.mean([profile[d * 24 + h] for d in range(7) for h in hours]))
            rate = demand * factor
            if rate <= 0 or (skip and area.key in skip):
                result[area.key][shift.name] = 1 if rate > 0 else 0
                continue
            slack = (norm.minutes - intake - within) if norm else math.inf
            target = norm.share if norm else 0.0
            c = max(1, math.floor(rate * busy / available) + 1)
            if limited and area.key in limited:
                result[area.key][shift.name] = min(c + 1, max_per_area)
                continue
            while c < max_per_area:
                try:
                    level = mmc(rate, available / busy, c).service_level(slack)
                    if slack > 0 and level >= target:
                        break
                except QueueingError:
                    pass
                c += 1
            result[area.key][shift.name] = min(c, max_per_area)
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
    max_per_area: int = 40,
    max_total: int | None = None,
    days: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> RosterPlan:
    """Check reachability, screen analytically, then add units where the simulated norms
    fail, then trim (module docstring). ``days``: simulate this horizon per evaluation
    instead of the scenario's (a quarter is enough to rank rosters, and four times faster)."""
    rule = fte_rule or FteRule()
    say = progress or (lambda _text: None)
    if days is not None:
        scenario = scenario.model_copy(
            update={"days": days, "warmup_days": min(scenario.warmup_days, days / 10)}
        )
    reach = reachable(scenario)
    unreachable = [r for r in reach if not r.reachable]
    skip = {r.area for r in unreachable}
    for r in unreachable:
        say(
            _(
                "{area}: niet te halen met bezetting: de reistijd alleen ({minutes} min vanaf de "
                "dichtstbijzijnde post) laat hoogstens {share} binnen de norm",
                area=r.area,
                minutes=number(r.travel_minutes, 1),
                share=percent(r.best_share),
            )
        )
    limited = {r.area for r in reach if r.limited and r.reachable}
    for r in reach:
        if r.limited and r.reachable:
            say(
                _(
                    "{area}: begrensd door reistijd: {minutes} min vanaf de dichtstbijzijnde "
                    "post, hoogstens {share} binnen de norm, welk rooster ook",
                    area=r.area,
                    minutes=number(r.travel_minutes, 1),
                    share=percent(r.best_share),
                )
            )
    units = screen(scenario, max_per_area=max_per_area, skip=skip, limited=limited)
    count = sum(sum(v.values()) for v in units.values())
    say(_("schatting (M/M/c): {count} eenheid-diensten per dag", count=count))
    steps = [
        Step("screen", area, shift, None, None, False)
        for area, shifts in units.items()
        for shift in shifts
    ]
    capped: list[str] = []
    district = {a.key: a.district for a in scenario.areas}
    counter = [0]

    def evaluate(candidate: dict[str, dict[str, int]]) -> tuple[Model, SimResult, dict[str, float]]:
        counter[0] += 1
        model = build_model(_with_units(scenario, candidate))
        result = summarize(model, replicate(model, replications=replications, seed=seed), seed)
        gaps = _compliance(result, level, scenario)
        if level == "basisteam":
            gaps = {k: v for k, v in gaps.items() if k not in skip}
        elif level == "district":  # a district is judged without its unreachable areas
            gaps = _compliance_without(result, scenario, skip, level) if skip else gaps
        elif skip:
            gaps = _compliance_without(result, scenario, skip, level)
        return model, result, gaps

    def total(candidate: dict[str, dict[str, int]]) -> int:
        return sum(sum(v.values()) for v in candidate.values())

    model, result, gaps = evaluate(units)
    say(
        _(
            "evaluatie 1: slechtste marge {margin}",
            margin=signed(min(gaps.values(), default=0.0), 3),
        )
    )
    for _step in range(max_steps):  # add a unit where the norm fails, to the busiest units there
        worst = min(gaps, key=lambda k: gaps[k]) if gaps else None
        if worst is None or gaps[worst] >= 0:
            break
        busy = _pair_utilisation(model, result)
        pairs = [
            (a, s)
            for a in units
            for s in units[a]
            if worst in ("*", a, district[a]) and a not in skip and units[a][s] < max_per_area
        ]
        if not pairs:
            capped.append(
                _(
                    "{where}: elk gebied op het maximum van {cap} eenheden per dienst",
                    where=worst,
                    cap=max_per_area,
                )
            )
            break
        if max_total is not None and total(units) >= max_total:
            capped.append(
                _(
                    "totaal: het maximum van {cap} eenheid-diensten per dag is bereikt",
                    cap=max_total,
                )
            )
            break
        area, shift = max(pairs, key=lambda pair: (busy.get(pair, 1.0), pair))
        before = gaps[worst]
        units[area][shift] += 1
        model, result, gaps = evaluate(units)
        after = gaps.get(worst, 0.0)
        steps.append(Step("add", area, shift, before, after, min(gaps.values()) >= 0))
        say(
            _(
                "+1 {area} {shift}: {where} {before} -> {after} ({count} eenheid-diensten)",
                area=area,
                shift=shift,
                where=worst,
                before=signed(before, 3),
                after=signed(after, 3),
                count=total(units),
            )
        )
    met = bool(gaps) and min(gaps.values()) >= 0
    changes = sum(1 for step in steps if step.action != "screen")
    # trim: remove the k least busy units at once (one per area and shift), halving k when
    # that breaks a norm; then try every single unit once more, least busy first
    batch = max(1, total(units) // 4)
    while met and batch >= 1 and changes < max_steps:
        busy = _pair_utilisation(model, result)
        pairs = [p for p in sorted(busy, key=lambda q: (busy[q], q)) if units[p[0]][p[1]] > 1]
        chosen = pairs[:batch]
        if not chosen:
            break
        for area, shift in chosen:
            units[area][shift] -= 1
        trial_model, trial, trial_gaps = evaluate(units)
        if trial_gaps and min(trial_gaps.values()) >= 0:
            for area, shift in chosen:
                steps.append(
                    Step("remove", area, shift, min(gaps.values()), min(trial_gaps.values()), True)
                )
            changes += len(chosen)
            model, result, gaps = trial_model, trial, trial_gaps
            say(
                _(
                    "-{count} minst drukke: normen nog gehaald, {total} in totaal",
                    count=len(chosen),
                    total=total(units),
                )
            )
            if len(chosen) < batch:
                batch = len(chosen)
        else:
            for area, shift in chosen:
                units[area][shift] += 1
            batch //= 2
    removed = True
    while met and removed and changes < max_steps:
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
                changes += 1
                model, result, gaps, removed = trial_model, trial, trial_gaps, True
                say(
                    _(
                        "-1 {area} {shift}: normen nog gehaald ({count} eenheid-diensten)",
                        area=area,
                        shift=shift,
                        count=total(units),
                    )
                )
                break
            units[area][shift] += 1
    plan = _plan(scenario, units, rule, met, level, steps, result)
    plan.unreachable = unreachable
    plan.limited = [r for r in reach if r.limited and r.reachable]
    plan.capped = capped
    plan.evaluations = counter[0]
    return plan


def _compliance_without(
    result: SimResult, scenario: SimScenario, skip: set[str], level: Level
) -> dict[str, float]:
    """As ``_compliance``, with the unreachable areas' incidents left out: per district, or
    for the whole unit, the incident-weighted share of the other areas."""
    targets = {p: n.share for p, n in scenario.norms.items()}
    district = {a.key: a.district for a in scenario.areas}
    sums: dict[tuple[str, int], list[float]] = {}
    for row in result.areas:
        if row.key in skip or row.priority not in targets or row.incidents <= 0:
            continue
        if math.isnan(row.within_norm.mean):
            continue
        group = "*" if level == "unit" else district[row.key]
        acc = sums.setdefault((group, row.priority), [0.0, 0.0])
        acc[0] += row.within_norm.mean * row.incidents
        acc[1] += row.incidents
    out: dict[str, float] = {}
    for (group, priority), (within, count) in sums.items():
        gap = within / count - targets[priority]
        out[group] = min(out.get(group, math.inf), gap)
    return out


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
            _start, length = shift.minutes()
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
