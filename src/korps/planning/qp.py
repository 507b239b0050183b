"""The bounded proportional allocation solved by HiGHS as a convex quadratic program.

minimise sum((x_i - t_i)^2 / t_i)  subject to  sum(x) = total, lo <= x <= hi,

with ``t_i = total x score_i / sum(score)``: the problem whose unique optimum
``korps.planning.allocation.bounded_proportional`` computes in closed form. This module is
the independent solver (``solver: highs`` in a scenario) and the cross-check the tests run.

How it stays accurate:

1. **Scaled variables.** Written in ``x`` the Hessian is ``diag(2 / t_i)``; scores that
   differ by many orders of magnitude (1e-7 next to 3) make it so ill-conditioned that
   HiGHS can report "optimal" for a point that is not. HiGHS therefore solves the same
   problem in ``y_i = x_i / sqrt(t_i)``: minimise ``sum((y_i - sqrt(t_i))^2)`` subject to
   ``sum(sqrt(t_i) y_i) = total`` and the scaled bounds, whose Hessian is ``2 I``. Tiny
   scores stay in the problem (such a team may be the only one left to absorb the rest).
   HiGHS's active-set QP solver still fails on a few problems with scores 1e9 to 1e12
   apart (it reports "unbounded" or cycles to its iteration limit), each time on some
   scalings and not on others; so when an answer is not optimal, or fails the check below,
   HiGHS is run again on the next formulation in ``SCALINGS`` (``x_i / t_i^(1/4)``, ``x``
   itself, with HiGHS's ``user_bound_scale``). Only when all fail is an AllocationError
   raised.
2. **Active set from HiGHS, amounts polished.** HiGHS decides which teams are at their
   minimum, at their maximum or free (the basis status of its solution). With that active
   set the optimum is exact arithmetic: the bound teams get their bound and the free teams
   share what is left in proportion to their score (``x_i = lam x score_i``, one ``lam``).
   The KKT conditions are then checked: every free share within its bounds, every team at
   its minimum with ``lam x score_i <= minimum`` and at its maximum with ``>= maximum``.
   (A team whose minimum equals its maximum has no condition.) Violations of at most
   ``KKT_TOLERANCE x max(1, total)`` (a team free in HiGHS's answer but a hair beyond its
   bound, or the reverse: a near-tie) are corrected by moving that team across and
   recomputing ``lam``; anything larger rejects the answer (the next scaling, or
   ``AllocationError``). HiGHS's answer is never replaced by the closed form.
3. **States by the closed form's rule.** A team at a bound whose proportional share
   ``lam x score_i`` equals that bound (within 1e-9) is FREE; with no free team at all,
   ``lam`` is the smallest ratio the KKT conditions allow (the largest ``maximum / score``
   of the teams at their maximum), as the closed form picks the first breakpoint.

Teams with score 0 (or below 1e-12 of the largest) are fixed at their minimum; when only
they could absorb the rest, the closed form is the answer (no QP).
"""

from __future__ import annotations

import highspy
import numpy as np
import numpy.typing as npt

from korps.common.formatting import short
from korps.common.i18n import _
from korps.planning.proportional import (
    AT_MINIMUM,
    EPS,
    FREE,
    AllocationError,
    bound_states,
    bounded_proportional,
)

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
TOLERANCE = 1e-7
# how far HiGHS's active set may be off (in amounts, relative to max(1, total)) and still be
# corrected; HiGHS's primal and dual feasibility tolerances are 1e-7
KKT_TOLERANCE = 1e-6
# the formulations HiGHS is given, in order: (c = t^power for x = c z, user_bound_scale)
SCALINGS = ((0.5, 0), (0.5, -10), (0.25, 0), (0.0, 0), (0.25, -10), (0.0, -10))


