"""Distribute a total over teams: proportional to a score, within bounds, rounded to a step.

Pure functions on numpy arrays and plain records; no database. The continuous allocation
is ``x_i = clip(lam * s_i, lo_i, hi_i)`` with ``lam`` chosen so the total is met
("water-filling"): the unique minimiser of ``sum((x_i - t_i)**2 / t_i)`` for the
proportional targets ``t_i``, i.e. as proportional as the bounds allow. Rounding to a step
uses largest remainders and keeps the exact total.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from korps.planning.proportional import (
    AT_MAXIMUM,
    AT_MINIMUM,
    EPS,
    FREE,
    AllocationError,
    FloatArray,
    bound_states,
    bounded_proportional,
)

__all__ = [
    "AT_MAXIMUM",
    "AT_MINIMUM",
    "EPS",
    "FREE",
    "AllocationError",
    "Bound",
    "Share",
    "allocate_group",
    "bound_states",
    "bounded_proportional",
    "largest_remainder",
    "on_grid",
    "scores",
    "transfer",
]


@dataclass(frozen=True)
class Bound:
    """A team's lower and upper bound, with the rule that set each."""

    minimum: float = 0.0
    maximum: float = math.inf
    minimum_rule: str = "minimum"
    maximum_rule: str = "maximum"


@dataclass(frozen=True)
class Share:
    """The continuous result of one team before rounding."""

    key: str
    score: float
    target: float  # unbounded proportional share
    amount: float  # after bounds
    state: int  # AT_MINIMUM, FREE or AT_MAXIMUM
    rule: str | None  # the rule that bound it


def scores(
    values: Sequence[Mapping[str, float]], weights: Mapping[str, float], keys: Sequence[str]
) -> FloatArray:
    """Weighted workload score per team: ``sum(w_c * value_c)``; every weight needs a column."""
    if not weights:
        raise AllocationError("no weights: name at least one indicator")
    result = np.zeros(len(values))
    for column, weight in weights.items():
        if not math.isfinite(weight) or weight < 0:
            raise AllocationError(f"weight of {column!r} must be a finite number >= 0")
        for i, row in enumerate(values):
            if column not in row:
                raise AllocationError(f"team {keys[i]!r} has no value for indicator {column!r}")
            value = row[column]
            if not math.isfinite(value) or value < 0:
                raise AllocationError(
                    f"team {keys[i]!r}: indicator {column!r} must be >= 0 (got {value})"
                )
            result[i] += weight * value
    return result


def check_feasible(
    keys: Sequence[str], total: float, lo: FloatArray, hi: FloatArray, rules: Sequence[Bound]
) -> None:
    """Raise AllocationError naming the constraints that cannot hold together."""
    bad = [k for k, a, b in zip(keys, lo, hi, strict=True) if a > b + EPS]
    if bad:
        raise AllocationError(
            "minimum above maximum for "
            + ", ".join(f"{k} ({lo[keys.index(k)]:g} > {hi[keys.index(k)]:g})" for k in bad)
        )
    if lo.sum() > total + EPS:
        named = [
            f"{k} {m:g} ({r.minimum_rule})"
            for k, m, r in zip(keys, lo, rules, strict=True)
            if m > 0
        ]
        raise AllocationError(
            f"total {total:g} is smaller than the sum of the minimums {lo.sum():g}: "
            + ", ".join(named)
        )
    if hi.sum() < total - EPS:
        named = [f"{k} {m:g} ({r.maximum_rule})" for k, m, r in zip(keys, hi, rules, strict=True)]
        raise AllocationError(
            f"total {total:g} is larger than the sum of the maximums {hi.sum():g}: "
            + ", ".join(named)
        )


def largest_remainder(
    values: FloatArray,
    total: float,
    step: float,
    keys: Sequence[str],
    lo: FloatArray | None = None,
    hi: FloatArray | None = None,
) -> FloatArray:
    """Round to multiples of ``step`` keeping the exact ``total``.

    Floors first, then one step more for the largest remainders; ties go to the team whose
    key sorts first. A team is not rounded below its minimum or above its maximum.
    """
    units_total = total / step
    if abs(units_total - round(units_total)) > 1e-6:
        raise AllocationError(f"total {total:g} is not a multiple of the rounding step {step:g}")
    n = len(values)
    lo = np.zeros(n) if lo is None else lo
    hi = np.full(n, np.inf) if hi is None else hi
    units = values / step
    floors = np.floor(units + 1e-9)
    remainders = units - floors
    forced = floors * step < lo - 1e-9  # rounding down would break the minimum
    allowed = (floors + 1) * step <= hi + 1e-9
    slots = round(float(units_total - floors.sum()))
    order = sorted(
        (i for i in range(n) if allowed[i] and not forced[i]),
        key=lambda i: (-round(float(remainders[i]), 9), keys[i]),
    )
    chosen = [i for i in range(n) if forced[i]]
    if len(chosen) > slots:
        raise AllocationError("the minimums cannot all be met when rounding to the step")
    chosen += order[: slots - len(chosen)]
    if len(chosen) < slots:
        raise AllocationError("the maximums leave no room to round the total to the step")
    result = floors.copy()
    result[chosen] += 1
    return np.round(result * step, 10)


