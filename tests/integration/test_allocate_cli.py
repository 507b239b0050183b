"""``korps allocate``: output, exports, and bad input refused with a clear message."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from korps.cli import app
from tests.conftest import Db

runner = CliRunner()
EXAMPLES = Path(__file__).parents[2] / "examples"

INLINE = """\
name: Test
total: 30
step: 0.1
teams:
  - {key: noord, values: {meldingen: 100, inwoners: 40000}}
  - {key: zuid, values: {meldingen: 300, inwoners: 20000}}
  - {key: west, values: {meldingen: 100, inwoners: 10000}}
levels:
  - weights: {meldingen: 1}
    minimum: {west: 8}
    norm: {population: inwoners}
"""


def run_file(tmp_path: Path, text: str, *extra: str) -> tuple[int, str, str]:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["allocate", str(path), *extra], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_inline_scenario_json(tmp_path: Path) -> None:
    code, out, err = run_file(tmp_path, INLINE, "--json")
    assert code == 0, err
    rows = {r["key"]: r for r in json.loads(out)["rows"]}
    assert rows["west"]["proposed"] == 8.0 and rows["west"]["bound"] == "minimum"
    assert rows["noord"]["norm_required"] == 8.0 and rows["noord"]["norm_met"] is True
    assert round(sum(r["proposed"] for r in rows.values()), 6) == 30


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("minimum: {west: 8}", "minimum: {oost: 8}", "minimum voor onbekend team 'oost'"),
        ("meldingen: 300,", "meldingen: -300,", "indicator 'meldingen' moet >= 0 zijn"),
        (
            "weights: {meldingen: 1}",
            "weights: {meldingen: 1, ongevallen: 1}",
            "team 'noord' heeft geen waarde voor indicator 'ongevallen'",
        ),
        ("total: 30", "total: 15", "kleiner dan de som van de minima"),
        ("total: 30", "total: -1", "total: minimaal 0 (kreeg -1)"),
        (
            "name: Test\n",
            "name: Test\nindicators: [inwoners]\nunit: x\n",
            "heeft elk niveau een `kind` nodig",
        ),
        ("  - weights:", "  - gewichten:", "onbekende sleutel"),
    ],
)
def test_bad_scenarios_are_refused(tmp_path: Path, old: str, new: str, message: str) -> None:
    out_file = tmp_path / "out.xlsx"
    code, _out, err = run_file(tmp_path, INLINE.replace(old, new), "--xlsx", str(out_file))
    assert code == 1
    assert message in err
    assert not out_file.exists(), "nothing is written when the scenario is refused"


def test_total_below_minimums_names_the_teams(tmp_path: Path) -> None:
    code, _out, err = run_file(tmp_path, INLINE.replace("total: 30", "total: 15"))
    assert code == 1
    assert "noord 8 (wijkagentnorm 1:5000)" in err and "west 8 (minimum)" in err


def test_workload_from_xlsx_and_a_malformed_xlsx(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["team", "ongevallen"])
    for key, value in (("noord", 5), ("zuid", 1), ("west", 4)):
        sheet.append([key, value])
    book.save(tmp_path / "werklast.xlsx")
    text = INLINE.replace("weights: {meldingen: 1}", "weights: {meldingen: 1, ongevallen: 100}")
    code, out, err = run_file(tmp_path, text + "workload: werklast.xlsx\n", "--json")
    assert code == 0, err
    assert json.loads(out)["rows"][0]["score"] == 100 + 500
    (tmp_path / "werklast.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    code, _out, err = run_file(tmp_path, text + "workload: werklast.xlsx\n")
    assert code == 1 and "werklast.xlsx" in err and "geen leesbaar XLSX-bestand" in err
    (tmp_path / "w.csv").write_text("team,ongevallen\nnoord,5\nnoord,3\noost,x\n")
    code, _out, err = run_file(tmp_path, text + "workload: w.csv\n")
    assert "rij 3" in err and "komt twee keer voor" in err and "geen getal" in err


def test_oost_nederland_example_exports_the_published_shape(
    loaded_db: Db, use_database: Callable[[Db], None], tmp_path: Path
) -> None:
    use_database(loaded_db)
    xlsx, csv_file = tmp_path / "on.xlsx", tmp_path / "on.csv"
    result = runner.invoke(
        app,
        [
            "allocate",
            str(EXAMPLES / "oost-nederland-uitbreiding-2024.yaml"),
            "--xlsx",
            str(xlsx),
            "--csv",
            str(csv_file),
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "Veluwe West" in result.stdout and "Platform Web & Wijk" in result.stdout
    sheet = load_workbook(xlsx).active
    assert sheet is not None
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[1][:4] == ["Naam", "hbvs_2023", "Huidig", "Voorstel"]
    totaal = next(r for r in rows if r[0] == "totaal N.O. Gelderland")
    assert totaal[1:4] == [880.9, 18.9, 18.9]
    assert rows[-1][0] == "TOTAAL" and rows[-1][3] == 137.0  # 110 + 27 HOvJ
    lines = csv_file.read_text(encoding="utf-8").splitlines()
    assert "Veluwe West,88.6,3.4,3.4,0.0,92.0" in lines
