"""korps's numba event loop and the same model in SimPy, side by side on a Rotterdam-sized
region-year.

Run: ``.venv/bin/python benchmarks/sim_vs_simpy.py [--replications 2] [--days 365]``
(needs ``simpy``, a benchmark-only dependency of the dev extra; SimPy takes some 10 seconds
per region-year, ``--days 30`` for a quick look).

The region (no database needed): 17 basisteam areas in 7 districts around Rotterdam
(lat 51.9, lon 4.5; positions, sizes and demand shares from a fixed layout seed),
300,000 incidents a year split 25 / 35 / 40 % over prio 1 / 2 / 3, the default hour-of-
week profile, three 8-hour shifts (07-15, 15-23, 23-07) staffed per area by the rule of
``korps.planning.twin`` (aimed at 55 % utilisation at the shift's mean demand; about 36 % is
measured, as travel is short; some 80 units on duty per shift on average), 6 intake
operators, 30 % of prio-1 incidents need two units, return to base on, no diversion;
every other setting is the ``SimScenario`` default. ``--scenario FILE.yaml`` runs a
scenario file instead.

Per replication both simulators get the very same incidents (``korps.sim.engine.draw``
from one ``SeedSequence`` stream per replication, as ``replicate`` does) and the same
model arrays; the SimPy model is in ``benchmarks/simpy_model.py``. Its dispatch uses
korps's compiled ``rank_units`` by default (the same rules by construction; this makes
SimPy faster than a pure-Python model, so the ratio is conservative) or, with
``--policy python``, a pure-Python port of it. Results should be identical up to the
last bit of floating-point rounding; the script prints the KPIs of both with their 95 %
confidence intervals, whether they agree, how many incidents differ at all, the speed
ratio (SimPy time / korps time, simulation only: the draw is shared and timed apart),
korps seconds per region-year and the process's peak memory (``ru_maxrss``) after the
first korps replication.

Exit code: 0 when every incident of every replication has the same intake, dispatch,
on-scene and clearing times in both (within 1e-6 minutes) and was sent the same units at
the same times, and the KPIs agree; 1 when any incident differs (the count is printed) or a
KPI does not agree; 2 for wrong arguments. ``--divert --roster-share 0.6`` checks the
diversion path (queues form, prio-3 jobs are broken off); the suite runs 15 such days in
``tests/integration/test_sim_simpy_equivalence.py``.

korps is timed after one warm-up call on a slice of the incidents (numba compiles, or
loads its ``cache=True`` cache, on the first call); SimPy gets the same warm-up.
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from simpy_model import Policy, simulate_simpy

from korps.sim.demand import Incidents, default_profile
from korps.sim.engine import Model, Replication, build_model, draw, run_incidents
from korps.sim.kpi import Estimate, SimResult, summarize
from korps.sim.scenario import SimScenario, read_sim_scenario

FloatArray = npt.NDArray[np.float64]

INCIDENTS_PER_YEAR = 300_000.0
PRIORITY_SPLIT = {1: 0.25, 2: 0.35, 3: 0.40}
DISTRICTS = (3, 3, 3, 2, 2, 2, 2)  # basisteams per district: 17 in 7
CENTRE = (51.9, 4.5)
SHIFTS = (("D", "07:00", "15:00"), ("A", "15:00", "23:00"), ("N", "23:00", "07:00"))
TARGET_UTILISATION = 0.55  # as korps.planning.twin
BUSY_MINUTES = 65.0  # as korps.planning.twin: on scene + travel out and back, per unit-job
TWO_UNIT_SHARE = 0.3
OPERATORS = 6
LAYOUT_SEED = 2024
WARMUP_INCIDENTS = 2_000
TARGET_SECONDS = 0.5
TARGET_RATIO = 50.0
TARGET_MB = 500.0
SAME = 1e-6  # minutes: per-incident times closer than this count as the same


def _shift_factor(start: str, end: str) -> float:
    """Mean of the default hour-of-week profile over the hours of a daily shift."""
    profile = default_profile()
    first, last = int(start[:2]), int(end[:2])
    hours = [(first + k) % 24 for k in range((last - first) % 24 or 24)]
    return float(np.mean([profile[d * 24 + h] for d in range(7) for h in hours]))


def rotterdam_sized(days: float, layout_seed: int = LAYOUT_SEED) -> SimScenario:
    """A synthetic Rotterdam-sized scenario: 17 areas, 7 districts, ~300,000 incidents."""
    rng = np.random.default_rng(layout_seed)
    n_areas = sum(DISTRICTS)
    weights = rng.uniform(0.5, 1.5, n_areas)
    weights /= weights.sum()
    factors = {name: _shift_factor(start, end) for name, start, end in SHIFTS}
    areas = []
    roster: dict[str, dict[str, int]] = {}
    k = 0
    for d, count in enumerate(DISTRICTS):
        angle = 2 * math.pi * d / len(DISTRICTS)
        lat0 = CENTRE[0] + 0.09 * math.sin(angle)
        lon0 = CENTRE[1] + 0.15 * math.cos(angle)
        for _ in range(count):
            key = f"bt{k + 1:02d}"
            per_year = INCIDENTS_PER_YEAR * float(weights[k])
            areas.append(
                {
                    "key": key,
                    "district": f"district-{'ABCDEFG'[d]}",
                    "lat": round(lat0 + float(rng.uniform(-0.03, 0.03)), 5),
                    "lon": round(lon0 + float(rng.uniform(-0.05, 0.05)), 5),
                    "area_km2": round(float(rng.uniform(15.0, 80.0)), 1),
                    "incidents_per_year": {p: per_year * f for p, f in PRIORITY_SPLIT.items()},
                }
            )
            load = per_year / (365 * 24 * 60) * BUSY_MINUTES * (1 + 0.3 * PRIORITY_SPLIT[1])
            roster[key] = {
                name: max(1, math.ceil(load * factors[name] / TARGET_UTILISATION))
                for name, _, _ in SHIFTS
            }
            k += 1
    return SimScenario.model_validate(
        {
            "name": "Rotterdam-sized (synthetic, benchmark)",
            "days": days,
            "warmup_days": min(7.0, days / 10),
            "areas": areas,
            "control_room": {"operators": OPERATORS},
            "two_unit_share": TWO_UNIT_SHARE,
            "return_to_base": True,
            "roster": {
                "shifts": [{"name": n, "start": s, "end": e} for n, s, e in SHIFTS],
                "units": roster,
            },
        }
    )


def reduced(scenario: SimScenario, *, roster_share: float, divert: bool) -> SimScenario:
    """The scenario with every roster count scaled by ``roster_share`` (rounded down, at least
    one unit per area and shift: queues form, and with ``divert`` prio-3 jobs are broken
    off) and diversion on or off."""
    units = {
        area: {shift: max(1, int(n * roster_share)) for shift, n in counts.items()}
        for area, counts in scenario.roster.units.items()
    }
    roster = scenario.roster.model_copy(update={"units": units})
    return scenario.model_copy(update={"divert": divert, "roster": roster})


def head(incidents: Incidents, count: int) -> Incidents:
    """The first ``count`` incidents (for the warm-up calls)."""
    return Incidents(
        incidents.time[:count],
        incidents.atom[:count],
        incidents.priority[:count],
        incidents.units[:count],
        incidents.intake[:count],
        incidents.service[:count],
    )


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024**2 if sys.platform == "darwin" else peak / 1024  # bytes vs KiB


def current_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return math.nan


def describe(model: Model) -> None:
    s = model.scenario
    per_shift = {
        shift.name: sum(s.units_of(a.key)[shift.name] for a in s.areas) for shift in s.roster.shifts
    }
    rates = model.rates.sum(axis=0)
    print(
        f"scenario: {s.name}; {len(model.keys)} areas in {len(model.districts)} districts, "
        f"{s.days:g} days (warm-up {s.warmup_days:g})"
    )
    print(
        f"  demand {model.rates.sum():,.0f} incidents a year (prio 1/2/3: "
        + " / ".join(f"{r:,.0f}" for r in rates)
        + f"), two-unit prio-1 share {s.two_unit_share:g}"
    )
    print(
        "  units on duty per shift: "
        + ", ".join(f"{name} {n}" for name, n in per_shift.items())
        + f" (mean {np.mean(list(per_shift.values())):.0f}; {len(model.unit_home)} unit "
        f"identities, {len(model.shift_start):,} shift windows)"
    )
    room = s.control_room
    print(
        f"  operators {room.operators if room else 'none'}, return to base "
        f"{'on' if s.return_to_base else 'off'}, divert {'on' if s.divert else 'off'}"
    )


def differences(a: Replication, b: Replication) -> tuple[int, float]:
    """Incidents whose intake, dispatch, on-scene or clearing time differ by more than SAME,
    or that were sent other units (the assignment log: which unit, when), and the largest
    time difference (minutes)."""
    differ = np.zeros(len(a.incidents), dtype=bool)
    largest = 0.0
    for x, y in (
        (a.intake_start, b.intake_start),
        (a.ready, b.ready),
        (a.dispatched, b.dispatched),
        (a.on_scene, b.on_scene),
        (a.cleared, b.cleared),
    ):
        both = ~np.isnan(x) & ~np.isnan(y)
        gap = np.where(both, np.abs(x - y), 0.0)
        differ |= (np.isnan(x) != np.isnan(y)) | (gap > SAME)
        largest = max(largest, float(gap.max(initial=0.0)))
    sent_a, sent_b = _assignments(a), _assignments(b)
    for i in set(sent_a) | set(sent_b):
        x, y = sent_a.get(i, []), sent_b.get(i, [])
        if [u for u, _ in x] != [u for u, _ in y] or any(
            abs(s - t) > SAME for (_, s), (_, t) in zip(x, y, strict=True)
        ):
            differ[i] = True  # other units sent, or the same ones at another time
    return int(differ.sum()), largest


def _assignments(rep: Replication) -> dict[int, list[tuple[int, float]]]:
    """Per incident the units sent to it, in the order sent, with the time each was sent."""
    sent: dict[int, list[tuple[int, float]]] = {}
    for i, u, t in zip(
        rep.log_incident.tolist(), rep.log_unit.tolist(), rep.log_times[:, 0].tolist(), strict=True
    ):
        sent.setdefault(i, []).append((u, t))
    return sent


def agree(a: Estimate, b: Estimate) -> bool:
    """Each mean inside the other's 95 % CI (with one replication there is no interval:
    then the means must be equal up to rounding)."""
    if math.isnan(a.mean) and math.isnan(b.mean):
        return True
    if math.isnan(a.mean) or math.isnan(b.mean):
        return False
    if math.isnan(a.low) or math.isnan(b.low):
        return abs(a.mean - b.mean) <= 1e-9 * max(1.0, abs(a.mean))
    eps = 1e-12 * max(1.0, abs(a.mean))
    return a.low - eps <= b.mean <= a.high + eps and b.low - eps <= a.mean <= b.high + eps


def show(e: Estimate, digits: int) -> str:
    if math.isnan(e.low):
        return f"{e.mean:.{digits}f}"
    return f"{e.mean:.{digits}f} [{e.low:.{digits}f}, {e.high:.{digits}f}]"


def kpi_rows(ours: SimResult, theirs: SimResult) -> list[tuple[str, Estimate, Estimate, int]]:
    rows: list[tuple[str, Estimate, Estimate, int]] = []
    for a, b in zip(ours.priorities, theirs.priorities, strict=True):
        p = a.priority
        if a.norm_minutes is not None:
            label = f"prio {p} within {a.norm_minutes:g} min (target {a.target_share:.0%})"
            rows.append((label, a.within_norm, b.within_norm, 4))
        rows.append((f"prio {p} P50 response (min)", a.p50, b.p50, 2))
        rows.append((f"prio {p} P90 response (min)", a.p90, b.p90, 2))
        rows.append((f"prio {p} unserved at horizon", a.unserved, b.unserved, 5))
    rows.append(("unit utilisation", ours.utilisation, theirs.utilisation, 4))
    rows.append(("operator wait (min)", ours.operator_wait, theirs.operator_wait, 4))
    rows.append(("share waiting for a unit", ours.unit_wait, theirs.unit_wait, 4))
    return rows


def run_korps(
    model: Model, streams: Sequence[np.random.SeedSequence]
) -> tuple[list[Replication], list[float], list[float], float, list[float]]:
    """Warm-up, then per replication: draw (timed apart) and the kernel (timed); returns
    the replications, draw and run seconds, the RSS before the first timed run and the
    peak RSS after each replication (MB)."""
    start = time.perf_counter()
    first = draw(model, np.random.default_rng(streams[0]))
    run_incidents(model, head(first, WARMUP_INCIDENTS))
    print(
        f"korps warm-up (numba compile or cache load): {time.perf_counter() - start:.2f} s",
        flush=True,
    )
    rss_before = current_rss_mb()
    reps: list[Replication] = []
    draws: list[float] = []
    runs: list[float] = []
    peaks: list[float] = []
    for k, stream in enumerate(streams):
        start = time.perf_counter()
        incidents = draw(model, np.random.default_rng(stream))
        drawn = time.perf_counter()
        reps.append(run_incidents(model, incidents))
        done = time.perf_counter()
        draws.append(drawn - start)
        runs.append(done - drawn)
        peaks.append(peak_rss_mb())
        print(
            f"  korps replication {k + 1}/{len(streams)}: {len(incidents):,} incidents, "
            f"draw {draws[-1]:.3f} s, simulation {runs[-1]:.3f} s",
            flush=True,
        )
    return reps, draws, runs, rss_before, peaks


def run_simpy(
    model: Model, incidents: Sequence[Incidents], policy: Policy
) -> tuple[list[Replication], list[float]]:
    start = time.perf_counter()
    simulate_simpy(model, head(incidents[0], WARMUP_INCIDENTS), policy=policy)
    print(f"SimPy warm-up: {time.perf_counter() - start:.2f} s", flush=True)
    reps: list[Replication] = []
    runs: list[float] = []
    for k, inc in enumerate(incidents):
        began = time.perf_counter()

        def progress(day: float, k: int = k, began: float = began) -> None:
            elapsed = time.perf_counter() - began
            print(f"    SimPy replication {k + 1}: day {day:.0f} after {elapsed:.1f} s", flush=True)

        reps.append(simulate_simpy(model, inc, policy=policy, progress=progress))
        runs.append(time.perf_counter() - began)
        print(
            f"  SimPy replication {k + 1}/{len(incidents)}: simulation {runs[-1]:.2f} s",
            flush=True,
        )
    return reps, runs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--replications", type=int, default=2)
    parser.add_argument("--days", type=float, default=365.0)
    parser.add_argument("--seed", type=int, default=20240)
    parser.add_argument(
        "--policy",
        choices=("korps", "python"),
        default="korps",
        help="dispatch in SimPy: korps's compiled rank_units (default) or a pure-Python port",
    )
    parser.add_argument(
        "--scenario", type=Path, help="a scenario YAML instead of the synthetic one"
    )
    parser.add_argument("--divert", action="store_true", help="diversion on (prio 1 from prio 3)")
    parser.add_argument(
        "--no-national",
        action="store_true",
        help="skip the national year (all ten units from the bundled data, korps only)",
    )
    parser.add_argument(
        "--roster-share",
        type=float,
        default=1.0,
        help="scale every roster count (e.g. 0.6: queues and diversions)",
    )
    args = parser.parse_args(argv)
    if args.replications < 1 or args.days <= 0:
        parser.error("--replications must be >= 1 and --days > 0")
    policy: Policy = args.policy

    if args.scenario is not None:
        scenario = read_sim_scenario(args.scenario)
        if args.days != 365.0:
            scenario = scenario.model_copy(
                update={"days": args.days, "warmup_days": min(scenario.warmup_days, args.days / 10)}
            )
    else:
        scenario = rotterdam_sized(args.days)
    if args.divert or args.roster_share != 1.0:
        scenario = reduced(scenario, roster_share=args.roster_share, divert=args.divert)
    model = build_model(scenario)
    describe(model)
    streams = np.random.SeedSequence(args.seed).spawn(args.replications)
    print(
        f"{args.replications} replications, seed {args.seed}; SimPy dispatch: "
        + (
            "korps.dispatch.policy.rank_units (compiled, called from Python)"
            if policy == "korps"
            else "pure-Python port of rank_units"
        ),
        flush=True,
    )

    ours, draws, korps_runs, rss_before, peaks = run_korps(model, streams)
    theirs, simpy_runs = run_simpy(model, [rep.incidents for rep in ours], policy)

    korps_result = summarize(model, ours, args.seed)
    simpy_result = summarize(model, theirs, args.seed)
    print()
    print(f"KPIs after the warm-up days, mean [95 % CI] over {args.replications} replications")
    rows = kpi_rows(korps_result, simpy_result)
    width = max(len(label) for label, *_ in rows)
    print(f"{'':{width}}  {'korps':<32}  {'SimPy':<32}  agree")
    all_agree = True
    for label, a, b, digits in rows:
        ok = agree(a, b)
        all_agree &= ok
        verdict = "yes" if ok else "NO"
        print(f"{label:<{width}}  {show(a, digits):<32}  {show(b, digits):<32}  {verdict}")
    print(f"KPIs agree within their 95 % confidence intervals: {'yes' if all_agree else 'NO'}")
    differing = 0
    for k, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        count, largest = differences(a, b)
        differing += count
        print(
            f"replication {k + 1}: {count:,} of {len(a.incidents):,} incidents differ in intake, "
            f"dispatch, on-scene or clearing time by > {SAME:g} min (largest difference "
            f"{largest:.2e} min); assignments {len(a.log_unit):,} vs {len(b.log_unit):,}"
        )

    print()
    per_year = 365.0 / float(scenario.days)
    korps_mean = float(np.mean(korps_runs))
    simpy_mean = float(np.mean(simpy_runs))
    ratio = sum(simpy_runs) / sum(korps_runs)
    year_seconds = korps_mean * per_year
    print(
        f"korps: {korps_mean:.3f} s per replication (best {min(korps_runs):.3f} s), "
        f"{year_seconds:.3f} s per region-year (target < {TARGET_SECONDS:g} s: "
        f"{'met' if year_seconds < TARGET_SECONDS else 'NOT met'}); drawing the incidents "
        f"{float(np.mean(draws)) * per_year:.3f} s per region-year on top"
    )
    print(
        f"SimPy: {simpy_mean:.2f} s per replication, {simpy_mean * per_year:.1f} s per region-year"
    )
    print(
        f"speed ratio SimPy / korps: {ratio:.0f}x (target >= {TARGET_RATIO:g}x: "
        f"{'met' if ratio >= TARGET_RATIO else 'NOT met'})"
    )
    print(
        f"memory: peak RSS of the process after one korps region-year {peaks[0]:.0f} MB "
        f"(target < {TARGET_MB:g} MB: {'met' if peaks[0] < TARGET_MB else 'NOT met'}; "
        f"includes Python, numpy, scipy, numba/LLVM: {rss_before:.0f} MB before the run); "
        f"{peaks[-1]:.0f} MB after all {args.replications} korps replications, which are "
        "kept for the KPIs"
    )
    print(f"identical per incident: {'yes' if differing == 0 else f'NO ({differing:,} differ)'}")
    if not args.no_national:
        national_year(args.seed)
    return 0 if all_agree and differing == 0 else 1


def national_year(seed: int, replications: int = 2) -> None:
    """The national twin (``korps sim run --unit politie``: all ten units, the bundled
    defaults), built from the bundled data in a temporary SQLite database; per replication
    the draw (incidents, own-work periods, the merged duty stream) and the kernel, apart,
    in CPU seconds of this process (machine load inflates wall time, not these much).
    Target: the kernel < 3 s per year on one core."""
    import tempfile

    from korps.db.migrate import upgrade_to_head
    from korps.db.session import make_engine, session_factory
    from korps.organisation.loader import bundled_names, load
    from korps.planning.twin import scenario_for_unit

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/national.db")
        upgrade_to_head(engine)
        with session_factory(engine)() as session:
            for name in bundled_names():
                load(session, name_or_path=name)
            scenario = scenario_for_unit(session, slug="politie")
        engine.dispose()
    model = build_model(scenario)
    print()
    print(
        f"national year: {len(model.keys)} areas, {len(model.unit_home):,} unit identities, "
        f"{model.rates.sum():,.0f} incidents a year expected"
    )
    streams = np.random.SeedSequence(seed).spawn(replications)
    run_incidents(model, head(draw(model, np.random.default_rng(streams[0])), 2000))  # warm-up
    kernel = []
    for k, stream in enumerate(streams):
        start = time.process_time()
        incidents = draw(model, np.random.default_rng(stream))
        drawn = time.process_time()
        run_incidents(model, incidents)
        done = time.process_time()
        kernel.append(done - drawn)
        print(
            f"  replication {k + 1}: {len(incidents):,} incidents, "
            f"{len(incidents.away_start):,} own-work periods; draw {drawn - start:.2f} s, "
            f"kernel {done - drawn:.2f} s (CPU)"
        )
    best = min(kernel)
    print(
        f"national year: kernel {float(np.mean(kernel)):.2f} s per replication (best "
        f"{best:.2f} s; target < 3 s: {'met' if best < 3 else 'NOT met'})"
    )


if __name__ == "__main__":
    sys.exit(main())
