"""``korps sim run`` and ``korps plan roster`` from the command line; bad input refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from korps.cli import app
from korps.planning.roster import FteRule, optimise
from korps.sim.engine import build_model, replicate
from korps.sim.kpi import summarize
from korps.sim.scenario import read_sim_scenario
from tests.conftest import Db

runner = CliRunner()
EXAMPLE = Path(__file__).parents[2] / "examples" / "sim" / "klein.yaml"


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def _json_run(language: str) -> str:
    """``korps sim run --json`` in a new process with KORPS_LANG (fixed at import)."""
    command = ["sim", "run", str(EXAMPLE), "-r", "1", "--seed", "3", "--json"]
    done = subprocess.run(
        [sys.executable, "-c", "from korps.cli import app; app(prog_name='korps')", *command],
        capture_output=True,
        text=True,
        env={**os.environ, "KORPS_LANG": language, "COLUMNS": "200", "TERM": "dumb"},
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_run_json_is_the_same_in_every_language() -> None:
    """JSON is for machines: its keys (and the assumptions' texts) do not follow KORPS_LANG."""
    dutch, english = _json_run("nl"), _json_run("en")
    assert dutch == english
    stated = json.loads(dutch)["assumptions"]
    assert "gebieden" in stated and "vraag per jaar" in stated


def test_run_json_same_seed_same_result() -> None:
    code, out, err = invoke("sim", "run", str(EXAMPLE), "-r", "2", "--seed", "4", "--json")
    assert code == 0, err
    first = json.loads(out)
    _, again, _ = invoke("sim", "run", str(EXAMPLE), "-r", "2", "--seed", "4", "--json")
    assert json.loads(again) == first
    prio1 = first["priorities"][0]
    assert prio1["priority"] == 1 and prio1["norm_minutes"] == 15
    assert 0 < prio1["within_norm"]["mean"] <= 1
    assert (
        prio1["within_norm"]["low"] <= prio1["within_norm"]["mean"] <= prio1["within_norm"]["high"]
    )


def test_run_writes_plots(tmp_path: Path) -> None:
    code, out, err = invoke("sim", "run", str(EXAMPLE), "-r", "1", "--plot", str(tmp_path))
    assert code == 0, err
    assert "binnen norm (95%-BI)" in out and "bezettingsgraad eenheden" in out
    for name in ("aanrijdtijden.png", "normhaling.png", "bezettingsgraad.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "<script" not in page


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'noord: {D: 3, A: 4, N: 2}\n    "*": {D: 2, A: 3, N: 2}',
            'noord: {D: 3, A: 4, N: 0}\n    "*": {D: 2, A: 3, N: 0}',
            "nergens een eenheid in dienst 'N'",
        ),
        ("{1: 3000, 2: 4000", "{1: -3000, 2: 4000", "areas[0].incidents_per_year[1]"),
        ("matrix: null", "matrix: reistijden.csv", "de reistijdmatrix mist gebied 'zuid'"),
        ('{name: D, start: "07:00"', '{name: D, start: "7 uur"', "tijd moet UU:MM zijn"),
    ],
)
def test_bad_scenarios_are_refused(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "reistijden.csv").write_text("from,noord\nnoord,3\n", encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    plots = tmp_path / "plots"
    code, _out, err = invoke("sim", "run", str(path), "--plot", str(plots))
    assert code == 1 and message in err
    assert not plots.exists(), "nothing is written for a refused scenario"


def test_rotterdam_default_scenario_runs(loaded_db: Db, use_database: Callable[[Db], None]) -> None:
    use_database(loaded_db)
    code, out, err = invoke("sim", "run", "--unit", "rotterdam", "-r", "1")
    assert code == 0, err
    assert "15 min, >= 82%" in out and "30 min, >= 77%" in out


def test_roster_plan_meets_the_norms_it_claims() -> None:
    scenario = read_sim_scenario(EXAMPLE)
    plan = optimise(scenario, level="basisteam", replications=2, seed=3)
    assert plan.met
    assert all(n >= 1 for shifts in plan.units.values() for n in shifts.values())
    # check independently: the planned roster, simulated again with the same seed
    roster = scenario.roster.model_copy(update={"units": plan.units})
    model = build_model(scenario.model_copy(update={"roster": roster}))
    result = summarize(model, replicate(model, replications=2, seed=3), 3)
    for row in result.areas:
        if row.incidents:
            assert row.within_norm.mean >= scenario.norms[row.priority].share
    # FTE: 8-hour shifts, 7 days, crew of 2, 36 h at 75 % deployable
    assert FteRule().fte(1, 8, 7) == pytest.approx(2 * 8 * 7 / 27)
    assert plan.total_fte == pytest.approx(sum(plan.fte.values()), abs=0.05)


def test_plan_roster_cli_json() -> None:
    code, out, err = invoke("plan", "roster", str(EXAMPLE), "-r", "1", "--json")
    assert code == 0, err
    plan = json.loads(out)
    assert plan["met"] is True and set(plan["units"]) == {"noord", "zuid"}
    assert invoke("plan", "roster", str(EXAMPLE), "--level", "wijk")[0] != 0
