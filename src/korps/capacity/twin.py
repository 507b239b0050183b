"""Roster -> twin: the units a team really has on the road per shift (after absences) run
through the simulation (``korps.sim``), against the units the roster was made for.

A unit on the road needs ``crew`` deployable people and a deployable prio-1 driver; per
shift the twin (one pattern for every day) gets the mean over the roster's days, rounded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.capacity import models as m
from korps.capacity.rostering import Cell, deployable
from korps.organisation.models import Unit
from korps.planning.twin import scenario_for_unit
from korps.sim.engine import build_model, replicate
from korps.sim.kpi import SimResult, summarize
from korps.sim.scenario import SimScenario


def units_on_the_road(cells: list[Cell], *, crew: int = 2) -> dict[str, int]:
    """Shift name -> units a day (mean over the days, rounded half up)."""
    per: dict[str, list[int]] = {}
    for cell in cells:
        per.setdefault(cell.shift, []).append(min(cell.deployable // crew, cell.drivers))
    return {name: math.floor(sum(v) / len(v) + 0.5) for name, v in per.items() if v}


def units_planned(roster: m.Roster) -> dict[str, int]:
    names = [t["name"] for t in roster.templates]
    return {name: min(row[i] for row in roster.cars) for i, name in enumerate(names)}


def _twin_shift(scenario: SimScenario, roster: m.Roster) -> dict[str, str]:
    """Roster template name -> the scenario's shift that starts at the same time."""
    out = {}
    for template in roster.templates:
        hh, mm = divmod(int(template["start_minute"]), 60)
        start = f"{hh:02d}:{mm:02d}"
        for shift in scenario.roster.shifts:
            if shift.start == start:
                out[template["name"]] = shift.name
    return out


def _with_team(scenario: SimScenario, team: str, units: dict[str, int]) -> SimScenario:
    table = {k: dict(v) for k, v in scenario.roster.units.items()}
    table[team] = units
    roster = scenario.roster.model_copy(update={"units": table})
    return scenario.model_copy(update={"roster": roster})


@dataclass(frozen=True)
class TwinEffect:
    team: str
    planned: dict[str, int]  # twin shift -> units the roster was made for
    real: dict[str, int]  # twin shift -> units on the road after absences
    prio1_planned: float  # share of the team's prio-1 incidents within the norm
    prio1_real: float


def _prio1(result: SimResult, team: str) -> float:
    for row in result.areas:
        if row.key == team and row.priority == 1:
            return float(row.within_norm.mean)
    return float("nan")


def region_of(session: Session, *, team: str) -> str:
    """The regional unit (with a region code) above ``team``."""
    unit = session.scalar(select(Unit).where(Unit.slug == team))
    ids = [int(i) for i in (unit.path if unit else "").strip("/").split("/") if i]
    for ancestor in reversed(ids):
        found = session.get(Unit, ancestor)
        if found is not None and found.region_code:
            return found.slug
    raise ValueError(f"{team} ligt niet in een regionale eenheid")


def roster_effect(
    session: Session,
    *,
    roster: m.Roster,
    team: str,
    region: str | None = None,
    days: float = 28,
    replications: int = 3,
    seed: int = 1,
) -> TwinEffect:
    """Simulate ``region``'s twin twice: the team with the roster's planned units per shift,
    and with the units really on the road after absences; prio-1 compliance of the team."""
    region = region or region_of(session, team=team)
    base = scenario_for_unit(session, slug=region, days=days)
    if team not in base.roster.units:
        raise ValueError(f"{team} is geen gebied in de digital twin van {region}")
    names = _twin_shift(base, roster)
    cells = deployable(session, roster=roster)
    planned = {names[k]: v for k, v in units_planned(roster).items() if k in names}
    real = {names[k]: v for k, v in units_on_the_road(cells).items() if k in names}
    shares = []
    for units in (planned, real):
        model = build_model(_with_team(base, team, units))
        reps = replicate(model, replications=replications, seed=seed)
        shares.append(_prio1(summarize(model, reps, seed), team))
    return TwinEffect(team, planned, real, shares[0], shares[1])
