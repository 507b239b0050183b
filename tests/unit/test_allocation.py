"""The allocation engine: properties that must hold for any input (hypothesis) and examples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from korps.planning.allocation import (
    AT_MAXIMUM,
    AT_MINIMUM,
    FREE,
    AllocationError,
    Bound,
    allocate_group,
    bounded_proportional,
    largest_remainder,
    scores,
    transfer,
)
from korps.planning.inputs import inline_inputs
from korps.planning.plan import run
from korps.planning.scenario import Scenario

STEP = 0.1


@st.composite
def problems(draw: st.DrawFn) -> tuple[list[str], np.ndarray, float, list[Bound]]:
    n = draw(st.integers(min_value=1, max_value=12))
    keys = [f"t{i:02d}" for i in range(n)]
    workload = np.array(draw(st.lists(st.floats(0, 1000, allow_nan=False), min_size=n, max_size=n)))
    bounds = []
    for _ in range(n):
        low = draw(st.sampled_from([0.0, 0.0, 1.0, 2.5, 10.0]))
        high = draw(st.sampled_from([math.inf, math.inf, 5.0, 20.0, 60.0]))
        assume(low <= high)
        bounds.append(Bound(minimum=low, maximum=high))
    low_sum = sum(b.minimum for b in bounds)
    high_sum = sum(b.maximum for b in bounds)
    units = draw(st.integers(min_value=0, max_value=3000))
    total = round(low_sum + units * STEP, 1)
    assume(total <= high_sum)
    return keys, workload, total, bounds


@settings(max_examples=300, deadline=None)
@given(problems())
def test_sum_exact_and_bounds_hold(
    problem: tuple[list[str], np.ndarray, float, list[Bound]],
) -> None:
    keys, workload, total, bounds = problem
    result = allocate_group(keys=keys, score=workload, total=total, bounds=bounds, step=STEP)
    assert math.isclose(result.amounts.sum(), total, abs_tol=1e-6)
    units = result.amounts / STEP
    assert np.allclose(units, np.round(units), atol=1e-6), "every amount is on the step"
    for amount, bound in zip(result.amounts, bounds, strict=True):
        assert amount >= bound.minimum - STEP + 1e-9 or math.isclose(amount, bound.minimum)
        assert amount <= bound.maximum + 1e-9
    continuous = np.array([s.amount for s in result.shares])
    assert math.isclose(continuous.sum(), total, abs_tol=1e-6)
    for share, bound in zip(result.shares, bounds, strict=True):
        assert bound.minimum - 1e-9 <= share.amount <= bound.maximum + 1e-9


@settings(max_examples=300, deadline=None)
@given(problems())
def test_continuous_result_is_as_proportional_as_the_bounds_allow(
    problem: tuple[list[str], np.ndarray, float, list[Bound]],
) -> None:
    """KKT of min sum((x-t)^2/t): one ratio lam for the free teams; bound teams lie beyond it."""
    _keys, workload, total, bounds = problem
    assume(workload.sum() > 0)
    lo = np.array([b.minimum for b in bounds])
    hi = np.array([b.maximum for b in bounds])
    amounts, states = bounded_proportional(workload, total, lo, hi)
    workload = workload / workload.max()  # ratios on relative scores, as the engine works
    positive = workload > 1e-12  # smaller scores count as 0 (documented)
    free = (states == FREE) & positive
    if free.sum() >= 1:
        ratios = amounts[free] / workload[free]
        lam = ratios.mean()
        assert np.allclose(ratios, lam, rtol=1e-6, atol=1e-9)
        low = (states == AT_MINIMUM) & positive
        high = (states == AT_MAXIMUM) & positive
        assert (lam * workload[low] <= lo[low] + 1e-6).all()
        assert (lam * workload[high] >= hi[high] - 1e-6).all()


@settings(max_examples=200, deadline=None)
@given(problems(), st.data())
def test_more_workload_never_lowers_a_share(
    problem: tuple[list[str], np.ndarray, float, list[Bound]], data: st.DataObject
) -> None:
    keys, workload, total, bounds = problem
    i = data.draw(st.integers(0, len(keys) - 1))
    extra = data.draw(st.floats(0.001, 500))
    more = workload.copy()
    more[i] += extra
    before = allocate_group(keys=keys, score=workload, total=total, bounds=bounds, step=STEP)
    after = allocate_group(keys=keys, score=more, total=total, bounds=bounds, step=STEP)
    assert after.shares[i].amount >= before.shares[i].amount - 1e-9
    # largest remainders can show the population paradox, by at most one step
    assert after.amounts[i] >= before.amounts[i] - STEP - 1e-9


@settings(max_examples=200, deadline=None)
@given(problems(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(
    problem: tuple[list[str], np.ndarray, float, list[Bound]], rnd: object
) -> None:
    keys, workload, total, bounds = problem
    order = list(range(len(keys)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    a = allocate_group(keys=keys, score=workload, total=total, bounds=bounds, step=STEP)
    b = allocate_group(
        keys=[keys[i] for i in order],
        score=workload[order],
        total=total,
        bounds=[bounds[i] for i in order],
        step=STEP,
    )
    by_key = dict(zip(b.keys, b.amounts, strict=True))
    assert all(
        math.isclose(by_key[k], v, abs_tol=1e-9) for k, v in zip(a.keys, a.amounts, strict=True)
    )


@st.composite
def norm_scenarios(draw: st.DrawFn) -> Scenario:
    n = draw(st.integers(2, 8))
    teams = [
        {
            "key": f"d{i}",
            "values": {
                "werklast": draw(st.floats(1, 500)),
                "inwoners": draw(st.integers(0, 400_000)),
            },
        }
        for i in range(n)
    ]
    need = sum(t["values"]["inwoners"] / 5000 for t in teams)  # type: ignore[index]
    total = math.ceil((need + draw(st.floats(0, 50))) * 10) / 10 + 1
    return Scenario.model_validate(
        {
            "name": "norm",
            "total": total,
            "step": 0.1,
            "teams": teams,
            "levels": [{"weights": {"werklast": 1}, "norm": {"population": "inwoners"}}],
        }
    )


@settings(max_examples=200, deadline=None)
@given(norm_scenarios())
def test_wijkagent_norm_holds_wherever_the_result_says_so(scenario: Scenario) -> None:
    result = run(scenario, inline_inputs(scenario))
    assert math.isclose(sum(r.total for r in result.rows), scenario.total or 0, abs_tol=1e-6)
    for row in result.rows:
        assert row.norm_required is not None
        assert row.norm_met == (row.total >= row.norm_required - 1e-9)
        # the norm is a minimum: only the rounding step can leave a team a fraction short
        assert row.total >= row.norm_required - STEP


def test_largest_remainder_examples_and_ties() -> None:
    keys = ["a", "b", "c"]
    assert largest_remainder(np.array([1.04, 1.03, 1.03]), 3.1, 0.1, keys).tolist() == [
        1.1,
        1.0,
        1.0,
    ]
    # 55 fte over the five Oost-Nederland districts by HBVS+ 2023 (seed 003)
    hbvs = np.array([598.8, 792.6, 880.9, 830.8, 650.5])
    share = 55 * hbvs / hbvs.sum()
    rounded = largest_remainder(share, 55.0, 0.1, ["ij", "tw", "nog", "glm", "glz"])
    assert rounded.tolist() == [8.8, 11.6, 12.9, 12.2, 9.5]
    # equal remainders: the key that sorts first gets the step
    tie = largest_remainder(np.array([1.05, 1.05]), 2.1, 0.1, ["b", "a"])
    assert tie.tolist() == [1.0, 1.1]
    with pytest.raises(AllocationError, match="geen veelvoud"):
        largest_remainder(np.array([1.0]), 1.05, 0.1, ["a"])


def test_errors_name_the_teams() -> None:
    keys = ["noord", "zuid"]
    with pytest.raises(AllocationError, match=r"som van de minima 30: noord 20 .*zuid 10"):
        allocate_group(
            keys=keys, score=np.ones(2), total=25, bounds=[Bound(20), Bound(10)], step=0.1
        )
    with pytest.raises(AllocationError, match="groter dan de som van de maxima"):
        allocate_group(
            keys=keys, score=np.ones(2), total=25, bounds=[Bound(0, 5), Bound(0, 5)], step=0.1
        )
    with pytest.raises(AllocationError, match="heeft geen waarde voor indicator 'crime'"):
        scores([{"crime": 1.0}, {}], {"crime": 1.0}, keys)
    with pytest.raises(AllocationError, match="moet >= 0 zijn"):
        scores([{"crime": 1.0}, {"crime": -2.0}], {"crime": 1.0}, keys)
    with pytest.raises(AllocationError, match="onbekend team 'west'"):
        transfer(np.array([1.0, 2.0]), keys, to="west", amount=0.5)
    with pytest.raises(AllocationError, match="onder hun minimum"):
        transfer(np.array([1.0, 2.0]), keys, to="noord", amount=1.5, lo=np.array([0.0, 1.0]))


def test_transfer_takes_in_proportion() -> None:
    moved = transfer(np.array([2.0, 3.0, 5.0]), ["a", "b", "c"], to="a", amount=0.8)
    assert moved.tolist() == pytest.approx([2.8, 3.0 - 0.3, 5.0 - 0.5])


def test_a_parent_gets_at_least_the_minimums_of_its_teams() -> None:
    """Without propagating bounds, district 'klein' would get 2 fte and its teams need 6."""
    scenario = Scenario.model_validate(
        {
            "name": "levels",
            "total": 20,
            "step": 0.1,
            "teams": [
                {"key": "groot", "values": {"w": 9}},
                {"key": "klein", "values": {"w": 1}},
                {"key": "g1", "group": "groot", "values": {"w": 1}},
                {"key": "k1", "group": "klein", "values": {"w": 1}},
                {"key": "k2", "group": "klein", "values": {"w": 1}},
            ],
            "levels": [{"weights": {"w": 1}}, {"weights": {"w": 1}, "minimum": {"*": 3}}],
        }
    )
    result = run(scenario, inline_inputs(scenario))
    rows = {r.key: r for r in result.rows}
    assert rows["klein"].total == 6 and rows["klein"].bound == "minima van zijn teams"
    assert rows["k1"].total == rows["k2"].total == 3
    assert rows["groot"].total == 14 and rows["g1"].total == 14


@settings(max_examples=150, deadline=None)
@given(problems())
def test_highs_solves_the_same_problem(
    problem: tuple[list[str], np.ndarray, float, list[Bound]],
) -> None:
    """The quadratic program in HiGHS and the closed form agree (amounts and bound states)."""
    from korps.planning.qp import solve_highs

    _keys, workload, total, bounds = problem
    top = workload.max(initial=0.0)
    positive = workload > 1e-12 * top
    lo = np.array([b.minimum for b in bounds])
    hi = np.array([b.maximum for b in bounds])
    assume(top > 0 and total <= hi[positive].sum() + lo[~positive].sum())
    exact, exact_states = bounded_proportional(workload, total, lo, hi)
    highs, highs_states = solve_highs(workload, total, lo, hi)
    assert highs == pytest.approx(exact, abs=1e-5 * max(1.0, total))
    assert highs_states.tolist() == exact_states.tolist()


INF = math.inf


@pytest.mark.parametrize(
    ("workload", "total", "lo", "hi"),
    [
        # scores 1e7 apart: HiGHS in x itself reported "optimal" for [.., 5, 0.7] (Hessian 2/t_i)
        (
            [1, 1.1920929e-07, 0, 3, 3, 0, 0, 0, 0, 0],
            6.7,
            [1] + [0] * 9,
            [INF] * 3 + [5] + [INF] * 6,
        ),
        # the tiny score is the only team that can take the last 0.1: it must stay in the QP
        ([0, 2.2e-4, 220, 0, 0, 0], 5.1, [0] * 6, [INF, INF, 5, INF, INF, INF]),
        # only t03 has workload and gets exactly its maximum: FREE, as in the closed form
        ([0, 0, 0, 1], 21, [0, 0, 1, 2.5], [INF, INF, INF, 20]),
        # HiGHS reports "unbounded" in x / sqrt(t) (a score 1e-12 of the largest)
        ([268.41081859257713, 766.6301862986915, 1e-09], 299.9, [0, 0, 0], [INF, 5, INF]),
        # HiGHS cycles in x / sqrt(t) to its iteration limit (a minimum 1e12 x the target)
        (
            [0.0, 1e-09, 743.226876481868, 743.226876481868, 0.0, 466.5454636428933, 575.24816919],
            21.2,
            [10, 1, 0, 0, 2.5, 1, 0],
            [20, INF, INF, INF, INF, 20, INF],
        ),
        (
            [
                1e-09,
                929.53118975,
                5e-324,
                999.0,
                10.96449513,
                561.17595551,
                358.6786128,
                442.9949761,
            ],
            83.1,
            [10, 2.5, 0, 0, 0, 0, 2.5, 0],
            [INF, INF, 5, INF, 60, 60, INF, INF],
        ),
    ],
)
def test_highs_on_badly_scaled_and_tied_problems(
    workload: list[float], total: float, lo: list[float], hi: list[float]
) -> None:
    from korps.planning.qp import solve_highs

    args = (np.array(workload, dtype=float), total, np.array(lo, float), np.array(hi, float))
    exact, exact_states = bounded_proportional(*args)
    highs, highs_states = solve_highs(*args)
    assert highs == pytest.approx(exact, abs=1e-9 * max(1.0, total))
    assert highs_states.tolist() == exact_states.tolist()
