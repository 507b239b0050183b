"""Analytic queueing models: Erlang B/C against closed forms and tables, Larson's hypercube
approximation against the exact hypercube model (and that against a plain truncated chain)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from korps.sim.analytic import (
    NotConvergedError,
    QueueingError,
    correction_factors,
    erlang_b,
    erlang_c,
    home_matrix,
    hypercube,
    hypercube_exact,
    mmc,
    servers_for,
)


def erlang_c_factorials(load: float, servers: int) -> float:
    """The textbook formula with factorials, exact in rationals (small c only)."""
    a, c = Fraction(load), servers
    top = a**c / math.factorial(c) * c / (c - a)
    return float(top / (sum(a**k / math.factorial(k) for k in range(c)) + top))


def random_system(
    rng: np.random.Generator, units: int, atoms: int, rho: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Units and atoms in the unit square; nearest-first preferences; skewed rates."""
    unit_xy, atom_xy = rng.random((units, 2)), rng.random((atoms, 2))
    travel = np.abs(unit_xy[:, None, :] - atom_xy[None, :, :]).sum(axis=2)
    preferences = np.argsort(travel.T, axis=1, kind="stable")
    rates = rng.random(atoms) ** 2 + 1e-3
    return rates * rho * units / rates.sum(), preferences, travel


# --- Erlang B / C and M/M/c ---------------------------------------------------------------


def test_one_server_is_mm1() -> None:
    lam, mu = 2.0, 3.0
    rho = lam / mu
    q = mmc(lam, mu, 1)
    assert q.utilisation == pytest.approx(rho)
    assert q.p_wait == pytest.approx(rho)
    assert q.mean_wait == pytest.approx(rho / (mu - lam))
    assert q.mean_queue == pytest.approx(rho**2 / (1 - rho))
    assert q.mean_response == pytest.approx(1 / (mu - lam))
    assert q.p_wait_longer(0.5) == pytest.approx(rho * math.exp(-(mu - lam) * 0.5))


@pytest.mark.parametrize("rho", [0.05, 0.4, 0.9, 0.999])
def test_two_servers_closed_form(rho: float) -> None:
    assert erlang_c(2 * rho * 1.5, 1.5, 2) == pytest.approx(2 * rho**2 / (1 + rho))


def test_table_values() -> None:
    # A = 10 Erlang on 12 servers: Erlang C 0.4494 (call-centre tables), Erlang B 0.1197
    assert erlang_c(10.0, 1.0, 12) == pytest.approx(0.4494, abs=5e-5)
    assert erlang_c(10.0, 1.0, 12) == pytest.approx(erlang_c_factorials(10.0, 12), rel=1e-12)
    assert erlang_b(10.0, 1.0, 12) == pytest.approx(0.1197, abs=5e-5)
    assert erlang_b(1.0, 1.0, 1) == pytest.approx(0.5)  # B(1, A) = A / (1 + A)


def test_many_servers_stay_finite() -> None:
    # c = 1000 at rho 0.95: factorials would overflow; the recursion agrees with log space
    p = erlang_c(950.0, 1.0, 1000)
    k = np.arange(1000)
    log_terms = k * math.log(950.0) - np.array([math.lgamma(i + 1) for i in k])
    log_top = 1000 * math.log(950.0) - math.lgamma(1001) - math.log(1 - 0.95)
    expected = math.exp(log_top - np.logaddexp.reduce(np.append(log_terms, log_top)))
    assert 0 < p < 1
    assert p == pytest.approx(expected, rel=1e-9)


def test_mmc_relations_and_tail() -> None:
    q = mmc(10.0, 1.0, 12)
    assert q.mean_queue == pytest.approx(q.arrival_rate * q.mean_wait)
    assert q.mean_response == pytest.approx(q.mean_wait + 1.0)
    assert q.mean_wait == pytest.approx(q.p_wait / (12 - 10))
    assert q.p_wait_longer(0.0) == pytest.approx(q.p_wait)
    assert q.service_level(1.0) == pytest.approx(1 - q.p_wait * math.exp(-2.0))
    with pytest.raises(QueueingError, match="waiting time"):
        q.p_wait_longer(-1.0)


@pytest.mark.parametrize(
    ("lam", "mu", "c", "match"),
    [
        (3.0, 1.0, 3, "unstable"),
        (4.0, 1.0, 3, "unstable"),
        (0.0, 1.0, 3, "arrival_rate"),
        (-1.0, 1.0, 3, "arrival_rate"),
        (1.0, 0.0, 3, "service_rate"),
        (1.0, math.inf, 3, "service_rate"),
        (1.0, 1.0, 0, "servers"),
        (1.0, 1.0, 2.5, "servers"),
        (1.0, 1.0, True, "servers"),
    ],
)
def test_bad_parameters(lam: float, mu: float, c: int, match: str) -> None:
    with pytest.raises(QueueingError, match=match):
        mmc(lam, mu, c)