def on_grid(bounds: Sequence[Bound], step: float | None) -> list[Bound]:
    """Bounds moved onto the rounding grid: minimums up, maximums down (``None``: unchanged)."""
    if step is None:
        return list(bounds)
    return [
        Bound(
            minimum=math.ceil(b.minimum / step - 1e-9) * step,
            maximum=b.maximum
            if math.isinf(b.maximum)
            else math.floor(b.maximum / step + 1e-9) * step,
            minimum_rule=b.minimum_rule,
            maximum_rule=b.maximum_rule,
        )
        for b in bounds
    ]


@dataclass
class GroupResult:
    keys: list[str]
    shares: list[Share]
    amounts: FloatArray  # rounded (or continuous without a step)
    notes: dict[str, list[str]] = field(default_factory=dict)


def allocate_group(
    *,
    keys: Sequence[str],
    score: FloatArray,
    total: float,
    bounds: Sequence[Bound],
    step: float | None,
    solver: str = "exact",
) -> GroupResult:
    """Bounded proportional allocation of ``total`` over one group, rounded to ``step``.

    With a step, the bounds are first moved onto its grid (see ``on_grid``). ``solver``:
    ``exact`` (the closed form) or ``highs`` (the same problem as a QP in HiGHS).
    """
    bounds = on_grid(bounds, step)
    if len(set(keys)) != len(keys):
        raise AllocationError("duplicate team in one group")
    if not keys:
        raise AllocationError("no teams to allocate to")
    if not math.isfinite(total) or total < 0:
        raise AllocationError(f"total must be a finite number >= 0 (got {total})")
    lo = np.array([b.minimum for b in bounds], dtype=float)
    hi = np.array([b.maximum for b in bounds], dtype=float)
    check_feasible(keys, total, lo, hi, bounds)
    if solver == "highs" and score.max(initial=0.0) > 0:
        from korps.planning.qp import solve_highs  # HiGHS only when asked for

        amounts, states = solve_highs(score, total, lo, hi)
    else:
        amounts, states = bounded_proportional(score, total, lo, hi)
    base = score if score.sum() > 0 else np.ones_like(score)
    targets = total * base / base.sum()
    shares = [
        Share(
            key=k,
            score=float(score[i]),
            target=float(targets[i]),
            amount=float(amounts[i]),
            state=int(states[i]),
            rule=bounds[i].minimum_rule
            if states[i] == AT_MINIMUM
            else bounds[i].maximum_rule
            if states[i] == AT_MAXIMUM
            else None,
        )
        for i, k in enumerate(keys)
    ]
    rounded = amounts if step is None else largest_remainder(amounts, total, step, keys, lo, hi)
    return GroupResult(keys=list(keys), shares=shares, amounts=rounded)


def transfer(
    amounts: FloatArray,
    keys: Sequence[str],
    *,
    to: str,
    amount: float,
    lo: FloatArray | None = None,
) -> FloatArray:
    """Move ``amount`` to team ``to`` from the other teams, in proportion to their amounts."""
    if to not in keys:
        raise AllocationError(f"transfer to unknown team {to!r} (not in this group)")
    index = list(keys).index(to)
    others = np.ones(len(keys), dtype=bool)
    others[index] = False
    pool = amounts[others].sum()
    if amount > pool + EPS:
        raise AllocationError(f"transfer of {amount:g} to {to!r} exceeds what the others hold")
    result = amounts.copy()
    if pool > 0:
        result[others] -= amount * amounts[others] / pool
    result[index] += amount
    if lo is not None and (result < lo - EPS).any():
        below = [k for k, r, m in zip(keys, result, lo, strict=True) if r < m - EPS]
        raise AllocationError(f"transfer to {to!r} takes {', '.join(below)} below their minimum")
    return result
