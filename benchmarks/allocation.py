"""Allocation over 168 basisteams with 10 indicators and binding minimums and maximums.

Run: ``.venv/bin/python benchmarks/allocation.py`` (needs the dev extra ``pulp``).

The 168 teams are built from the bundled municipalities: the 342 municipalities, ordered by
police unit, veiligheidsregio and latitude, are cut into 168 consecutive groups (the real
basisteam boundaries are not public). Ten indicators: inhabitants, area and eight crime
counts of 2023. Minimum 40 fte and maximum 400 fte per team, which bind for the smallest
and the largest teams; 30,000 fte are distributed with weights fitted to nothing (all 1).

Measured side by side in one run, interleaved, median of many rounds:
- korps: ``allocate_group`` (exact bounded-proportional shares + largest-remainder rounding);
- **like for like**: the same problem (the bounded-proportional QP, same bounds, total and
  rounding) solved by HiGHS through korps's ``solver: highs``; its result must equal the
  closed form's (within the 0.1 fte step) or the benchmark fails (exit code 1). This ratio is
  the one to quote;
- for reference only, **a different problem**: the L1 linear program (minimise the total
  relative deviation from the proportional target, same bounds and total), by HiGHS (scipy)
  and by CBC (PuLP). Its optimum is not unique and not proportional (the largest difference
  per team to korps's result is printed), so its times compare no like with like. PuLP's
  time is split into building the model in Python and solving it (which includes writing
  the model file and running CBC as a subprocess).
"""

from __future__ import annotations

import csv
import statistics
import sys
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import numpy as np
import pulp
from scipy.optimize import linprog

from korps.planning.allocation import Bound, allocate_group

TEAMS = 168
TOTAL = 30_000.0
LOW, HIGH = 40.0, 400.0
ROUNDS = 40
CRIME = (
    "misdrijven_totaal",
    "diefstal_inbraak_woning",
    "diefstal_fietsen",
    "winkeldiefstal",
    "bedreiging",
    "mishandeling",
    "vernieling",
    "horizontale_fraude",
)


def teams() -> tuple[list[str], np.ndarray]:
    data = Path(str(resources.files("korps") / "datasets"))
    with (data / "gemeenten.csv").open(encoding="utf-8") as handle:
        gemeenten = list(csv.DictReader(handle))
    with (data / "misdrijven_per_gemeente.csv").open(encoding="utf-8") as handle:
        crime = {r["cbs_code"]: r for r in csv.DictReader(handle) if r["year"] == "2023"}
    gemeenten.sort(
        key=lambda g: (g["politie_eenheid_code"], g["veiligheidsregio_code"], float(g["lat"]))
    )
    rows = np.array(
        [
            [float(g["population"]), float(g["area_km2"])]
            + [float(crime[g["cbs_code"]][c]) for c in CRIME]
            for g in gemeenten
        ]
    )
    groups = np.array_split(np.arange(len(gemeenten)), TEAMS)
    indicators = np.array([rows[g].sum(axis=0) for g in groups])
    return [f"bt{i:03d}" for i in range(TEAMS)], indicators


def score(indicators: np.ndarray) -> np.ndarray:
    weights = 1.0 / indicators.sum(axis=0)  # every indicator counts equally
    return indicators @ weights


def korps_allocate(keys: list[str], s: np.ndarray) -> np.ndarray:
    bounds = [Bound(LOW, HIGH)] * len(keys)
    return allocate_group(keys=keys, score=s, total=TOTAL, bounds=bounds, step=0.1).amounts


def highs_qp_allocate(keys: list[str], s: np.ndarray) -> np.ndarray:
    """The same bounded-proportional problem as a QP in HiGHS (korps ``solver: highs``)."""
    bounds = [Bound(LOW, HIGH)] * len(keys)
    return allocate_group(
        keys=keys, score=s, total=TOTAL, bounds=bounds, step=0.1, solver="highs"
    ).amounts


def lp_matrices(s: np.ndarray) -> tuple[np.ndarray, ...]:
    """Variables x (n), d+ (n), d- (n): min sum((d+ + d-)/t), x - d+ + d- = t, sum x = T."""
    n = len(s)
    t = TOTAL * s / s.sum()
    c = np.concatenate([np.zeros(n), 1 / t, 1 / t])
    eye = np.eye(n)
    a_eq = np.vstack([np.hstack([eye, -eye, eye]), np.concatenate([np.ones(n), np.zeros(2 * n)])])
    b_eq = np.concatenate([t, [TOTAL]])
    return c, a_eq, b_eq, t


def highs_allocate(keys: list[str], s: np.ndarray) -> np.ndarray:
    n = len(keys)
    c, a_eq, b_eq, _ = lp_matrices(s)
    bounds = [(LOW, HIGH)] * n + [(0, None)] * (2 * n)
    result = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    assert result.status == 0, result.message
    return np.asarray(result.x[:n])