@settings(max_examples=200, deadline=None)
@given(
    lam=st.floats(0.01, 500),
    mu=st.floats(0.05, 20),
    extra=st.integers(0, 30),
)
def test_wait_probability_properties(lam: float, mu: float, extra: int) -> None:
    c = math.floor(lam / mu) + 1 + extra
    p = erlang_c(lam, mu, c)
    assert 0 <= p <= 1
    assert erlang_b(lam, mu, c) <= p + 1e-15  # waiting is likelier than being lost
    assert erlang_c(lam, mu, c + 1) <= p + 1e-15  # more servers, less waiting
    assert erlang_c(lam * 0.9, mu, c) <= p + 1e-15  # more calls, more waiting


@settings(max_examples=200, deadline=None)
@given(
    lam=st.floats(0.1, 300),
    mu=st.floats(0.1, 10),
    wait=st.floats(0, 5),
    share=st.floats(0.01, 0.99),
)
def test_servers_for_is_the_smallest(lam: float, mu: float, wait: float, share: float) -> None:
    c = servers_for(lam, mu, wait, share)
    assert lam / (c * mu) < 1
    assert mmc(lam, mu, c).service_level(wait) >= share
    if c > 1 and lam / ((c - 1) * mu) < 1:
        assert mmc(lam, mu, c - 1).service_level(wait) < share


def test_servers_for_example_and_errors() -> None:
    # 10 Erlang, 80 % within 20 s at 180 s service: the classic call-centre sizing
    c = servers_for(10 / 180, 1 / 180, 20.0, 0.8)
    assert c == 14
    for servers, meets in ((13, False), (14, True)):  # checked with the factorial formula
        level = 1 - erlang_c_factorials(10.0, servers) * math.exp(-(servers - 10) * 20 / 180)
        assert (level >= 0.8) is meets
    with pytest.raises(QueueingError, match="target_share"):
        servers_for(1.0, 1.0, 1.0, 1.0)
    with pytest.raises(QueueingError, match="max_servers"):
        servers_for(100.0, 1.0, 0.0, 0.99, max_servers=101)


# --- correction factors -------------------------------------------------------------------


@pytest.mark.parametrize("rho", [0.01, 0.3, 0.8, 0.99])
def test_correction_factor_closed_forms(rho: float) -> None:
    assert correction_factors(1, rho) == pytest.approx([1.0])
    assert correction_factors(2, rho) == pytest.approx([1.0, 1 / (1 + rho)])  # M/M/2 by hand
    assert correction_factors(40, rho)[0] == pytest.approx(1.0)


@pytest.mark.parametrize(("n", "rho"), [(3, 0.5), (6, 0.2), (6, 0.9), (9, 0.7)])
def test_correction_factor_definition(n: int, rho: float) -> None:
    """Q(N, rho, k) rho^k (1 - rho) = P(k given units busy and a given other unit free)."""
    r = Fraction(rho)
    weights = [(n * r) ** m / math.factorial(m) for m in range(n)]
    weights.append((n * r) ** n / math.factorial(n) / (1 - r))
    p = [w / sum(weights) for w in weights]
    expected = [
        float(
            sum(p[m] * Fraction(math.comb(n - k - 1, m - k), math.comb(n, m)) for m in range(k, n))
            / (r**k * (1 - r))
        )
        for k in range(n)
    ]
    assert correction_factors(n, rho) == pytest.approx(expected, rel=1e-12)
    # with every unit at rho, the free-unit terms add up to 1 - P(all busy)
    q = correction_factors(n, rho)
    free = (q * rho ** np.arange(n) * (1 - rho)).sum()
    assert free == pytest.approx(1 - erlang_c(n * rho, 1.0, n), rel=1e-12)


def test_correction_factors_large_n() -> None:
    q = correction_factors(1000, 0.9)
    assert np.isfinite(q).all()
    assert q[0] == pytest.approx(1.0)


# --- hypercube ----------------------------------------------------------------------------


def test_one_unit() -> None:
    for model in (hypercube, hypercube_exact):
        result = model(np.array([0.2, 0.3]), 1.0, np.array([[0], [0]]))
        assert result.workload == pytest.approx([0.5])
        assert result.p_all_busy == pytest.approx(0.5)
        assert result.dispatch == pytest.approx(np.ones((2, 1)))


