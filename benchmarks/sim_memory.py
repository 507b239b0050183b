"""Peak memory of ``korps sim run --unit SLUG -r N --plot DIR``, before and after compacting
the replications, side by side.

Each variant runs in a fresh child process that imports the whole ``korps`` command line
(as ``korps sim run`` does) and then does what the command does: build the unit's default
twin, run the replications, the KPIs, the monthly table and the plots with the HTML report.
``before`` keeps every replication whole (the incidents' drawn durations, the units'
own-work periods, the merged duty stream, the clearing times and the assignment log), as
the command did until now; ``after`` keeps what ``korps.sim.engine.compact`` keeps (the
command's path now). The child reports its peak resident memory (``VmHWM``), the peak of the
memory Python and numpy allocated (``tracemalloc``) and what the replications it keeps take
(``nbytes``); the KPIs of both must agree, or the benchmark exits 1.

    python benchmarks/sim_memory.py                          # Rotterdam, 3 replications
    python benchmarks/sim_memory.py --unit politie --days 120 -r 3
    python benchmarks/sim_memory.py --rev e69519e            # and the command at that commit

With ``--rev REV`` the command itself (``korps sim run SCENARIO.yaml -r N --plot DIR
--json``) also runs from the source of commit REV (``git archive``; its numba kernel
compiled by a ten-day run of the scenario first) and from this tree, on the same scenario
file (the unit's default twin of this tree), each in a fresh process; their peak memory is
printed side by side and their JSON must be the same (the assumptions, sentences for people,
may be worded differently; every figure must be equal).

The bundled datasets are loaded into a temporary SQLite database first.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def child(mode: str, unit: str, replications: int, days: float | None, out: Path) -> None:
    import tracemalloc

    import korps.cli  # noqa: F401  (what `korps sim run` imports)
    from korps.cli.common import open_session
    from korps.planning.twin import scenario_for_unit
    from korps.sim.engine import build_model, compact, replicate
    from korps.sim.kpi import summarize
    from korps.sim.report import monthly_rows, write_plots

    tracemalloc.start()
    with open_session() as session:
        scenario = scenario_for_unit(session, slug=unit, days=days or 365)
    model = build_model(scenario)
    reps = replicate(
        model, replications=replications, seed=1, keep=compact if mode == "after" else None
    )
    kept = sum(
        value.nbytes
        for rep in reps
        for part in (rep, rep.incidents)
        for value in vars(part).values()
        if hasattr(value, "nbytes")
    )
    result = summarize(model, reps, 1)
    rows = monthly_rows(model, reps)
    write_plots(model, reps, result, out, monthly=rows)
    _, traced = tracemalloc.get_traced_memory()
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    print(
        json.dumps(
            {
                "peak_rss_mb": int(status["VmHWM"].split()[0]) / 1024,
                "traced_peak_mb": traced / 2**20,
                "kept_mb": kept / 2**20,
                "incidents": result.incidents,
                "prio1_share": result.priorities[0].within_norm.mean,
                "prio1_p90": result.priorities[0].p90.mean,
                "rows": len(rows),
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unit", default="rotterdam")
    parser.add_argument("--replications", "-r", type=int, default=3)
    parser.add_argument("--days", type=float, default=None, help="default: a year")
    parser.add_argument("--child", choices=("before", "after"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--rev", help="also run the command of this git commit")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.unit, args.replications, args.days, args.out)
        return 0

    from korps.db.migrate import upgrade_to_head
    from korps.db.session import make_engine, session_factory
    from korps.organisation.loader import bundled_names, load

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        upgrade_to_head(engine)
        with session_factory(engine)() as session:
            for name in bundled_names():
                load(session, name_or_path=name)
        engine.dispose()
        figures = {}
        for mode in ("before", "after"):
            command = [sys.executable, __file__, "--child", mode, "--unit", args.unit]
            command += ["-r", str(args.replications), "--out", f"{tmp}/{mode}"]
            if args.days:
                command += ["--days", str(args.days)]
            env = os.environ | {"KORPS_DATABASE_URL": url}
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
            figures[mode] = json.loads(done.stdout.strip().splitlines()[-1])
        commands = compare_rev(args, Path(tmp), url) if args.rev else True
    before, after = figures["before"], figures["after"]
    span = f"{args.days:g} days" if args.days else "a year"
    print(
        f"korps sim run --unit {args.unit} -r {args.replications} --plot ({span}, "
        f"{before['incidents']:,.0f} incidents per replication; 2-core machine, shared)"
    )
    print(f"{'':32}{'before':>12}{'after':>12}")
    for key, label in (
        ("peak_rss_mb", "peak resident memory (MB)"),
        ("traced_peak_mb", "peak Python+numpy (MB)"),
        ("kept_mb", "replications kept (MB)"),
    ):
        print(f"{label:32}{before[key]:>12,.0f}{after[key]:>12,.0f}")
    same = all(before[k] == after[k] for k in ("incidents", "prio1_share", "prio1_p90", "rows"))
    print(
        f"prio 1 within 15 min {before['prio1_share']:.4%} / {after['prio1_share']:.4%}, "
        f"P90 {before['prio1_p90']:.3f} / {after['prio1_p90']:.3f} min, {after['rows']:,} "
        f"monthly rows: {'identical' if same else 'DIFFERENT'}"
    )
    return 0 if same and commands else 1


# runs the command line and says its peak resident memory on stderr when it ends
PEAK = (
    "import atexit, sys; atexit.register(lambda: print('VmHWM', open('/proc/self/status')"
    ".read().split('VmHWM:')[1].split()[0], file=sys.stderr)); from korps.cli import main; "
    "sys.argv = ['korps', *sys.argv[1:]]; main()"
)


def _command(source: Path, args: list[str], url: str) -> tuple[dict[str, object], float]:
    env = os.environ | {"KORPS_DATABASE_URL": url, "PYTHONPATH": str(source)}
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    peak = next(line for line in done.stderr.splitlines() if line.startswith("VmHWM"))
    return json.loads(done.stdout), int(peak.split()[1]) / 1024


def compare_rev(args: argparse.Namespace, tmp: Path, url: str) -> bool:
    """The command at ``args.rev`` against this tree's, on this tree's scenario of the unit."""
    import yaml

    from korps.db.session import make_engine, session_factory
    from korps.planning.twin import scenario_for_unit

    engine = make_engine(url)
    with session_factory(engine)() as session:
        scenario = scenario_for_unit(session, slug=args.unit, days=args.days or 365)
    engine.dispose()
    path = tmp / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False))
    root = Path(__file__).resolve().parents[1]
    old = tmp / "rev"
    old.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", args.rev, "src"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    short = tmp / "short.yaml"  # compiles every kernel the scenario reaches
    short.write_text(yaml.safe_dump(scenario.model_dump(mode="json") | {"days": 10}))
    _command(old / "src", ["sim", "run", str(short), "-r", "1", "--json"], url)
    run = ["sim", "run", str(path), "-r", str(args.replications), "--json", "--plot"]
    then, then_peak = _command(old / "src", [*run, str(tmp / "rev-plots")], url)
    now, now_peak = _command(root / "src", [*run, str(tmp / "now-plots")], url)
    differing = sorted(k for k in then.keys() | now.keys() if then.get(k) != now.get(k))
    # the assumptions are sentences for people: their wording may change between commits
    same = set(differing) <= {"assumptions"}
    verdict = "identical" if not differing else f"{'same results' if same else 'DIFFERENT'}"
    print(
        f"the command, {args.rev} -> this tree, same scenario file: peak resident memory "
        f"{then_peak:,.0f} MB -> {now_peak:,.0f} MB; JSON {verdict}"
        + (f" (differing keys: {', '.join(differing)})" if differing else "")
    )
    return same


if __name__ == "__main__":
    sys.exit(main())
