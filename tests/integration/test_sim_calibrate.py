"""``korps sim calibrate`` and ``korps sim replay`` on incident histories: the fit recovers a
simulated scenario, the written scenario loads and runs, the replay equals the simulation's
own KPIs, and bad input is refused with nothing written."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from korps.cli import app
from korps.sim.demand import default_profile
from korps.sim.engine import build_model, replicate
from korps.sim.history import history_of_replication, read_history, write_history
from korps.sim.kpi import summarize
from korps.sim.scenario import SimScenario, parse_sim_scenario, read_sim_scenario
from tests.conftest import Db

runner = CliRunner()
EXAMPLE = Path(__file__).parents[2] / "examples" / "incidents-voorbeeld.csv"
CET = timezone(timedelta(hours=1))
TEAMS_A = ["rotterdam-a1-waterweg", "rotterdam-a2-schiedam", "rotterdam-a3-midden-schieland"]


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def truth(days: float = 70) -> SimScenario:
    """The scenario the histories are simulated from (known figures to recover)."""
    return SimScenario.model_validate(
        {
            "name": "waarheid",
            "days": days,
            "warmup_days": 7,
            "areas": [
                {"key": "noord", "district": "d1", "lat": 51.95, "lon": 4.45, "area_km2": 40,
                 "incidents_per_year": {1: 4000, 2: 6000, 3: 8000}},
                {"key": "zuid", "district": "d2", "lat": 51.87, "lon": 4.50, "area_km2": 30,
                 "incidents_per_year": {1: 2000, 2: 3000, 3: 5000}},
                {"key": "leeg", "district": "d2", "lat": 51.90, "lon": 4.60, "area_km2": 20,
                 "incidents_per_year": {}},
            ],
            "control_room": {"operators": 4},
            "service": {1: {"mean": 60, "cv": 0.9}, 2: {"mean": 40, "cv": 0.7},
                        3: {"mean": 30, "cv": 0.5}},
            "two_unit_share": 0.25,
            "roster": {
                "shifts": [{"name": "D", "start": "07:00", "end": "15:00"},
                           {"name": "A", "start": "15:00", "end": "23:00"},
                           {"name": "N", "start": "23:00", "end": "07:00"}],
                "units": {"*": {"D": 5, "A": 6, "N": 4}},
            },
        }
    )  # fmt: skip


def simulated(tmp_path: Path, scenario: SimScenario, seed: int = 11) -> tuple[Path, Path]:
    """The scenario as YAML and one replication of it as a history CSV."""
    scenario_path = tmp_path / "truth.yaml"
    scenario_path.write_text(yaml.safe_dump(scenario.model_dump(exclude_none=True)), "utf-8")
    model = build_model(scenario)
    (rep,) = replicate(model, replications=1, seed=seed)
    history = history_of_replication(model, rep, start=datetime(2024, 1, 1, tzinfo=CET))
    csv_path = tmp_path / "incidents.csv"
    write_history(history, csv_path)
    return scenario_path, csv_path


def test_calibrate_recovers_the_simulated_scenario(tmp_path: Path) -> None:
    scenario = truth()
    base, incidents = simulated(tmp_path, scenario)
    out = tmp_path / "fitted.yaml"
    code, stdout, err = invoke(
        "sim", "calibrate", str(incidents), "--roster-from", str(base), "--out", str(out)
    )
    assert code == 0, err
    assert "scenario geschreven naar" in stdout and "gebieden uit het scenario" in stdout
    fitted = read_sim_scenario(out)
    assert out.read_text(encoding="utf-8").startswith("# Gekalibreerd door `korps sim calibrate`")
    for area, original in zip(fitted.areas, scenario.areas, strict=True):
        assert (area.key, area.lat, area.district) == (
            original.key,
            original.lat,
            original.district,
        )
        for p in (1, 2, 3):
            expected = original.incidents_per_year.get(p, 0.0)
            assert area.incidents_per_year[p] == pytest.approx(expected, rel=0.12, abs=1e-9)
    for p in (1, 2, 3):
        assert fitted.service[p].mean == pytest.approx(scenario.service[p].mean, rel=0.06)
        assert fitted.service[p].cv == pytest.approx(scenario.service[p].cv, abs=0.12)
        intake = fitted.control_room.intake[p] if fitted.control_room else None
        assert intake is not None and intake.mean >= 0.9 * [1.5, 2.5, 4.0][p - 1]
    assert fitted.two_unit_share == pytest.approx(0.25, abs=0.04)
    assert fitted.profile is not None and np.mean(fitted.profile) == pytest.approx(1, abs=1e-3)
    assert np.corrcoef(fitted.profile, default_profile())[0, 1] > 0.8
    # the roster, operators and norms come from the base scenario; the result runs
    assert fitted.roster == scenario.roster and fitted.norms == scenario.norms
    assert fitted.control_room is not None and fitted.control_room.operators == 4
    code, stdout, err = invoke("sim", "run", str(out), "-r", "1", "--json")
    assert code == 0, err
    assert json.loads(stdout)["incidents"] > 1000


def test_calibrate_prints_yaml_or_json_without_out(tmp_path: Path) -> None:
    base, incidents = simulated(tmp_path, truth(days=22))
    code, stdout, err = invoke("sim", "calibrate", str(incidents), "--roster-from", str(base))
    assert code == 0, err
    assert parse_sim_scenario(stdout, "<stdout>").areas[0].key == "noord"
    code, stdout, err = invoke(
        "sim", "calibrate", str(incidents), "--roster-from", str(base), "--json"
    )
    assert code == 0, err
    data = json.loads(stdout)
    assert data["fit"].startswith("lognormal, method of moments")
    assert data["incidents"] == len(read_history(incidents)) and "yaml" in data
    assert {f["priority"] for f in data["service"]} == {1, 2, 3}
    assert data["scenario"]["areas"][0]["key"] == "noord"


def test_calibrate_example_against_the_database(
    loaded_db: Db, use_database: Callable[[Db], None], tmp_path: Path
) -> None:
    use_database(loaded_db)
    out = tmp_path / "rotterdam-a.yaml"
    code, stdout, err = invoke("sim", "calibrate", str(EXAMPLE), "--out", str(out))
    assert code == 0, err
    assert "1.804 meldingen" in stdout and "gebieden uit de database" in stdout
    scenario = read_sim_scenario(out)
    assert [a.key for a in scenario.areas] == TEAMS_A
    assert {a.district for a in scenario.areas} == {"rotterdam-a"}
    assert all(51.8 < a.lat < 52.1 and 4.2 < a.lon < 4.5 for a in scenario.areas)
    history = read_history(EXAMPLE)
    years = history.span_seconds() / (365 * 86400)
    for area in scenario.areas:
        count = sum(1 for team, p in zip(history.basisteam, history.priority, strict=True)
                    if team == area.key and p == 1)  # fmt: skip
        assert area.incidents_per_year[1] == pytest.approx(count / years, abs=0.01)
    assert set(scenario.roster.units) == set(TEAMS_A)
    code, stdout, err = invoke("sim", "run", str(out), "-r", "1")
    assert code == 0, err
    assert "binnen norm" in stdout


def test_unparseable_time_is_refused_and_nothing_written(tmp_path: Path) -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    fields = lines[16].split(",")
    fields[6] = "2024-13-01 25:00"  # line 17, received_at
    lines[16] = ",".join(fields)
    bad = tmp_path / "incidents.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    base = tmp_path / "base.yaml"
    base.write_text(
        yaml.safe_dump(truth().model_dump(exclude_none=True)), encoding="utf-8"
    )  # no database needed
    out = tmp_path / "out.yaml"
    code, _, err = invoke(
        "sim", "calibrate", str(bad), "--roster-from", str(base), "--out", str(out)
    )
    assert code == 1
    assert f"{bad}:17: kolom 'received_at': geen ISO 8601-tijd: '2024-13-01 25:00'" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.yaml", "incidents.csv"]
    code, _, err = invoke("sim", "replay", str(bad))
    assert code == 1 and ":17: kolom 'received_at'" in err


def test_unknown_basisteam_against_the_database(
    loaded_db: Db, use_database: Callable[[Db], None], tmp_path: Path
) -> None:
    use_database(loaded_db)
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace(lines[5].split(",")[4], "rotterdam-z9-nergens")
    lines[9] = lines[9].replace(lines[9].split(",")[4], "rotterdam-a")
    bad = tmp_path / "incidents.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.yaml"
    code, _, err = invoke("sim", "calibrate", str(bad), "--out", str(out))
    assert code == 1
    assert (
        f"{bad}:6: kolom 'basisteam': onbekend basisteam 'rotterdam-z9-nergens': "
        "niet in de database (1 melding, eerst op deze regel)"
    ) in err
    assert ":10: kolom 'basisteam': onbekend basisteam 'rotterdam-a': een district, " in err
    assert not out.exists()


def test_a_history_shorter_than_a_week_is_refused(tmp_path: Path) -> None:
    scenario = truth(days=12)
    base, incidents = simulated(tmp_path, scenario)
    history = read_history(incidents)
    keep = history.received < history.received.min() + 5 * 86400
    lines = incidents.read_text(encoding="utf-8").splitlines()
    short = tmp_path / "short.csv"
    short.write_text(
        "\n".join([lines[0], *(line for line, k in zip(lines[1:], keep, strict=True) if k)]),
        encoding="utf-8",
    )
    out = tmp_path / "out.yaml"
    code, _, err = invoke(
        "sim", "calibrate", str(short), "--roster-from", str(base), "-o", str(out)
    )
    assert code == 1 and "vraagt minstens één volle week" in err and not out.exists()


def test_replay_equals_the_simulation_kpis(tmp_path: Path) -> None:
    scenario = truth(days=28)
    model = build_model(scenario)
    (rep,) = replicate(model, replications=1, seed=3)
    history = history_of_replication(model, rep, start=datetime(2024, 1, 1, tzinfo=CET))
    path = tmp_path / "incidents.csv"
    write_history(history, path)
    code, stdout, err = invoke("sim", "replay", str(path), "--json")
    assert code == 0, err
    replayed = json.loads(stdout)
    simulated_kpis = summarize(model, [rep], 3)
    assert replayed["incidents"] == len(history)
    for ours, theirs in zip(replayed["priorities"], simulated_kpis.priorities, strict=True):
        assert ours["incidents"] == theirs.incidents
        # times are rounded to the second in the CSV: a response may cross the norm by < 1 s
        if theirs.norm_minutes is not None:
            assert ours["within_norm"]["mean"] == pytest.approx(
                theirs.within_norm.mean, abs=2 / theirs.incidents
            )
            low, high = ours["within_norm"]["low"], ours["within_norm"]["high"]
            assert low <= ours["within_norm"]["mean"] <= high
        assert ours["p90"]["mean"] == pytest.approx(theirs.p90.mean, abs=0.02)
        assert ours["unserved"]["mean"] == pytest.approx(theirs.unserved.mean)
    code, run_json, _ = invoke("sim", "run", str(_scenario_file(tmp_path, scenario)), "--json")
    run_keys = set(json.loads(run_json)["priorities"][0])
    assert set(replayed["priorities"][0]) == run_keys  # the same shape as `korps sim run`
    areas = {(a["key"], a["priority"]) for a in replayed["areas"]}
    assert ("noord", 1) in areas and ("leeg", 1) not in areas
    assert [d["key"] for d in replayed["districts"]] == ["d1", "d1", "d2", "d2"]
    code, text, err = invoke("sim", "replay", str(path))
    assert code == 0, err
    assert "binnen norm (95%-BI)" in text and "basisteam" in text and "district" in text


def test_replay_of_the_example() -> None:
    code, stdout, err = invoke("sim", "replay", str(EXAMPLE), "--json")
    assert code == 0, err
    data = json.loads(stdout)
    assert data["incidents"] == 1804 and data["span_days"] == pytest.approx(14.0, abs=0.05)
    prio1 = data["priorities"][0]
    assert prio1["incidents"] == 464 and 0.7 < prio1["within_norm"]["mean"] < 0.95
    assert sorted({a["key"] for a in data["areas"]}) == TEAMS_A


def _scenario_file(tmp_path: Path, scenario: SimScenario) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario.model_dump(exclude_none=True)), encoding="utf-8")
    return path


def test_joint_fit_of_a_unit_writes_the_chosen_setting(
    loaded_db: Db, use_database: Callable[[Db], None], tmp_path: Path
) -> None:
    use_database(loaded_db)
    out = tmp_path / "zwb.yaml"
    args = ["sim", "calibrate", "--unit", "zeeland-west-brabant", "--target-share", "0.85"]
    args += ["--fit", "joint", "--speeds", "1.0,1.3", "--turnouts", "0.5", "--days", "20"]
    code, stdout, err = invoke(*args, "--json", "--out", str(out))
    assert code == 0, err
    data = json.loads(stdout)
    assert [(s["speed_scale"], s["turnout_minutes"]) for s in data["settings"]] == [
        (1.0, 0.5),
        (1.3, 0.5),
    ]
    chosen = data["chosen"]
    best = next(
        s
        for s in data["settings"]
        if (s["speed_scale"], s["turnout_minutes"])
        == (chosen["speed_scale"], chosen["turnout_minutes"])
    )
    for s in data["settings"]:
        assert s["shape_residual"] == pytest.approx(s["share_3_to_10_minutes"] - 0.5)
        assert s["residual"] == pytest.approx(s["share"] - 0.85)
    scenario = read_sim_scenario(out)
    assert scenario.travel.scale == chosen["speed_scale"]
    assert scenario.travel.turnout_minutes == {1: 0.5, 2: 0.5, 3: 0.5}
    assert scenario.availability.share == best["availability"]
    code, _, err = invoke(*args[:6], "--fit", "joint", "--speeds", "snel")
    assert code == 2 and "--speeds" in err


def test_the_fits_print_dutch_tables_and_lines(
    loaded_db: Db, use_database: Callable[[Db], None]
) -> None:
    """Without --json the fits print their steps and settings in Dutch, numbers in Dutch
    notation (decimal comma, percentages like 85,00%)."""
    use_database(loaded_db)
    args = ["sim", "calibrate", "--unit", "zeeland-west-brabant", "--target-share", "0.85"]
    args += ["--days", "20"]
    code, stdout, err = invoke(*args)
    assert code == 0, err
    assert "beschikbaarheid" in stdout and "prio 1 binnen 15 min" in stdout
    assert re.search(r"beschikbaarheid 0,\d{4} geeft \d+,\d\d% binnen 15 minuten", stdout)
    assert "(doel 85,00%, verschil " in stdout and "(20 dagen, seed 1)" in stdout
    code, stdout, err = invoke(*args, "--fit", "joint", "--speeds", "1.0,1.3", "--turnouts", "0.5")
    assert code == 0, err
    assert "beschikbaarheid afgestemd per instelling (20 dagen, seed 1)" in stdout
    assert re.search(r"gekozen snelheid x1(,3)?, uitruktijd 0,5 min, beschikbaarheid 0,", stdout)
    assert "meest voorkomende minuut" in stdout and "procentpunt" in stdout