def test_two_units_two_areas_by_hand() -> None:
    """N = 2, symmetric: unit n covers atom n first; P(the other unit goes) = rho / (1 + rho)."""
    rho = 0.6
    travel = np.array([[0.0, 5.0], [5.0, 0.0]])
    home = home_matrix(np.array([0, 1]), np.array([0, 1]))
    for model in (hypercube, hypercube_exact):
        r = model(np.array([rho, rho]), 1.0, np.array([[0, 1], [1, 0]]), travel=travel, home=home)
        other = rho / (1 + rho)
        assert r.workload == pytest.approx([rho, rho])
        assert r.dispatch == pytest.approx(np.array([[1 - other, other], [other, 1 - other]]))
        assert r.outside_share == pytest.approx([other, other])
        assert r.mean_travel == pytest.approx(5 * other)
        assert r.mean_travel_by_atom == pytest.approx([5 * other, 5 * other])
        assert r.dispatch_share.sum() == pytest.approx(1.0)


@pytest.mark.parametrize(("n", "rho"), [(3, 0.3), (5, 0.7), (8, 0.9), (40, 0.85)])
def test_symmetric_system(n: int, rho: float) -> None:
    """Equal rates and rotated preference lists: every unit works rho, together lambda / mu."""
    rates = np.full(n, rho)
    preferences = (np.arange(n)[:, None] + np.arange(n)[None, :]) % n
    for normalise in (True, False):
        r = hypercube(rates, 1.0, preferences, normalise=normalise)
        assert r.workload == pytest.approx(np.full(n, rho), rel=1e-8)
        assert r.workload.sum() == pytest.approx(rates.sum(), rel=1e-8)
        assert r.p_all_busy == pytest.approx(erlang_c(rates.sum(), 1.0, n))
    if n <= 8:
        exact = hypercube_exact(rates, 1.0, preferences)
        assert exact.workload == pytest.approx(np.full(n, rho), rel=1e-9)


def plain_queue_chain(rates: np.ndarray, mu: float, preferences: np.ndarray) -> np.ndarray:
    """Unit workloads of the hypercube with the queue truncated at 200, built state by state."""
    units = preferences.shape[1]
    cap = 200
    states = [(s, 0) for s in range(1 << units)] + [((1 << units) - 1, q) for q in range(1, cap)]
    index = {state: i for i, state in enumerate(states)}
    generator = np.zeros((len(states), len(states)))
    full = (1 << units) - 1
    for (s, q), i in index.items():
        for j, rate in enumerate(rates):
            if s != full:
                unit = next(u for u in preferences[j] if not s >> u & 1)
                generator[i, index[(s | 1 << unit, 0)]] += rate
            elif q + 1 < cap:
                generator[i, index[(s, q + 1)]] += rate
        for unit in range(units):
            if s >> unit & 1:
                target = (s, q - 1) if q > 0 else (s & ~(1 << unit), 0)
                generator[i, index[target]] += mu
    np.fill_diagonal(generator, -generator.sum(axis=1))
    system = generator.T.copy()
    system[-1, :] = 1.0
    rhs = np.zeros(len(states))
    rhs[-1] = 1.0
    prob = np.linalg.solve(system, rhs)
    busy = np.array([[s >> u & 1 for u in range(units)] for s, _ in states], dtype=float)
    return np.asarray(busy.T @ prob)


def test_exact_model_against_a_plain_chain() -> None:
    rng = np.random.default_rng(11)
    rates, preferences, _ = random_system(rng, 3, 7, 0.75)
    exact = hypercube_exact(rates, 2.0, preferences)
    assert exact.workload == pytest.approx(plain_queue_chain(rates, 2.0, preferences), abs=1e-12)
    assert exact.workload.sum() == pytest.approx(rates.sum() / 2.0, rel=1e-12)
    assert exact.p_all_busy == pytest.approx(erlang_c(rates.sum(), 2.0, 3), rel=1e-12)
    assert exact.dispatch.sum(axis=1) == pytest.approx(np.ones(7))
    # busy time = dispatches x service time, unit by unit
    assert exact.workload == pytest.approx(rates @ exact.dispatch / 2.0, rel=1e-12)


def test_approximation_against_the_exact_model() -> None:
    """Larson reports errors of a few percent; we hold the normalised variant to that."""
    rng = np.random.default_rng(2024)
    errors, plain_errors, travel_errors = [], [], []
    for _ in range(60):
        units = int(rng.integers(2, 9))
        rates, preferences, travel = random_system(
            rng, units, int(rng.integers(units, 30)), float(rng.uniform(0.1, 0.95))
        )
        exact = hypercube_exact(rates, 1.0, preferences, travel=travel)
        approx = hypercube(rates, 1.0, preferences, travel=travel)
        plain = hypercube(rates, 1.0, preferences, travel=travel, normalise=False)
        errors.append(np.abs(approx.workload - exact.workload))
        plain_errors.append(np.abs(plain.workload - exact.workload))
        assert exact.mean_travel is not None and approx.mean_travel is not None
        travel_errors.append(abs(approx.mean_travel / exact.mean_travel - 1))
        assert np.abs(approx.dispatch - exact.dispatch).max() < 0.06
    every = np.concatenate(errors)
    assert every.max() < 0.04
    assert every.mean() < 0.006
    assert np.concatenate(plain_errors).mean() < 0.008
    assert max(travel_errors) < 0.04
    assert np.mean(travel_errors) < 0.01


