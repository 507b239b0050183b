"""What a command costs before it does anything: wall time and peak resident memory of
short ``korps`` commands, this tree against an earlier commit, side by side in one run.

Until ``adec453`` every command imported the whole command line (the simulation with
numba, matplotlib and scipy, the roster solver with OR-Tools and pandas, the web server)
before it ran; now a command's module is imported when it runs. Each command runs
``--repeat`` times in a fresh process from each source tree (``git archive REV src``) on
a SQLite database with the bundled datasets (made by that tree's own migrations and
loader); the median wall time and the highest
peak resident memory (``VmHWM``) are printed, with the ratio. Both trees must end every
command with the same exit code, or the benchmark exits 1.

    python benchmarks/cli_start.py                 # against e6ef8ab (before the change)
    python benchmarks/cli_start.py --rev HEAD~5 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = (
    ["--help"],
    ["org", "show", "rotterdam"],
    ["org", "tree", "rotterdam", "--depth", "1"],
    ["capacity", "--help"],
    ["sim", "--help"],
)
# runs the command line and says its peak resident memory on stderr when it ends
PEAK = (
    "import atexit, sys; atexit.register(lambda: print('VmHWM', open('/proc/self/status')"
    ".read().split('VmHWM:')[1].split()[0], file=sys.stderr)); from korps.cli import main; "
    "sys.argv = ['korps', *sys.argv[1:]]; main()"
)


PREPARE = (
    "import sys; from korps.db.migrate import upgrade_to_head; "
    "from korps.db.session import make_engine, session_factory; "
    "from korps.organisation.loader import bundled_names, load; "
    "engine = make_engine(sys.argv[1]); upgrade_to_head(engine); "
    "session = session_factory(engine)(); "
    "[load(session, name_or_path=name) for name in bundled_names()]; session.close()"
)


def prepare(source: Path, url: str) -> None:
    """The database of ``source``: its migrations and its loader, in a fresh process."""
    env = os.environ | {"PYTHONPATH": str(source)}
    subprocess.run([sys.executable, "-c", PREPARE, url], env=env, check=True)


def run(source: Path, args: list[str], url: str) -> tuple[float, float, int]:
    """(seconds, peak MB, exit code) of one command from ``source``."""
    env = os.environ | {"KORPS_DATABASE_URL": url, "PYTHONPATH": str(source)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *args], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    peak = [line for line in done.stderr.splitlines() if line.startswith("VmHWM")]
    return seconds, (int(peak[-1].split()[1]) / 1024 if peak else float("nan")), done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default="e6ef8ab", help="the commit to compare with")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "rev"
        old.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", args.rev, "src"], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
        then_url, now_url = f"sqlite:///{tmp}/then.db", f"sqlite:///{tmp}/now.db"
        prepare(old / "src", then_url)
        prepare(root / "src", now_url)
        print(f"korps <command>: {args.rev} against this tree, median of {args.repeat} fresh "
              "processes, peak resident memory (2-core machine, shared)")  # fmt: skip
        print(f"{'command':34}{'then s':>8}{'now s':>8}{'x':>6}{'then MB':>9}{'now MB':>8}")
        same = True
        for command in COMMANDS:
            then = [run(old / "src", list(command), then_url) for _ in range(args.repeat)]
            now = [run(root / "src", list(command), now_url) for _ in range(args.repeat)]
            then_s = statistics.median(t for t, _m, _c in then)
            now_s = statistics.median(t for t, _m, _c in now)
            then_mb = max(m for _t, m, _c in then)
            now_mb = max(m for _t, m, _c in now)
            codes = {c for _t, _m, c in then} | {c for _t, _m, c in now}
            same = same and len(codes) == 1
            print(
                f"{' '.join(command):34}{then_s:>8.2f}{now_s:>8.2f}{then_s / now_s:>6.1f}"
                f"{then_mb:>9.0f}{now_mb:>8.0f}" + ("" if len(codes) == 1 else f"  exit {codes}")
            )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
