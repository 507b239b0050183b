"""Run an allocation scenario on its inputs, level by level, with an explanation per team."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from korps.common import formatting
from korps.common.formatting import short, significant
from korps.common.i18n import _
from korps.planning.allocation import (
    AT_MAXIMUM,
    AT_MINIMUM,
    AllocationError,
    Bound,
    allocate_group,
    largest_remainder,
    on_grid,
    scores,
    transfer,
)
from korps.planning.scenario import Level, Scenario
from korps.planning.team_inputs import Inputs, TeamInput
from korps.planning.weights import Fit


@dataclass
class Row:
    """One team's result. ``proposed`` is rounded and includes ``fixed``."""

    key: str
    name: str
    level: int
    group: str | None
    score: float
    target: float
    share: float
    proposed: float
    fixed: float = 0.0
    fixed_below: float = 0.0  # fixed amounts of the teams under this one
    current: float | None = None
    bound: str | None = None
    norm_required: float | None = None
    notes: list[str] = field(default_factory=list)
    values: dict[str, float] = field(default_factory=dict)  # the team's inputs (indicators)

    @property
    def total(self) -> float:
        """What the team gets in all, with the fixed amounts of the teams under it."""
        return round(self.proposed + self.fixed_below, 10)

    @property
    def difference(self) -> float | None:
        return None if self.current is None else round(self.total - self.current, 10)

    @property
    def norm_met(self) -> bool | None:
        return None if self.norm_required is None else self.proposed >= self.norm_required - 1e-9

    @property
    def norm_met_current(self) -> bool | None:
        if self.norm_required is None or self.current is None:
            return None
        return self.current >= self.norm_required - 1e-9


@dataclass
class Result:
    scenario: str
    unit: str | None
    total: float
    distributed: float
    step: float | None
    reserves: list[tuple[str, float]]
    rows: list[Row]
    columns: list[str]  # the weighted columns of the first level
    notes: list[str] = field(default_factory=list)
    fit: Fit | None = None  # when the first level's weights were fitted (NNLS)
    fixed: list[tuple[str, float]] = field(default_factory=list)  # (label, fte) on top
    replaced_fit: str | None = None  # own weights replaced the fit (what the page says)

    @property
    def fixed_total(self) -> float:
        """The fixed amounts per team (e.g. 1 HOvJ each), which come on top of ``total``."""
        return round(sum(amount for _label, amount in self.fixed), 10)

    @property
    def grand_total(self) -> float:
        """Everything the scenario hands out: the total (reserves included) plus the fixed
        amounts. The table's TOTAAL line (first level + reserves) is this figure."""
        return round(self.total + self.fixed_total, 10)

    def level(self, number: int) -> list[Row]:
        return [r for r in self.rows if r.level == number]

    def ordered(self) -> list[Row]:
        """Tree order: every team followed by the teams under it."""
        children: dict[str | None, list[Row]] = {}
        for row in self.rows:
            if row.level > 0:
                children.setdefault(row.group, []).append(row)
        out: list[Row] = []

        def visit(row: Row) -> None:
            out.append(row)
            for child in children.get(row.key, []):
                visit(child)

        for top in self.level(0):
            visit(top)
        return out


def _derive(scenario: Scenario, teams: Sequence[TeamInput]) -> list[TeamInput]:
    result = []
    for team in teams:
        values = dict(team.values)
        for column, factors in scenario.derive.items():
            missing = [f for f in factors if f not in values]
            if not missing:
                values[column] = math.prod(values[f] for f in factors)
        result.append(TeamInput(team.key, team.name, team.group, team.level, values))
    return result


def _bounds(level: Level, teams: Sequence[TeamInput]) -> tuple[list[Bound], list[float | None]]:
    keys = {t.key for t in teams}
    for mapping, what in ((level.minimum, "minimum"), (level.maximum, "maximum")):
        unknown = [k for k in mapping if k != "*" and k not in keys]
        if unknown:
            raise AllocationError(
                _("{what} voor onbekend team {team}", what=what, team=repr(unknown[0]))
            )
    bounds: list[Bound] = []
    required: list[float | None] = []
    for team in teams:
        low = level.minimum.get(team.key, level.minimum.get("*", 0.0))
        high = level.maximum.get(team.key, level.maximum.get("*", math.inf))
        rule = "minimum"
        need: float | None = None
        if level.norm is not None:
            if level.norm.population not in team.values:
                raise AllocationError(
                    _(
                        "team {team} heeft geen {column} voor de {norm} 1:{ratio}",
                        team=repr(team.key),
                        column=repr(level.norm.population),
                        norm=level.norm.label,
                        ratio=format(level.norm.ratio, "g"),
                    )
                )
            need = team.values[level.norm.population] / level.norm.ratio
            if level.norm.level == "team" and need > low:
                low, rule = need, f"{level.norm.label} 1:{level.norm.ratio:g}"
        bounds.append(Bound(minimum=low, maximum=high, minimum_rule=rule))
        required.append(need)
    return bounds, required


