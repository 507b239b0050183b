"""Roster -> twin: the units a team really has on the road per shift (after absences) run
through the simulation (``korps.sim``), against the units the roster was made for.

A unit on the road needs ``crew`` deployable people and a deployable prio-1 driver. The twin
runs one pattern of units per shift for every day, so each distinct day of the roster (its
units per shift) is simulated once, on the same incidents (same seed), and the share within
the norm is the mean over the roster's days: two people ill on one Monday count for that
Monday only, as one day in seven.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.capacity import models as m
from korps.capacity.rostering import Cell, deployable
from korps.common.formatting import date
from korps.common.i18n import _
from korps.organisation.models import Unit
from korps.planning.twin import scenario_for_unit
from korps.sim.engine import build_model, replicate
from korps.sim.kpi import SimResult, summarize
from korps.sim.scenario import SimScenario


def _per_day(
    cells: list[Cell], crew: int, *, absences: bool = True
) -> dict[object, dict[str, int]]:
    """Day -> shift name -> units on the road (people // crew, at most the drivers), after
    absences or (``absences=False``) as rostered."""
    out: dict[object, dict[str, int]] = {}
    for cell in cells:
        if absences:
            units = min(cell.deployable // crew, cell.drivers)
        else:
            units = min(cell.rostered // crew, cell.drivers_rostered)
        out.setdefault(cell.day, {})[cell.shift] = units
    return out


def units_on_the_road(cells: list[Cell], *, crew: int = 2) -> dict[str, int]:
    """Shift name -> units a day (mean over the days, rounded half up)."""
    per: dict[str, list[int]] = {}
    for units in _per_day(cells, crew).values():
        for name, n in units.items():
            per.setdefault(name, []).append(n)
    return {name: math.floor(sum(v) / len(v) + 0.5) for name, v in per.items() if v}


def units_planned(roster: m.Roster) -> dict[str, int]:
    names = [t["name"] for t in roster.templates]
    return {name: min(row[i] for row in roster.cars) for i, name in enumerate(names)}


def _patterns(
    days: list[dict[str, int]], names: dict[str, str]
) -> Counter[tuple[tuple[str, int], ...]]:
    """How many days have each pattern of units per twin shift."""
    out: Counter[tuple[tuple[str, int], ...]] = Counter()
    for units in days:
        out[tuple(sorted((names[k], v) for k, v in units.items() if k in names))] += 1
    return out


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
    planned: dict[str, float]  # twin shift -> units a day the roster was made for (mean)
    real: dict[str, float]  # twin shift -> units a day on the road after absences (mean)
    prio1_planned: float  # share of the team's prio-1 incidents within the norm
    prio1_real: float
    rostered: dict[str, float]  # twin shift -> units a day as rostered, before absences
    prio1_rostered: float
    short: list[str]  # the shifts short of people now, named (day and shift)


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
    raise ValueError(_("{team} ligt niet in een regionale eenheid", team=team))


def _mean(patterns: Counter[tuple[tuple[str, int], ...]]) -> dict[str, float]:
    total = sum(patterns.values())
    out: dict[str, float] = {}
    for pattern, count in patterns.items():
        for shift, units in pattern:
            out[shift] = out.get(shift, 0.0) + units * count / total
    return {k: round(v, 2) for k, v in out.items()}


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
    """Simulate ``region``'s twin with the team's units per shift as the roster planned them,
    as rostered, and as on the road after absences, day by day (each distinct day once, on
    the same incidents); the team's prio-1 share within the norm, averaged over the days."""
    region = region or region_of(session, team=team)
    base = scenario_for_unit(session, slug=region, days=days)
    if team not in base.roster.units:
        raise ValueError(
            _("{team} is geen gebied in de digital twin van {region}", team=team, region=region)
        )
    names = _twin_shift(base, roster)
    cells = deployable(session, roster=roster)
    templates = [t["name"] for t in roster.templates]
    planned_days = [dict(zip(templates, row, strict=True)) for row in roster.cars]
    real_days = list(_per_day(cells, 2).values())
    rostered_days = list(_per_day(cells, 2, absences=False).values())
    shares: dict[tuple[tuple[str, int], ...], float] = {}
    results = []
    for per_day in (planned_days, real_days, rostered_days):
        patterns = _patterns(per_day, names)
        total = sum(patterns.values())
        share = 0.0
        for pattern, count in patterns.items():
            if pattern not in shares:
                model = build_model(_with_team(base, team, dict(pattern)))
                reps = replicate(model, replications=replications, seed=seed)
                shares[pattern] = _prio1(summarize(model, reps, seed), team)
            share += shares[pattern] * count / total
        results.append((_mean(patterns), share))
    short = [
        _(
            "{day} {shift}: {count} te weinig",
            day=date(c.day, "short"),
            shift=c.shift,
            count=c.shortfall,
        )
        for c in cells
        if c.shortfall
    ]
    (planned, share_planned), (real, share_real), (rostered, share_rostered) = results
    return TwinEffect(
        team, planned, real, share_planned, share_real, rostered, share_rostered, short
    )
