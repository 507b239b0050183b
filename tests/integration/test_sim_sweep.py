"""``korps sim sweep``: the cartesian product of roster variations, run in local processes or
on a Dask cluster with the same results for the same seed; bad input refused, nothing written."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from korps.cli import app
from korps.common.i18n import using
from korps.sim.engine import build_model, replicate
from korps.sim.kpi import summarize
from korps.sim.scenario import SimScenario
from korps.sim.sweep import SweepError, expand, parse_vary, run_sweep

runner = CliRunner()
VARY = ["--vary", "noord:N=1,2", "--vary", "*:A=2,3"]


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def scenario() -> SimScenario:
    return SimScenario.model_validate(
        {
            "name": "sweep",
            "days": 21,
            "warmup_days": 7,
            "areas": [
                {"key": "noord", "district": "d1", "lat": 51.95, "lon": 4.45, "area_km2": 40,
                 "incidents_per_year": {1: 3000, 2: 4000, 3: 5000}},
                {"key": "zuid", "district": "d1", "lat": 51.87, "lon": 4.50, "area_km2": 30,
                 "incidents_per_year": {1: 2500, 2: 3500, 3: 4000}},
            ],
            "roster": {
                "shifts": [{"name": "D", "start": "07:00", "end": "15:00"},
                           {"name": "A", "start": "15:00", "end": "23:00"},
                           {"name": "N", "start": "23:00", "end": "07:00"}],
                "units": {"*": {"D": 2, "A": 3, "N": 2}, "zuid": {"D": 3}},
            },
        }
    )  # fmt: skip


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(scenario().model_dump(exclude_none=True)), encoding="utf-8")
    return path


def test_parse_vary() -> None:
    base = scenario()
    vary = parse_vary("noord:N=1,2,4-5", base)
    assert (vary.area, vary.shift, vary.values, vary.label) == (
        "noord",
        "N",
        (1, 2, 4, 5),
        "noord:N",
    )
    assert parse_vary(" * : D = 3 ", base).values == (3,)
    for text, message in [
        ("west:N=1", "onbekend gebied 'west' (gebieden: noord, zuid, of * voor alle)"),
        ("noord:X=1", "onbekende dienst 'X' (diensten: D, A, N)"),
        ("noord:N=-1", "'-1' is geen geheel getal >= 0"),
        ("noord:N=3-1", "bereik '3-1' loopt achteruit"),
        ("noord=1", "verwacht GEBIED:DIENST=N,N,..."),
    ]:
        with pytest.raises(SweepError, match=re.escape(message)):
            parse_vary(text, base)
    with using("en"), pytest.raises(SweepError, match=re.escape("unknown shift 'X' (shifts:")):
        parse_vary("noord:X=1", base)


def test_expand_is_the_cartesian_product_with_star_first() -> None:
    base = scenario()
    variations = [
        parse_vary("zuid:A=5", base),
        parse_vary("*:A=1,2", base),
        parse_vary("noord:N=1,2,3", base),
    ]
    variants = expand(base, variations)
    assert len(variants) == 6
    assert [v.values for v in variants[:2]] == [
        {"zuid:A": 5, "*:A": 1, "noord:N": 1},
        {"zuid:A": 5, "*:A": 1, "noord:N": 2},
    ]
    first = variants[0].scenario
    assert first.units_of("noord") == {"D": 2, "A": 1, "N": 1}
    assert first.units_of("zuid") == {"D": 3, "A": 5, "N": 2}  # the single area wins over *
    assert variants[0].units == 2 + 1 + 1 + 3 + 5 + 2
    with pytest.raises(SweepError, match="nergens een eenheid in dienst 'N'"):
        expand(base, [parse_vary("*:N=0,1", base)])
    with pytest.raises(SweepError, match="staat er meer dan eens"):
        expand(base, [parse_vary("*:N=1", base), parse_vary("*:N=2", base)])


def test_a_variant_equals_a_run_of_its_roster() -> None:
    base = scenario()
    result = run_sweep(base, [parse_vary("noord:N=1,3", base)], replications=3, seed=9, workers=1)
    for item in result.variants:
        model = build_model(item.variant.scenario)
        expected = summarize(model, replicate(model, replications=3, seed=9), 9)
        assert [k.within_norm for k in item.priorities] == [
            k.within_norm for k in expected.priorities
        ]
        assert [k.p90 for k in item.priorities] == [k.p90 for k in expected.priorities]
        assert item.utilisation == expected.utilisation
    more, fewer = result.variants[1], result.variants[0]
    assert more.priorities[0].within_norm.mean >= fewer.priorities[0].within_norm.mean


@pytest.fixture(scope="module")
def dask_scheduler() -> Iterator[str]:
    """A Dask LocalCluster with two worker processes (threads where processes cannot start)."""
    distributed = pytest.importorskip("distributed")
    try:
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
    except Exception:  # e.g. no process spawning in a sandbox
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        )
    with cluster:
        yield cluster.scheduler_address


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_dask_and_local_processes_give_the_same_results(
    scenario_file: Path, tmp_path: Path, dask_scheduler: str
) -> None:
    local, dask, parquet = tmp_path / "local.csv", tmp_path / "dask.csv", tmp_path / "r.parquet"
    args = ["sim", "sweep", str(scenario_file), *VARY, "-r", "2", "--seed", "5"]
    code, stdout, err = invoke(*args, "--workers", "2", "--out", str(local))
    assert code == 0, err
    assert "4 varianten x 2 replicaties, seed 5, 2 lokale processen" in stdout
    code, stdout, err = invoke(*args, "--scheduler", dask_scheduler, "--out", str(dask))
    assert code == 0, err
    assert f"dask {dask_scheduler}" in stdout
    assert dask.read_text(encoding="utf-8") == local.read_text(encoding="utf-8")
    rows = _rows(local)
    assert [(r["noord:N"], r["*:A"]) for r in rows] == [
        ("1", "2"),
        ("1", "3"),
        ("2", "2"),
        ("2", "3"),
    ]
    assert [int(r["units"]) for r in rows] == [12, 14, 13, 15]
    for row in rows:
        low, mean, high = (float(row[f"p1_within_norm{s}"]) for s in ("_low", "", "_high"))
        assert low <= mean <= high and 0 < mean <= 1
        assert float(row["p1_p90"]) > 0 and 0 < float(row["utilisation"]) < 1
        assert row["replications"] == "2" and row["seed"] == "5"
    assert "p3_within_norm" not in rows[0]  # no norm for prio 3
    code, _, err = invoke(*args, "--workers", "1", "--out", str(parquet))
    assert code == 0, err
    pyarrow_parquet = pytest.importorskip("pyarrow.parquet")
    table = pyarrow_parquet.read_table(parquet).to_pylist()
    assert [t["p1_within_norm"] for t in table] == [float(r["p1_within_norm"]) for r in rows]
    assert table[0]["noord:N"] == 1 and table[0]["p1_meets_target"] in (True, False)


def test_sweep_json(scenario_file: Path) -> None:
    code, stdout, err = invoke(
        "sim", "sweep", str(scenario_file), "--vary", "zuid:D=1,2", "-r", "1", "--workers", "1",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(stdout)
    assert data["scenario"] == "sweep" and [r["zuid:D"] for r in data["rows"]] == [1, 2]
    assert data["rows"][0]["p1_within_norm_low"] is None  # one replication: no interval


@pytest.mark.parametrize(
    ("vary", "out", "message"),
    [
        ("west:N=1,2", "r.csv", "--vary 'west:N=1,2': onbekend gebied 'west'"),
        ("noord:Z=1", "r.csv", "--vary 'noord:Z=1': onbekende dienst 'Z' (diensten: D, A, N)"),
        ("*:N=0", "r.csv", "variant *:N=0: nergens een eenheid in dienst 'N'"),
        ("noord:N=1", "r.xlsx", "gebruik een .csv- of .parquet-bestand"),
        ("noord:N=1", "nowhere/r.csv", "bestaat niet"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(
    scenario_file: Path, tmp_path: Path, vary: str, out: str, message: str
) -> None:
    target = tmp_path / out
    code, _, err = invoke(
        "sim", "sweep", str(scenario_file), "--vary", vary, "-r", "1", "--out", str(target)
    )
    assert code == 1
    assert message in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.yaml"]
