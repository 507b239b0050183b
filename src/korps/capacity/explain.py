"""Why a roster cannot cover a shift, before any solving: necessary conditions per shift.

A shift needs ``crew_size`` people per car, a prio-1 driver per car and a HOvJ; whoever is
absent that day (or has no valid qualification) cannot count. These checks name the shift
and the requirement; what they cannot see (rest times, weekly hours, night limits) the
generator finds with slack variables (``korps.capacity.generator``).
"""

from __future__ import annotations

from datetime import date

from korps.capacity.problem import HOVJ, PRIO1, RosterProblem, ShiftTemplate, Shortfall
from korps.capacity.rules import WorkingTimeRules, is_night
from korps.common.formatting import short
from korps.common.i18n import _

RULE_CREW = "{crew} mensen per noodhulpauto"
RULE_PRIO1 = "minstens 1 prio-1-chauffeur per auto"
RULE_HOVJ = "een HOvJ bereikbaar per dienst"
RULE_WORKING_TIME = "Arbeidstijdenwet (rust, uren per week, nachten) en contracturen"


def available(problem: RosterProblem, day: int) -> list[int]:
    return [i for i, p in enumerate(problem.people) if day not in p.absent]


def necessary_shortfalls(problem: RosterProblem) -> list[Shortfall]:
    """Shifts that cannot be covered even if everyone available worked them."""
    out: list[Shortfall] = []
    for day in range(problem.days):
        here = available(problem, day)
        when = problem.day(day)
        drivers = sum(1 for i in here if problem.people[i].qualified(PRIO1, when))
        hovj = sum(1 for i in here if problem.people[i].qualified(HOVJ, when))
        absent = len(problem.people) - len(here)
        for shift, cars in enumerate(problem.cars[day]):
            if cars <= 0:
                continue
            need = cars * problem.crew_size
            if len(here) < need:
                reason = f"{len(here)} beschikbaar, {absent} afwezig"
                rule = RULE_CREW.format(crew=problem.crew_size)
                out.append(Shortfall(day, shift, "mensen", need - len(here), rule, reason))
            if drivers < cars:
                reason = f"{cars} auto's nodig, {drivers} prio-1-chauffeur(s) beschikbaar"
                out.append(Shortfall(day, shift, PRIO1, cars - drivers, RULE_PRIO1, reason))
            if hovj < problem.hovj_per_shift:
                reason = f"{hovj} HOvJ beschikbaar"
                missing = problem.hovj_per_shift - hovj
                out.append(Shortfall(day, shift, HOVJ, missing, RULE_HOVJ, reason))
    return out


def template_problem(template: ShiftTemplate, rules: WorkingTimeRules) -> str | None:
    """Why a shift template breaks a working-time rule by itself (Dutch), or None: longer
    than a shift may be, or a night shift (marked, or by its hours) longer than a night may be."""
    hours = template.minutes / 60
    if hours > rules.max_shift_hours:
        return _(
            "dienst {name}: {rule} ({hours} uur)",
            name=template.name,
            rule=rules.describe("dienstduur"),
            hours=short(hours),
        )
    start, end = template.bounds(date(2027, 1, 4))
    if (template.night or is_night(start, end, rules)) and hours > rules.max_night_shift_hours:
        return _(
            "dienst {name}: regel nachtdienstduur, {rule} ({hours} uur)",
            name=template.name,
            rule=rules.describe("nachtdienstduur"),
            hours=short(hours),
        )
    return None


def template_problems(problem: RosterProblem) -> list[str]:
    """Shift templates that break a working-time rule by themselves (Dutch)."""
    found = (template_problem(t, problem.rules) for t in problem.shifts)
    return [text for text in found if text is not None]
