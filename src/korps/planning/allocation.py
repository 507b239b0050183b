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

# (texts through the catalogue; numbers in the reader's notation)
from korps.common.formatting import short
from korps.common.i18n import _
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
        raise AllocationError(_("geen gewichten: noem minstens één indicator"))
    result = np.zeros(len(values))
    for column, weight in weights.items():
        if not math.isfinite(weight) or weight < 0:
            raise AllocationError(
                _("het gewicht van {column} moet een eindig getal >= 0 zijn", column=repr(column))
            )
        for i, row in enumerate(values):
            if column not in row:
                raise AllocationError(
                    _(
                        "team {team} heeft geen waarde voor indicator {column}",
                        team=repr(keys[i]),
                        column=repr(column),
                    )
                )
            value = row[column]
            if not math.isfinite(value) or value < 0:
                raise AllocationError(
                    _(
                        "team {team}: indicator {column} moet >= 0 zijn (kreeg {value})",
                        team=repr(keys[i]),
                        column=repr(column),
                        value=value,
                    )
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
            _("minimum boven maximum voor ")
            + ", ".join(
                f"{k} ({short(lo[keys.index(k)])} > {short(hi[keys.index(k)])})" for k in bad
            )
        )
    if lo.sum() > total + EPS:
        named = [
            f"{k} {short(m)} ({r.minimum_rule})"
            for k, m, r in zip(keys, lo, rules, strict=True)
            if m > 0
        ]
        raise AllocationError(
            _(
                "totaal {total} is kleiner dan de som van de minima {sum}: ",
                total=short(total),
                sum=short(lo.sum()),
            )
            + ", ".join(named)
        )
    if hi.sum() < total - EPS:
        named = [
            f"{k} {short(m)} ({r.maximum_rule})" for k, m, r in zip(keys, hi, rules, strict=True)
        ]
        raise AllocationError(
            _(
                "totaal {total} is groter dan de som van de maxima {sum}: ",
                total=short(total),
                sum=short(hi.sum()),
            )
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
        raise AllocationError(
            _(
                "totaal {total} is geen veelvoud van de afrondingsstap {step}",
                total=short(total),
                step=short(step),
            )
        )
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
        raise AllocationError(_("bij afronden op de stap kunnen niet alle minima worden gehaald"))
    chosen += order[: slots - len(chosen)]
    if len(chosen) < slots:
        raise AllocationError(
            _("de maxima laten geen ruimte om het totaal op de stap af te ronden")
        )
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
        raise AllocationError(_("een team staat twee keer in één groep"))
    if not keys:
        raise AllocationError(_("geen teams om over te verdelen"))
    if not math.isfinite(total) or total < 0:
        raise AllocationError(
            _("het totaal moet een eindig getal >= 0 zijn (kreeg {total})", total=total)
        )
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
        raise AllocationError(
            _("overheveling naar onbekend team {team} (niet in deze groep)", team=repr(to))
        )
    index = list(keys).index(to)
    others = np.ones(len(keys), dtype=bool)
    others[index] = False
    pool = amounts[others].sum()
    if amount > pool + EPS:
        raise AllocationError(
            _(
                "overheveling van {amount} naar {team} is meer dan de anderen hebben",
                amount=short(amount),
                team=repr(to),
            )
        )
    result = amounts.copy()
    if pool > 0:
        result[others] -= amount * amounts[others] / pool
    result[index] += amount
    if lo is not None and (result < lo - EPS).any():
        below = [k for k, r, m in zip(keys, result, lo, strict=True) if r < m - EPS]
        raise AllocationError(
            _(
                "overheveling naar {team} brengt {teams} onder hun minimum",
                team=repr(to),
                teams=", ".join(below),
            )
        )
    return result
