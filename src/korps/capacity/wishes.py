"""Which wishes a roster could not honour, and why (pure; ``korps.capacity.generator``).

A wish is soft: the generator pays ``Weights.wish`` for every shift against it, far less
than a missing crew member and less than a shift away from the contract hours. So a wish
goes unmet for one of three reasons, checked in this order: the shift needed the person
(without them it is short of people, prio-1 drivers or a HOvJ), the person needed the shift
to come near their contract hours, or other soft goals (another wish, a fair share of
nights and weekends) weighed more.
"""

from __future__ import annotations

from korps.capacity.explain import RULE_CREW, RULE_HOVJ, RULE_PRIO1
from korps.capacity.problem import HOVJ, PRIO1, RosterProblem, UnmetWish

OTHER_GOALS = "een andere wens of een eerlijke verdeling van nachten en weekenden woog zwaarder"


def _needed(
    problem: RosterProblem, person: int, day: int, shift: int, on: list[int], short: bool
) -> str | None:
    """Why the shift could not do without ``person`` (Dutch), or None."""
    cars = problem.cars[day][shift]
    if cars <= 0:
        return None
    when = problem.day(day)
    need = cars * problem.crew_size
    name = problem.shifts[shift].name
    if short or len(on) <= need:
        rule = RULE_CREW.format(crew=problem.crew_size)
        return f"nodig voor de bezetting: {name} heeft {len(on)} van {need} mensen ({rule})"
    drivers = [i for i in on if problem.people[i].qualified(PRIO1, when)]
    if person in drivers and len(drivers) <= cars:
        return f"nodig als prio-1-chauffeur: {len(drivers)} voor {cars} auto('s) ({RULE_PRIO1})"
    hovj = [i for i in on if problem.people[i].qualified(HOVJ, when)]
    if person in hovj and len(hovj) <= problem.hovj_per_shift:
        return f"nodig als HOvJ in {name} ({RULE_HOVJ})"
    return None


def unmet_wishes(
    problem: RosterProblem,
    assignments: list[tuple[int, int, int]],
    missing: dict[tuple[int, int, str], int],
    hours: dict[str, float],
    targets: dict[str, float],
) -> list[UnmetWish]:
    """Every wish the roster goes against, with the reason."""
    worked = {(i, d): s for i, d, s in assignments}
    on: dict[tuple[int, int], list[int]] = {}
    for i, d, s in assignments:
        on.setdefault((d, s), []).append(i)
    out: list[UnmetWish] = []
    for wish in problem.all_wishes():
        shift = worked.get((wish.person, wish.day))
        if shift is None or not wish.breaks(problem, shift):
            continue
        short = missing.get((wish.day, shift, "mensen"), 0) > 0
        crew = on.get((wish.day, shift), [])
        reason = _needed(problem, wish.person, wish.day, shift, crew, short)
        if reason is None:
            key = problem.people[wish.person].key
            if hours.get(key, 0.0) <= targets.get(key, 0.0):
                reason = (
                    f"nodig om de contracturen te halen ({hours.get(key, 0.0):g} van "
                    f"{targets.get(key, 0.0):.1f} uur in deze periode)"
                )
            else:
                reason = OTHER_GOALS
        out.append(UnmetWish(wish, shift, reason))
    return out