def _limits_below(
    scenario: Scenario, teams: Sequence[TeamInput], number: int
) -> dict[str, tuple[float, float]]:
    """For each team at level ``number``: the least and most its teams below can take.

    A parent must get at least the sum of its teams' minimums (and at most the sum of their
    maximums), or the next level cannot be allocated: these limits become its bounds.
    """
    if number + 1 >= len(scenario.levels):
        return {}
    below = _limits_below(scenario, teams, number + 1)
    level = scenario.levels[number + 1]
    result: dict[str, tuple[float, float]] = {}
    for parent in (t for t in teams if t.level == number):
        children = [t for t in teams if t.level == number + 1 and t.group == parent.key]
        if not children:
            continue
        bounds = on_grid(_bounds(level, children)[0], scenario.step)
        limits = [below.get(c.key, (0.0, math.inf)) for c in children]
        low = sum(max(b.minimum, lim[0]) for b, lim in zip(bounds, limits, strict=True))
        high = sum(min(b.maximum, lim[1]) for b, lim in zip(bounds, limits, strict=True))
        result[parent.key] = (low, high)
    return result


def _allocate_level(
    scenario: Scenario,
    level: Level,
    number: int,
    teams: list[TeamInput],
    total: float,
    limits: dict[str, tuple[float, float]],
) -> list[Row]:
    keys = [t.key for t in teams]
    score = scores([t.values for t in teams], level.weights, keys)
    bounds, required = _bounds(level, teams)
    bounds = on_grid(bounds, scenario.step)
    for i, key in enumerate(keys):
        if key in limits:
            low, high = limits[key]
            own = bounds[i]
            bounds[i] = Bound(
                minimum=max(own.minimum, low),
                maximum=min(own.maximum, high),
                minimum_rule=own.minimum_rule if own.minimum >= low else _("minima van zijn teams"),
                maximum_rule=own.maximum_rule
                if own.maximum <= high
                else _("maxima van zijn teams"),
            )
    if level.norm is not None and level.norm.level == "unit":
        need = sum(r or 0.0 for r in required)
        if total < need - 1e-9:
            raise AllocationError(
                _(
                    "totaal {total} is lager dan de {norm}: {need} nodig voor {people} inwoners",
                    total=short(total),
                    norm=level.norm.label,
                    need=formatting.number(need, 1),
                    people=formatting.number(
                        sum(t.values[level.norm.population] for t in teams), 0
                    ),
                )
            )
    group = allocate_group(
        keys=keys, score=score, total=total, bounds=bounds, step=None, solver=scenario.solver
    )
    amounts = group.amounts.copy()
    lo = np.array([b.minimum for b in bounds])
    hi = np.array([b.maximum for b in bounds])
    notes: dict[str, list[str]] = {k: [] for k in keys}
    basis = " + ".join(f"{significant(w)}x{c}" if w != 1 else c for c, w in level.weights.items())
    for share in group.shares:
        notes[share.key].append(
            _(
                "aandeel {share} van {total} naar {basis} (score {score} van {scores})",
                share=formatting.number(share.target, 3),
                total=short(total),
                basis=basis,
                score=short(share.score),
                scores=short(score.sum()),
            )
        )
        if share.state == AT_MINIMUM:
            notes[share.key].append(
                _(
                    "verhoogd tot {amount} door {rule}",
                    amount=formatting.number(share.amount, 3),
                    rule=share.rule,
                )
            )
        elif share.state == AT_MAXIMUM:
            notes[share.key].append(
                _(
                    "begrensd op {amount} door {rule}",
                    amount=formatting.number(share.amount, 3),
                    rule=share.rule,
                )
            )
    for move in (m for m in level.transfers if m.to in keys):
        before = amounts.copy()
        amounts = transfer(amounts, keys, to=move.to, amount=move.amount, lo=lo)
        for key, old, new in zip(keys, before, amounts, strict=True):
            if abs(new - old) > 1e-12:
                notes[key].append(
                    _(
                        "{label}: {change} (naar {team})",
                        label=move.label,
                        change=("+" if new > old else "") + formatting.number(new - old, 3),
                        team=move.to,
                    )
                )
    continuous = amounts.copy()
    if scenario.step is not None:
        amounts = largest_remainder(amounts, total, scenario.step, keys, lo, hi)
        for key, old, new in zip(keys, continuous, amounts, strict=True):
            if abs(new - old) > 1e-9:
                notes[key].append(
                    _(
                        "afgerond {old} -> {new} (grootste rest)",
                        old=formatting.number(old, 3),
                        new=short(new),
                    )
                )
    fixed = level.fixed.amount if level.fixed else 0.0
    rows = []
    for i, team in enumerate(teams):
        if fixed:
            notes[team.key].append(
                ("+" if fixed > 0 else "")
                + f"{short(fixed)} {level.fixed.label if level.fixed else ''}"
            )
        share = group.shares[i]
        rows.append(
            Row(
                key=team.key,
                name=team.name,
                level=number,
                group=team.group,
                score=share.score,
                target=share.target,
                share=float(continuous[i]),
                proposed=round(float(amounts[i]) + fixed, 10),
                fixed=fixed,
                current=team.values.get(scenario.compare) if scenario.compare else None,
                bound=share.rule,
                norm_required=required[i],
                notes=notes[team.key],
                values=dict(team.values),
            )
        )
    return rows


