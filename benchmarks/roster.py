"""Roster generator benchmark: a basisteam (80 people, 4 weeks, 3 shifts) and a district
(250 people, 4 weeks), synthetic teams from a seeded numpy Generator, with wishes (two days
off per person, a tenth asking no nights, a tenth early shifts; ``--no-wishes`` leaves them out).

Prints build + solve time, objective, best bound and relative gap, the shortfalls, the
violations the independent rule checker finds (must be 0) and the wishes not honoured.
Targets (issue 12): basisteam optimal or within 2 % in < 60 s; district within 5 % in
< 5 min. A benchmark, not a test:

    .venv/bin/python benchmarks/roster.py [--only basisteam|district] [--workers 2]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from korps.capacity.generator import SolveOptions, solve
from korps.capacity.rules import check
from korps.capacity.synthetic import basisteam, with_wishes

CASES = {
    "basisteam": (80, 60.0, 0.02),
    "district": (250, 300.0, 0.05),
}


def run(
    name: str, people: int, limit: float, target: float, workers: int, wishes: bool = True
) -> bool:
    rng = np.random.default_rng(2027)
    problem = basisteam(people_count=people, weeks=4, rng=rng)
    if wishes:
        problem = with_wishes(problem, rng=rng)
    started = time.perf_counter()
    last = [0.0]

    def progress(seconds: float, objective: float, bound: float) -> None:
        if seconds - last[0] >= 10:
            last[0] = seconds
            print(f"  {seconds:6.1f} s  objective {objective:10.1f}  bound {bound:10.1f}")

    options = SolveOptions(time_limit=limit, workers=workers, gap_limit=target)
    result = solve(problem, options, progress)
    total = time.perf_counter() - started
    violations = check(result.worked(problem), problem.rules)
    missing = sum(s.missing for s in result.shortfalls)
    ok = not violations and (result.gap <= target) and total <= limit * 1.1 + 30
    cars = problem.cars[0]
    print(
        f"{name}: {people} people, {problem.days} days, cars/shift {cars} | status "
        f"{result.status} | total {total:.1f} s (solve {result.seconds:.1f} s) | objective "
        f"{result.objective:.1f} | bound {result.bound:.1f} | gap {100 * result.gap:.2f} % "
        f"(target {100 * target:g} %) | shortfalls {missing} | rule violations "
        f"{len(violations)} | wishes {len(problem.wishes)}, not honoured {len(result.unmet)} | "
        f"{'OK' if ok else 'MISSED'}"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=sorted(CASES))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-wishes", action="store_true", help="Leave the wishes out.")
    args = parser.parse_args()
    results = [
        run(name, *spec, workers=args.workers, wishes=not args.no_wishes)
        for name, spec in CASES.items()
        if args.only in (None, name)
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
