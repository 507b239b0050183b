"""The closed form of a bounded proportional split ("water-filling") and the states of its
bounds: the core both the allocation and its HiGHS cross-check (``qp``) build on, so neither
imports the other."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
EPS = 1e-9

AT_MINIMUM = -1
FREE = 0
AT_MAXIMUM = 1


class AllocationError(ValueError):
    """Rules that cannot be met, or input that cannot be used; the message says which."""


def bounded_proportional(
    score: FloatArray, total: float, lo: FloatArray, hi: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """``clip(lam * score, lo, hi)`` summing to ``total``; returns (amounts, states).

    Teams with score 0 (or below 1e-12 of the largest) get their minimum; if every score is
    0, or the teams with a score are all full, the rest is shared equally within the bounds.
    Feasibility (``sum(lo) <= total <= sum(hi)``) is the caller's check.
    """
    top = float(score.max()) if len(score) else 0.0
    # relative scores; a score below 1e-12 of the largest counts as 0 (no overflow)
    s = np.where(score > 1e-12 * top, score / top, 0.0) if top > 0 else np.zeros_like(score)
    if not (s > 0).any():
        s = np.ones_like(s)
    zero = s == 0
    if zero.any() and total > hi[~zero].sum() + lo[zero].sum() + EPS:
        # the teams with workload are all full: the rest is shared equally by the others
        amounts = hi.copy()
        rest, _ = bounded_proportional(
            np.ones(int(zero.sum())), total - hi[~zero].sum(), lo[zero], hi[zero]
        )
        amounts[zero] = rest
        states = np.where(zero, FREE, AT_MAXIMUM).astype(np.float64)
        return amounts, states

    positive = s > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        breaks = np.concatenate([lo[positive] / s[positive], hi[positive] / s[positive]])
    breaks = np.unique(np.concatenate([[0.0], breaks[np.isfinite(breaks)]]))
    sums = np.clip(breaks[:, None] * s[None, :], lo, hi).sum(axis=1)
    index = int(np.searchsorted(sums, total - EPS))
    if index >= len(breaks):  # beyond the last break: free teams grow without bound
        start = breaks[-1]
        free = (s > 0) & (hi == np.inf)
        lam = start + (total - sums[-1]) / s[free].sum()
    elif index == 0 or abs(sums[index] - total) <= EPS:
        lam = breaks[index]
    else:
        a, b = breaks[index - 1], breaks[index]
        fa, fb = sums[index - 1], sums[index]
        lam = a + (total - fa) * (b - a) / (fb - fa)
    amounts = np.clip(lam * s, lo, hi)
    amounts *= 1.0  # a float copy
    amounts[(s == 0)] = lo[s == 0]
    return amounts, bound_states(amounts, lo, hi, lam * s)


def bound_states(
    amounts: FloatArray, lo: FloatArray, hi: FloatArray, free_share: FloatArray
) -> FloatArray:
    """AT_MINIMUM, AT_MAXIMUM or FREE per team: at a bound, unless its proportional share
    (``free_share``, the common ratio times its score) equals that bound exactly."""
    states = np.where(
        amounts <= lo + EPS, AT_MINIMUM, np.where(amounts >= hi - EPS, AT_MAXIMUM, FREE)
    )
    states = np.where((states == AT_MINIMUM) & (free_share >= lo - EPS), FREE, states)
    states = np.where((states == AT_MAXIMUM) & (free_share <= hi + EPS), FREE, states)
    return states.astype(np.float64)