def pulp_build(keys: list[str], s: np.ndarray) -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
    t = TOTAL * s / s.sum()
    problem = pulp.LpProblem("allocation", pulp.LpMinimize)
    x = [pulp.LpVariable(f"x_{k}", LOW, HIGH) for k in keys]
    up = [pulp.LpVariable(f"p_{k}", 0) for k in keys]
    down = [pulp.LpVariable(f"m_{k}", 0) for k in keys]
    problem += pulp.lpSum((up[i] + down[i]) * (1 / t[i]) for i in range(len(keys)))
    for i in range(len(keys)):
        problem += x[i] - up[i] + down[i] == t[i]
    problem += pulp.lpSum(x) == TOTAL
    return problem, x


def pulp_solve(problem: pulp.LpProblem, x: list[pulp.LpVariable]) -> np.ndarray:
    problem.solve(pulp.PULP_CBC_CMD(msg=False))
    assert pulp.LpStatus[problem.status] == "Optimal"
    return np.array([v.value() for v in x], dtype=float)


def pulp_times(keys: list[str], s: np.ndarray, rounds: int) -> tuple[float, float]:
    """Median ms to build the PuLP model and to solve it with CBC, apart."""
    builds, solves = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        problem, x = pulp_build(keys, s)
        built = time.perf_counter()
        pulp_solve(problem, x)
        builds.append(built - start)
        solves.append(time.perf_counter() - built)
    return statistics.median(builds) * 1000, statistics.median(solves) * 1000


def median_ms(
    fn: Callable[[list[str], np.ndarray], np.ndarray], keys: list[str], s: np.ndarray, rounds: int
) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn(keys, s)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> int:
    keys, indicators = teams()
    s = score(indicators)
    ours = korps_allocate(keys, s)
    target = TOTAL * s / s.sum()
    at_min = int((ours <= LOW + 1e-9).sum())
    at_max = int((ours >= HIGH - 1e-9).sum())
    print(
        f"{TEAMS} teams, {indicators.shape[1]} indicators, {TOTAL:g} fte; "
        f"proportional targets {target.min():.1f}..{target.max():.1f} fte"
    )
    print(f"binding: {at_min} teams at the minimum {LOW:g}, {at_max} at the maximum {HIGH:g}")
    timings: dict[str, list[float]] = {
        "korps": [],
        "qp": [],
        "highs": [],
        "pulp build": [],
        "pulp solve": [],
    }
    for _ in range(3):  # interleaved so all see the same machine load
        timings["korps"].append(median_ms(korps_allocate, keys, s, ROUNDS))
        timings["qp"].append(median_ms(highs_qp_allocate, keys, s, ROUNDS // 4))
        timings["highs"].append(median_ms(highs_allocate, keys, s, ROUNDS // 4))
        build, solve = pulp_times(keys, s, 3)
        timings["pulp build"].append(build)
        timings["pulp solve"].append(solve)
    best = {name: min(values) for name, values in timings.items()}
    qp = highs_qp_allocate(keys, s)
    qp_gap = float(np.abs(qp - ours).max())
    lp = highs_allocate(keys, s)
    lp_gap = float(np.abs(ours - lp).max())
    same = qp_gap <= 0.1 + 1e-9 and abs(qp.sum() - TOTAL) < 1e-6 and abs(ours.sum() - TOTAL) < 1e-6
    print("the same problem (bounded-proportional QP, rounded to 0.1 fte):")
    print(
        f"  korps closed form:             {best['korps']:8.2f} ms per allocation (target < 50 ms)"
    )
    print(
        f"  HiGHS QP (korps solver highs): {best['qp']:8.2f} ms; same optimum: "
        f"{'yes' if same else 'NO'} (largest difference {qp_gap:.1f} fte)"
    )
    print(
        f"  ratio HiGHS QP / korps: {best['qp'] / best['korps']:.1f}x  <- the like-for-like figure"
    )
    print(
        "a different problem, for reference (the L1 LP: its optimum is not proportional, "
        f"up to {lp_gap:.1f} fte per team from korps's):"
    )
    print(f"  LP in HiGHS (scipy):           {best['highs']:8.2f} ms")
    print(
        f"  LP in CBC (PuLP):              {best['pulp build'] + best['pulp solve']:8.2f} ms = "
        f"building the model {best['pulp build']:.2f} ms + solving {best['pulp solve']:.2f} ms "
        "(writes the model file, runs CBC as a subprocess)"
    )
    print(f"sum korps {ours.sum():.1f}, sum HiGHS QP {qp.sum():.1f}, sum LP {lp.sum():.1f}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