def run(scenario: Scenario, inputs: Inputs) -> Result:
    """Allocate the scenario's total: reserves first, then level by level."""
    teams = _derive(scenario, inputs.teams)
    first = [t for t in teams if t.level == 0]
    if not first:
        raise AllocationError(_("geen teams op het eerste niveau"))
    if scenario.total is not None:
        total = scenario.total
    else:
        column = scenario.total_from or ""
        missing = [t.key for t in first if column not in t.values]
        if missing:
            raise AllocationError(
                _(
                    "geen {column} voor {teams} (total_from)",
                    column=repr(column),
                    teams=", ".join(missing),
                )
            )
        total = round(sum(t.values[column] for t in first), 10)
    reserved = sum(r.amount for r in scenario.reserve)
    if reserved > total + 1e-9:
        raise AllocationError(
            _(
                "reserveringen {reserved} zijn meer dan het totaal {total}",
                reserved=short(reserved),
                total=short(total),
            )
        )
    distributed = round(total - reserved, 10)
    known = {t.key for t in teams}
    for level in scenario.levels:
        for move in level.transfers:
            if move.to not in known:
                raise AllocationError(
                    _("overheveling naar onbekend team {team}", team=repr(move.to))
                )
    rows = _allocate_level(
        scenario, scenario.levels[0], 0, first, distributed, _limits_below(scenario, teams, 0)
    )
    parents = rows
    for number, level in enumerate(scenario.levels[1:], start=1):
        children_rows: list[Row] = []
        for parent in parents:
            children = [t for t in teams if t.level == number and t.group == parent.key]
            if not children:
                raise AllocationError(
                    _(
                        "{parent} heeft geen teams op niveau {level}",
                        parent=repr(parent.key),
                        level=number + 1,
                    )
                )
            share = round(parent.proposed - parent.fixed, 10)
            children_rows += _allocate_level(
                scenario, level, number, children, share, _limits_below(scenario, teams, number)
            )
        rows += children_rows
        parents = children_rows
    by_key = {row.key: row for row in rows}
    for row in sorted(rows, key=lambda r: -r.level):
        if row.group in by_key and row.level > 0:
            by_key[row.group].fixed_below += row.fixed + row.fixed_below
    return Result(
        scenario=scenario.name,
        unit=inputs.unit,
        total=total,
        distributed=distributed,
        step=scenario.step,
        reserves=[(r.name, r.amount) for r in scenario.reserve],
        rows=rows,
        columns=list(scenario.levels[0].weights),
        fixed=[
            (
                level.fixed.label,
                round(level.fixed.amount * len([r for r in rows if r.level == i]), 10),
            )
            for i, level in enumerate(scenario.levels)
            if level.fixed is not None and level.fixed.amount
        ],
    )
