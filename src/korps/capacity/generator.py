"""The roster generator: CP-SAT over x[person, day, shift] (pure: data in, data out).

Hard: at most one shift a day; nobody works on a day they are absent; the working-time
rules (``korps.capacity.rules``) as constraints; a week's hours at most contract hours plus a
tolerance. Coverage (people per car, a prio-1 driver per car, a HOvJ per shift) is hard
*with slack*: every missing person costs ``Weights.shortfall``, so the model always has a
solution and the slack says which shift is short. Soft: hours near the contract hours over
the horizon, nights and weekend shifts no more than each person's fair share (the required
ones divided in proportion to contract hours and available days), wishes for a day off.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from korps.capacity.explain import (
    RULE_CREW,
    RULE_HOVJ,
    RULE_PRIO1,
    RULE_WORKING_TIME,
    necessary_shortfalls,
    template_problems,
)
from korps.capacity.greedy import first_roster
from korps.capacity.problem import HOVJ, PRIO1, RosterProblem, RosterResult, Shortfall
from korps.capacity.rules import rest_needed
from korps.capacity.wishes import unmet_wishes
from korps.common.formatting import short
from korps.common.i18n import _

Progress = Callable[[float, float, float], None]  # seconds, objective, bound


@dataclass(frozen=True)
class SolveOptions:
    time_limit: float = 60.0
    workers: int = 2
    gap_limit: float = 0.0  # stop when the relative gap is this small
    seed: int = 1


class RosterError(ValueError):
    """The problem cannot be set up (a shift template that breaks a rule by itself)."""


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress
        self.started = time.perf_counter()

    def on_solution_callback(self) -> None:
        elapsed = time.perf_counter() - self.started
        self.progress(elapsed, self.ObjectiveValue() / 60, self.BestObjectiveBound() / 60)


class _Builder:
    def __init__(self, problem: RosterProblem) -> None:
        self.p = problem
        self.m = cp_model.CpModel()
        self.x: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.minutes = [s.minutes for s in problem.shifts]
        self.nights = [s for s in range(len(problem.shifts)) if problem.night(s)]
        self.cost: list[cp_model.LinearExprT] = []
        self.slack: dict[tuple[int, int, str], cp_model.IntVar] = {}
        # contract minutes over the days a person is available, in whole shifts (the
        # greatest common divisor of the shift lengths), so a perfect roster costs 0
        step = math.gcd(*self.minutes) if self.minutes else 1
        self.targets = [
            step
            * round(
                person.contract_hours
                * 60
                * (problem.days - len([d for d in person.absent if 0 <= d < problem.days]))
                / 7
                / step
            )
            for person in problem.people
        ]

    def variables(self) -> None:
        for i, person in enumerate(self.p.people):
            for d in range(self.p.days):
                if d in person.absent:
                    continue
                worked = [s for s in range(len(self.p.shifts)) if self.p.works(d, s)]
                for s in worked:
                    self.x[i, d, s] = self.m.new_bool_var(f"x{i}_{d}_{s}")
                if worked:
                    self.m.add_at_most_one(self.x[i, d, s] for s in worked)

    def shifts_of(self, i: int, d: int, only: list[int] | None = None) -> list[cp_model.IntVar]:
        wanted = range(len(self.p.shifts)) if only is None else only
        return [self.x[i, d, s] for s in wanted if (i, d, s) in self.x]

    def coverage(self) -> None:
        w = self.p.weights.shortfall * 60
        for d in range(self.p.days):
            when = self.p.day(d)
            for s, cars in enumerate(self.p.cars[d]):
                if cars <= 0:
                    continue
                people = range(len(self.p.people))
                on = [self.x[i, d, s] for i in people if (i, d, s) in self.x]
                drivers = [
                    self.x[i, d, s]
                    for i in people
                    if (i, d, s) in self.x and self.p.people[i].qualified(PRIO1, when)
                ]
                hovj = [
                    self.x[i, d, s]
                    for i in people
                    if (i, d, s) in self.x and self.p.people[i].qualified(HOVJ, when)
                ]
                needs = (
                    ("mensen", on, cars * self.p.crew_size),
                    (PRIO1, drivers, cars),
                    (HOVJ, hovj, self.p.hovj_per_shift),
                )
                for what, terms, need in needs:
                    slack = self.m.new_int_var(0, need, f"slack_{what}_{d}_{s}")
                    self.m.add(sum(terms) + slack >= need)
                    self.slack[d, s, what] = slack
                    self.cost.append(w * slack)

    def rest(self) -> None:
        """Pairs of shifts on days d and d + k whose gap is shorter than the rest needed."""
        p = self.p
        conflicts: list[tuple[int, int, int]] = []  # (s1, k, s2)
        for s1, first in enumerate(p.shifts):
            start1, end1 = first.bounds(p.start)
            needed, _rule = rest_needed(start1, end1, p.rules)
            for k in range(1, 4):
                for s2, second in enumerate(p.shifts):
                    start2, _ = second.bounds(p.day(k))
                    if (start2 - end1).total_seconds() / 3600 < needed:
                        conflicts.append((s1, k, s2))
        for i in range(len(p.people)):
            for d in range(p.days):
                for s1, k, s2 in conflicts:
                    a, b = self.x.get((i, d, s1)), self.x.get((i, d + k, s2))
                    if a is not None and b is not None:
                        self.m.add_bool_or([a.Not(), b.Not()])

    def hours(self) -> None:
        p = self.p
        weeks: dict[tuple[int, int], list[int]] = {}
        for d in range(p.days):
            iso = p.day(d).isocalendar()
            weeks.setdefault((iso.year, iso.week), []).append(d)
        total_weight = sum(
            person.contract_hours * (p.days - len(person.absent)) for person in p.people
        )
        for i, person in enumerate(p.people):
            limit = min(p.rules.max_week_hours, person.contract_hours + p.weekly_tolerance_hours)
            for days in weeks.values():
                terms = [
                    self.minutes[s] * self.x[i, d, s]
                    for d in days
                    for s in range(len(p.shifts))
                    if (i, d, s) in self.x
                ]
                if terms:
                    self.m.add(sum(terms) <= int(limit * 60))
            worked = sum(
                self.minutes[s] * self.x[i, d, s]
                for d in range(p.days)
                for s in range(len(p.shifts))
                if (i, d, s) in self.x
            )
            available_days = p.days - len([d for d in person.absent if 0 <= d < p.days])
            target = self.targets[i]
            dev = self.m.new_int_var(0, 60 * 24 * p.days, f"dev{i}")
            self.m.add(dev >= worked - target)
            self.m.add(dev >= target - worked)
            self.cost.append(p.weights.hours * dev)
            share = person.contract_hours * available_days / total_weight if total_weight else 0
            self._fair(i, share)

    def wishes(self) -> None:
        """Every shift that goes against a wish costs ``Weights.wish`` (soft)."""
        for wish in self.p.all_wishes():
            against = [
                var
                for s in range(len(self.p.shifts))
                if (var := self.x.get((wish.person, wish.day, s))) is not None
                and wish.breaks(self.p, s)
            ]
            if against:
                self.cost.append(self.p.weights.wish * 60 * sum(against))

    def _fair(self, i: int, share: float) -> None:
        p = self.p
        night_need = sum(p.cars[d][s] * p.crew_size for d in range(p.days) for s in self.nights)
        weekend_need = sum(sum(p.cars[d]) * p.crew_size for d in range(p.days) if p.weekend(d))
        nights = [v for d in range(p.days) for v in self.shifts_of(i, d, self.nights)]
        weekend = [v for d in range(p.days) if p.weekend(d) for v in self.shifts_of(i, d)]
        for terms, need, weight in (
            (nights, night_need, p.weights.nights),
            (weekend, weekend_need, p.weights.weekends),
        ):
            if not terms:
                continue
            fair = math.ceil(need * share)
            excess = self.m.new_int_var(0, len(terms), f"excess{i}_{weight}")
            self.m.add(excess >= sum(terms) - fair)
            self.cost.append(weight * 60 * excess)

    def night_limits(self) -> None:
        p, rules = self.p, self.p.rules
        length = rules.night_series_length
        window = rules.night_period_weeks * 7
        series = rules.max_series_with_night + 1
        for i in range(len(p.people)):
            night_on = [sum(self.shifts_of(i, d, self.nights)) for d in range(p.days)]
            for d in range(length - 1, p.days):
                for t in self.nights:
                    here = self.x.get((i, d, t))
                    before = [night_on[d - j] for j in range(1, length)]
                    if here is None or any(isinstance(b, int) for b in before):
                        continue
                    _, end = p.shifts[t].bounds(p.day(d))
                    after = night_on[d + 1] if d + 1 < p.days else 0
                    for d2, s2 in self._following(i, d):
                        later = self.x[i, d2, s2]
                        if d2 == d + 1 and s2 in self.nights:
                            continue
                        start2, _ = p.shifts[s2].bounds(p.day(d2))
                        gap = (start2 - end).total_seconds() / 3600
                        if gap < rules.rest_after_night_series_hours:
                            self.m.add(sum(before) + here - after + later <= length)
            for first in range(max(1, p.days - window + 1)):
                terms = night_on[first : first + window]
                self.m.add(sum(terms) <= rules.max_nights_per_period)
            for first in range(p.days - series + 1):
                days = range(first, first + series)
                if any(d in p.people[i].absent for d in days):
                    continue
                worked = sum(sum(self.shifts_of(i, d)) for d in days)
                for d in days:
                    if self.shifts_of(i, d, self.nights):
                        self.m.add(worked + night_on[d] <= series)

    def _following(self, i: int, d: int) -> list[tuple[int, int]]:
        return [
            (d2, s2)
            for d2 in range(d + 1, min(d + 4, self.p.days))
            for s2 in range(len(self.p.shifts))
            if (i, d2, s2) in self.x
        ]

    def build(self) -> cp_model.CpModel:
        self.variables()
        self.coverage()
        self.rest()
        self.hours()
        self.wishes()
        self.night_limits()
        self.m.minimize(sum(self.cost))
        hint = set(first_roster(self.p, [float(t) for t in self.targets]))
        for key, var in self.x.items():
            self.m.add_hint(var, key in hint)
        return self.m


def solve(
    problem: RosterProblem,
    options: SolveOptions | None = None,
    progress: Progress | None = None,
) -> RosterResult:
    """The best roster found within the time limit, its objective, bound, gap and the
    shifts left short (each with the requirement or rule that leaves it short)."""
    opts = options or SolveOptions()
    broken = template_problems(problem)
    if broken:
        raise RosterError("; ".join(broken))
    builder = _Builder(problem)
    model = builder.build()
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = opts.time_limit
    solver.parameters.num_workers = opts.workers
    solver.parameters.random_seed = opts.seed
    solver.parameters.relative_gap_limit = opts.gap_limit
    started = time.perf_counter()
    reporter = _Reporter(progress) if progress else None
    status = solver.solve(model, reporter)
    seconds = time.perf_counter() - started
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RosterError(
            _(
                "geen rooster gevonden binnen {time_limit} s ({name})",
                time_limit=short(opts.time_limit),
                name=name,
            )
        )
    assignments = sorted(k for k, v in builder.x.items() if solver.boolean_value(v))
    objective = solver.objective_value / 60
    bound = solver.best_objective_bound / 60
    # CP-SAT says OPTIMAL also when it stops at ``gap_limit``: the gap is always computed
    gap = (objective - bound) / max(1.0, abs(objective))
    hours: dict[str, float] = {p.key: 0.0 for p in problem.people}
    for i, _d, s in assignments:
        hours[problem.people[i].key] += builder.minutes[s] / 60
    targets = {p.key: p.contract_hours * (problem.days - len(p.absent)) / 7 for p in problem.people}
    missing = {k: int(solver.value(v)) for k, v in builder.slack.items()}
    return RosterResult(
        status=name,
        assignments=assignments,
        objective=objective,
        bound=bound,
        gap=max(0.0, gap),
        seconds=seconds,
        shortfalls=explain_slack(problem, missing),
        hours=hours,
        targets=targets,
        unmet=unmet_wishes(problem, assignments, missing, hours, targets),
    )


def explain_slack(
    problem: RosterProblem, missing: dict[tuple[int, int, str], int]
) -> list[Shortfall]:
    """Each short shift with the requirement that names it: the necessary conditions
    explain what absences and qualifications leave short; the rest is the working-time
    rules' doing (rest, weekly hours, nights) or the contract-hours margin."""
    known = {(f.day, f.shift, f.what): f for f in necessary_shortfalls(problem)}
    rules = {"mensen": RULE_CREW.format(crew=problem.crew_size), PRIO1: RULE_PRIO1, HOVJ: RULE_HOVJ}
    out: list[Shortfall] = []
    for (day, shift, what), amount in sorted(missing.items()):
        if amount <= 0:
            continue
        found = known.get((day, shift, what))
        if found is not None and found.missing >= amount:
            out.append(found)
            continue
        reason = f"{rules[what]} niet te halen binnen {RULE_WORKING_TIME}"
        out.append(Shortfall(day, shift, what, amount, RULE_WORKING_TIME, reason))
    return out
