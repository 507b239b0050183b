"""Build the pure allocation inputs from the database or from a scenario's inline teams."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.common.i18n import _
from korps.organisation.models import Coverage, Gemeente, GemeenteCrime, Unit, UnitFigure
from korps.organisation.service import get_unit
from korps.organisation.tree import subtree_query
from korps.planning.allocation import AllocationError
from korps.planning.scenario import Scenario
from korps.planning.team_inputs import Inputs, TeamInput


def inline_inputs(scenario: Scenario) -> Inputs:
    """Levels from the `group` links: no group (or an unknown one) is level 0."""
    keys = [t.key for t in scenario.teams]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise AllocationError(
            _("team {team} staat er twee keer in", team=repr(sorted(duplicates)[0]))
        )
    by_key = {t.key: t for t in scenario.teams}

    def depth(key: str) -> int:
        seen = set()
        level = 0
        group = by_key[key].group
        while group is not None and group in by_key:
            if group in seen:
                raise AllocationError(
                    _("team {team} zit in een kringloop van groepen", team=repr(key))
                )
            seen.add(group)
            level += 1
            group = by_key[group].group
        return level

    return Inputs(
        unit=None,
        teams=[
            TeamInput(t.key, t.name or t.key, t.group, depth(t.key), dict(t.values))
            for t in scenario.teams
        ],
    )


def _figures(session: Session, ids: list[int]) -> dict[int, dict[str, float]]:
    values: dict[int, dict[str, float]] = defaultdict(dict)
    query = (
        select(UnitFigure)
        .where(UnitFigure.unit_id.in_(ids))
        .order_by(UnitFigure.period.desc(), UnitFigure.id)
    )
    for figure in session.scalars(query):
        values[figure.unit_id].setdefault(figure.category, figure.value)
    return values


def _indicators(session: Session, root: Unit, teams: list[Unit]) -> dict[int, dict[str, float]]:
    """Inhabitants, area and registered crime of the municipalities each team's subtree covers."""
    crime = {
        (code, year): total
        for code, year, total in session.execute(
            select(GemeenteCrime.gemeente_code, GemeenteCrime.year, GemeenteCrime.total)
        )
    }
    query = (
        select(Unit.path, Coverage.share, Gemeente)
        .join(Unit, Coverage.unit_id == Unit.id)
        .join(Gemeente, Coverage.gemeente_code == Gemeente.code)
        .where(Unit.path.startswith(root.path, autoescape=True))
    )
    rows = session.execute(query).all()
    result: dict[int, dict[str, float]] = {}
    for team in teams:
        sums = {
            "inwoners": 0.0,
            "oppervlakte_km2": 0.0,
            "misdrijven_2023": 0.0,
            "misdrijven_2024": 0.0,
        }
        for path, share, gemeente in rows:
            if path.startswith(team.path):
                sums["inwoners"] += share * gemeente.population
                sums["oppervlakte_km2"] += share * gemeente.area_km2
                for year in (2023, 2024):
                    sums[f"misdrijven_{year}"] += share * crime.get((gemeente.code, year), 0)
        result[team.id] = sums
    return result


def database_inputs(session: Session, scenario: Scenario) -> Inputs:
    """The teams of each level under the scenario's unit, with their figures and indicators."""
    if scenario.unit is None:
        raise AllocationError(_("het scenario noemt geen `unit`"))
    root = get_unit(session, slug=scenario.unit)
    units = session.scalars(subtree_query(root)).all()
    levels: list[list[tuple[Unit, Unit | None]]] = []
    parents: list[Unit | None] = [None]
    for level in scenario.levels:
        found: list[tuple[Unit, Unit | None]] = []
        for parent in parents:
            scope = parent.path if parent is not None else root.path
            found += [
                (u, parent)
                for u in units
                if u.kind == level.kind and u.path.startswith(scope) and u.id != root.id
            ]
        if not found:
            raise AllocationError(
                _(
                    "geen eenheden van soort {kind} onder {unit}",
                    kind=repr(level.kind),
                    unit=repr(scenario.unit),
                )
            )
        levels.append(found)
        parents = [u for u, _ in found]
    all_units = [u for found in levels for u, _ in found]
    figures = _figures(session, [u.id for u in all_units])
    extra = _indicators(session, root, all_units) if scenario.indicators else {}
    teams = []
    for number, found in enumerate(levels):
        for unit, parent in found:
            values = dict(figures.get(unit.id, {}))
            for name in scenario.indicators:
                values[name] = extra[unit.id][name]
            teams.append(
                TeamInput(unit.slug, unit.name, parent.slug if parent else None, number, values)
            )
    return Inputs(unit=scenario.unit, teams=teams)


def with_workload(inputs: Inputs, workload: dict[str, dict[str, float]]) -> Inputs:
    """Add the columns of a workload file to the teams it names; an unknown team is an error."""
    known = {t.key for t in inputs.teams}
    unknown = sorted(set(workload) - known)
    if unknown:
        raise AllocationError(
            _(
                "het werklastbestand noemt onbekend team {team} (teams: {known})",
                team=repr(unknown[0]),
                known=", ".join(sorted(known)),
            )
        )
    return Inputs(
        unit=inputs.unit,
        teams=[
            TeamInput(t.key, t.name, t.group, t.level, {**t.values, **workload.get(t.key, {})})
            for t in inputs.teams
        ],
    )