def solve_highs(
    score: FloatArray, total: float, lo: FloatArray, hi: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Amounts and states (AT_MINIMUM, FREE, AT_MAXIMUM), as ``bounded_proportional``."""
    n = score.shape[0]
    top = float(score.max()) if n else 0.0
    # relative scores, as the closed form: a score below 1e-12 of the largest counts as 0
    s = np.where(score > 1e-12 * top, score / top, 0.0) if top > 0 else np.zeros(n)
    positive = s > 0
    if not positive.any():
        raise AllocationError(
            _("het kwadratische programma heeft minstens één team met werklast nodig")
        )
    if total <= lo.sum() + TOLERANCE:  # nothing to distribute beyond the minimums
        return lo.astype(np.float64).copy(), np.where(lo > 0, AT_MINIMUM, FREE).astype(np.float64)
    rest = total - lo[~positive].sum()  # teams without workload stay at their minimum
    if rest > hi[positive].sum() + EPS:  # only they could absorb the rest: no QP to solve
        return bounded_proportional(score, total, lo, hi)
    sp, lop, hip = s[positive], lo[positive], hi[positive]
    target = total * sp / sp.sum()
    tol = KKT_TOLERANCE * max(1.0, total)
    problems: list[str] = []
    # HiGHS's active-set QP solver is not equally robust on every scaling of the problem:
    # the next formulation only when an answer is not optimal or fails its KKT check
    for power, bound_scale in SCALINGS:
        try:
            at_lo, at_hi = _highs_active_set(target, power, bound_scale, rest, lop, hip)
            lam, amounts_p = _polish(sp, rest, lop, hip, at_lo, at_hi, tol)
            break
        except AllocationError as error:
            problems.append(str(error))
    else:
        raise AllocationError("; ".join(problems))
    amounts = lo.astype(np.float64).copy()
    amounts[positive] = amounts_p
    return amounts, bound_states(amounts, lo, hi, lam * s)  # as the closed form decides


def _highs_active_set(
    target: FloatArray,
    power: float,
    bound_scale: int,
    rest: float,
    lo: FloatArray,
    hi: FloatArray,
) -> tuple[BoolArray, BoolArray]:
    """The teams HiGHS puts at their minimum and at their maximum.

    HiGHS solves in ``z = x / c`` with ``c = t^power``: ``(c z - t)^2 / t = (c^2 / t) z^2
    - 2 c z + t``, so the Hessian is ``diag(2 c^2 / t)`` and the linear cost ``-2 c``.
    """
    m = target.shape[0]
    scale = target**power
    lp = highspy.HighsLp()
    lp.num_col_ = m
    lp.num_row_ = 1
    lp.col_cost_ = (-2.0 * scale).astype(np.float64)
    lp.col_lower_ = (lo / scale).astype(np.float64)
    lp.col_upper_ = np.where(np.isinf(hi), highspy.kHighsInf, hi / scale).astype(np.float64)
    lp.row_lower_ = np.array([rest], dtype=np.float64)
    lp.row_upper_ = np.array([rest], dtype=np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(m + 1, dtype=np.int32)
    lp.a_matrix_.index_ = np.zeros(m, dtype=np.int32)
    lp.a_matrix_.value_ = scale.astype(np.float64)
    hessian = highspy.HighsHessian()
    hessian.dim_ = m
    hessian.format_ = highspy.HessianFormat.kTriangular
    hessian.start_ = np.arange(m + 1, dtype=np.int32)
    hessian.index_ = np.arange(m, dtype=np.int32)
    hessian.value_ = (2.0 * scale**2 / target).astype(np.float64)
    solver = highspy.Highs()  # type: ignore[no-untyped-call]
    solver.setOptionValue("output_flag", False)
    # a few iterations per team suffice; HiGHS can cycle on a badly scaled problem
    solver.setOptionValue("qp_iteration_limit", 100 + 10 * m)
    solver.setOptionValue("time_limit", 10.0)
    solver.setOptionValue("user_bound_scale", bound_scale)
    solver.passModel(lp)
    solver.passHessian(hessian)
    solver.run()
    status = solver.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise AllocationError(f"HiGHS: {solver.modelStatusToString(status)}")
    basis = solver.getBasis()
    if basis.valid:
        col = basis.col_status
        at_lo = np.array([c == highspy.HighsBasisStatus.kLower for c in col], dtype=bool)
        at_hi = np.array([c == highspy.HighsBasisStatus.kUpper for c in col], dtype=bool)
    else:  # no basis: read the bounds off the values
        x = np.asarray(solver.getSolution().col_value, dtype=np.float64) * scale
        tol = TOLERANCE * np.maximum(1.0, scale)
        at_lo = x <= lo + tol
        at_hi = ~at_lo & (x >= hi - tol)
    return at_lo, at_hi & ~at_lo


def _polish(
    s: FloatArray,
    rest: float,
    lo: FloatArray,
    hi: FloatArray,
    at_lo: BoolArray,
    at_hi: BoolArray,
    tol: float,
) -> tuple[float, FloatArray]:
    """Exact amounts for an active set, checked against the KKT conditions; returns (lam, x).

    A team that violates them by at most ``tol`` (HiGHS's answer was that close to a tie)
    moves across and ``lam`` is recomputed; a larger violation raises AllocationError.
    """
    fixed = hi - lo <= EPS  # minimum = maximum: no condition on lam, never moved
    at_lo, at_hi = at_lo | fixed, at_hi & ~fixed
    for _round in range(s.shape[0] + 1):
        free = ~at_lo & ~at_hi
        bound_sum = float(lo[at_lo].sum() + hi[at_hi].sum())
        if free.any():
            lam = (rest - bound_sum) / float(s[free].sum())
        elif abs(bound_sum - rest) > tol:
            raise AllocationError(
                _(
                    "HiGHS: elk team op een grens, maar de grenzen tellen op tot {bounds}, "
                    "niet {rest}",
                    bounds=short(bound_sum),
                    rest=short(rest),
                )
            )
        elif abs(bound_sum - rest) > EPS:  # a near-tie: release the team next in line
            if rest > bound_sum and (at_lo & ~fixed).any():
                i = int(np.argmin(np.where(at_lo & ~fixed, lo / s, np.inf)))
                at_lo[i] = False
            elif rest < bound_sum and at_hi.any():
                i = int(np.argmax(np.where(at_hi, hi / s, -np.inf)))
                at_hi[i] = False
            else:
                break
            continue
        else:  # the smallest lam the bound teams allow, as the closed form picks it
            lam = float(np.max(hi[at_hi] / s[at_hi], initial=0.0))
        share = lam * s
        # how far each team is on the wrong side of the KKT conditions
        violation = np.where(
            fixed,
            0.0,
            np.where(
                free,
                np.maximum(lo - share, share - hi),
                np.where(at_lo, share - lo, hi - share),
            ),
        )
        worst = float(violation.max(initial=0.0))
        if worst <= EPS:
            amounts = np.where(at_lo, lo, np.where(at_hi, hi, share))
            return lam, np.clip(amounts, lo, hi)
        if worst > tol:
            raise AllocationError(
                _(
                    "HiGHS: de oplossing schendt de optimaliteitsvoorwaarden met {worst} "
                    "(slecht geconditioneerd probleem)",
                    worst=format(worst, "g"),
                )
            )
        # a near-tie HiGHS resolved the other way: move the worst team across
        i = int(np.argmax(violation))
        if free[i]:
            at_lo[i] = share[i] < lo[i]
            at_hi[i] = share[i] > hi[i]
        else:
            at_lo[i] = at_hi[i] = False
    raise AllocationError(_("HiGHS: de actieve verzameling kon niet worden gecorrigeerd"))
