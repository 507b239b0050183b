"""The bounded proportional allocation solved by HiGHS as a convex quadratic program.

minimise sum((x_i - t_i)^2 / t_i)  subject to  sum(x) = total, lo <= x <= hi,

with ``t_i = total x score_i / sum(score)``: the problem whose unique optimum
``korps.planning.allocation.bounded_proportional`` computes in closed form. This module is
the independent solver (``solver: highs`` in a scenario) and the cross-check the tests run;
the binding bounds are read from HiGHS's solution. Teams with score 0 are fixed at their
minimum; when only they could absorb the rest, the closed form is the answer (no QP).
"""

from __future__ import annotations

import highspy
import numpy as np
import numpy.typing as npt

from korps.planning.allocation import AT_MAXIMUM, AT_MINIMUM, FREE, AllocationError

FloatArray = npt.NDArray[np.float64]
TOLERANCE = 1e-7


def solve_highs(
    score: FloatArray, total: float, lo: FloatArray, hi: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Amounts and states (AT_MINIMUM, FREE, AT_MAXIMUM), as ``bounded_proportional``."""
    n = score.shape[0]
    top = float(score.max()) if n else 0.0
    positive = score > 1e-12 * top if top > 0 else np.zeros(n, dtype=bool)
    if not positive.any():
        raise AllocationError("the quadratic program needs at least one team with workload")
    if total <= lo.sum() + TOLERANCE:  # nothing to distribute beyond the minimums
        return lo.astype(np.float64).copy(), np.where(lo > 0, AT_MINIMUM, FREE).astype(np.float64)
    target = np.where(positive, total * score / score[positive].sum(), 0.0)
    upper = np.where(positive, hi, lo)  # teams without workload stay at their minimum
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = 1
    lp.col_cost_ = np.where(positive, -2.0, 0.0)
    lp.col_lower_ = lo.astype(np.float64)
    lp.col_upper_ = np.where(np.isinf(upper), highspy.kHighsInf, upper).astype(np.float64)
    lp.row_lower_ = np.array([total], dtype=np.float64)
    lp.row_upper_ = np.array([total], dtype=np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(n + 1, dtype=np.int32)
    lp.a_matrix_.index_ = np.zeros(n, dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(n, dtype=np.float64)
    hessian = highspy.HighsHessian()
    hessian.dim_ = n
    hessian.format_ = highspy.HessianFormat.kTriangular
    # only the teams with workload have a quadratic term (one diagonal entry each)
    hessian.start_ = np.concatenate([[0], np.cumsum(positive)]).astype(np.int32)
    hessian.index_ = np.flatnonzero(positive).astype(np.int32)
    hessian.value_ = 2.0 / target[positive]
    solver = highspy.Highs()  # type: ignore[no-untyped-call]
    solver.setOptionValue("output_flag", False)
    solver.passModel(lp)
    solver.passHessian(hessian)
    solver.run()
    status = solver.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise AllocationError(f"HiGHS: {solver.modelStatusToString(status)}")
    amounts = np.clip(np.asarray(solver.getSolution().col_value, dtype=np.float64), lo, hi)
    amounts *= total / amounts.sum() if amounts.sum() > 0 else 1.0
    # bound or free as in the closed form: a team is bound when its proportional share
    # (the common ratio of the free teams x its target) lies beyond the bound
    tol = TOLERANCE * max(1.0, total)
    free = positive & (amounts > lo + tol) & (amounts < hi - tol)
    ratio = float(np.median(amounts[free] / target[free])) if free.any() else 1.0
    share = ratio * target
    states = np.where(
        (amounts <= lo + tol) & (share < lo - tol),
        AT_MINIMUM,
        np.where((amounts >= hi - tol) & (share > hi + tol), AT_MAXIMUM, FREE),
    )
    return amounts, states.astype(np.float64)