def test_normalised_identities() -> None:
    rng = np.random.default_rng(3)
    rates, preferences, _ = random_system(rng, 12, 60, 0.4)  # utilisation 0.8 at mu = 0.5
    r = hypercube(rates, 0.5, preferences)
    assert r.workload.sum() == pytest.approx(rates.sum() / 0.5, rel=1e-7)
    assert r.dispatch.sum(axis=1) == pytest.approx(np.ones(60))
    assert r.workload == pytest.approx(rates @ r.dispatch / 0.5, rel=1e-7)
    assert ((r.workload > 0) & (r.workload < 1)).all()


def test_hundred_units_five_hundred_atoms() -> None:
    """Not a timed test: the large case converges and keeps its identities."""
    rng = np.random.default_rng(5)
    rates, preferences, travel = random_system(rng, 100, 500, 0.9)
    home = home_matrix(np.argmin(travel, axis=0), np.arange(100))
    r = hypercube(rates, 1.0, preferences, travel=travel, home=home)
    assert r.iterations < 10_000
    assert r.workload.sum() == pytest.approx(rates.sum(), rel=1e-6)
    assert r.outside_share is not None
    assert ((r.outside_share >= 0) & (r.outside_share <= 1)).all()
    assert r.mean_travel_by_atom is not None
    assert r.mean_travel == pytest.approx(rates @ r.mean_travel_by_atom / rates.sum())


def test_not_converged_is_reported() -> None:
    rng = np.random.default_rng(1)
    rates, preferences, _ = random_system(rng, 6, 20, 0.7)
    with pytest.raises(NotConvergedError, match="did not converge"):
        hypercube(rates, 1.0, preferences, max_iterations=1)


@pytest.mark.parametrize(
    ("rates", "preferences", "match"),
    [
        ([1.0, 1.0], [[0, 1]], "shape"),
        ([1.0], [[0, 0]], "permutation"),
        ([1.0], [[0, 2]], "permutation"),
        ([1.0], [[0.0, 1.0]], "integer"),
        ([-1.0, 1.0], [[0, 1], [1, 0]], ">= 0"),
        ([0.0, 0.0], [[0, 1], [1, 0]], "not all 0"),
        ([1.5, 1.0], [[0, 1], [1, 0]], "unstable"),
    ],
)
def test_hypercube_rejects_bad_input(
    rates: list[float], preferences: list[list[float]], match: str
) -> None:
    with pytest.raises(QueueingError, match=match):
        hypercube(np.array(rates), 1.0, np.array(preferences))


def test_hypercube_rejects_bad_shapes_and_sizes() -> None:
    prefs = np.array([[0, 1], [1, 0]])
    with pytest.raises(QueueingError, match="travel"):
        hypercube(np.ones(2) * 0.1, 1.0, prefs, travel=np.ones((2, 3)))
    with pytest.raises(QueueingError, match="travel"):
        hypercube(np.ones(2) * 0.1, 1.0, prefs, travel=-np.ones((2, 2)))
    with pytest.raises(QueueingError, match="home"):
        hypercube(np.ones(2) * 0.1, 1.0, prefs, home=np.ones((3, 2), dtype=bool))
    big = np.tile(np.arange(11), (2, 1))
    with pytest.raises(QueueingError, match="2\\^N"):
        hypercube_exact(np.ones(2), 1.0, big)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    units=st.integers(1, 7),
    rho=st.floats(0.02, 0.97),
)
def test_hypercube_properties(seed: int, units: int, rho: float) -> None:
    rng = np.random.default_rng(seed)
    rates, preferences, _ = random_system(rng, units, units + 3, rho)
    assume(rates.sum() / units < 1)
    r = hypercube(rates, 1.0, preferences)
    assert ((r.workload > 0) & (r.workload < 1)).all()
    assert r.workload.sum() == pytest.approx(rates.sum(), rel=1e-6)
    assert (r.dispatch >= 0).all()
    exact = hypercube_exact(rates, 1.0, preferences)
    assert np.abs(r.workload - exact.workload).max() < 0.05
