"""``korps capacity import|export|sick-leave|roster`` on both databases."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from korps.capacity import models
from korps.cli import app
from tests.conftest import BACKENDS, Db, loaded_database

EXAMPLES = Path(__file__).parents[2] / "examples" / "capacity"
runner = CliRunner()


@pytest.fixture(scope="module", params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Db]:
    admin = request.getfixturevalue("_pg_admin")
    with loaded_database(request.param, tmp_path_factory.mktemp("capcli"), admin) as loaded:
        yield loaded


def people(db: Db) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(models.Person)) or 0)


def test_import_export_sick_leave_and_roster(
    db: Db, use_database: Callable[[Db], None], tmp_path: Path
) -> None:
    use_database(db)
    done = runner.invoke(app, ["capacity", "import", str(EXAMPLES / "mensen.csv")])
    assert done.exit_code == 0, done.output
    assert people(db) == 16
    again = runner.invoke(app, ["capacity", "import", str(EXAMPLES / "mensen.csv")])
    assert again.exit_code == 1 and "bestaat al" in again.stderr
    assert people(db) == 16
    unknown = tmp_path / "onbekend.csv"
    text = (EXAMPLES / "mensen.csv").read_text(encoding="utf-8")
    unknown.write_text(text.replace("C00", "N00").replace("charlois,noodhulp,32", "x,noodhulp,32"))
    refused = runner.invoke(app, ["capacity", "import", str(unknown)])
    assert refused.exit_code == 1 and "onbekende eenheid" in refused.stderr
    assert "kolom eenheid" in refused.stderr and people(db) == 16

    out = tmp_path / "mensen.xlsx"
    exported = runner.invoke(app, ["capacity", "export", "rotterdam-d", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "personeelsnummer" and len(rows) == 17
    assert rows[1][0] == "C0001" and rows[1][7] == "prio1:2028-12-31"

    leave = runner.invoke(
        app,
        [
            "capacity",
            "sick-leave",
            "rotterdam-d1-charlois",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
            "--json",
        ],
    )
    assert leave.exit_code == 0, leave.output
    report = json.loads(leave.stdout)
    assert report["percentage"] == 0.0 and report["days_available"] > 0

    made = runner.invoke(
        app,
        [
            "capacity",
            "roster",
            "rotterdam-d1-charlois",
            "--from",
            "2027-01-04",
            "--weeks",
            "1",
            "--plan",
            str(EXAMPLES / "crews.json"),
            "--time-limit",
            "5",
            "--json",
        ],
    )
    assert made.exit_code == 0, made.output
    summary = json.loads(made.stdout)
    assert summary["status"] in ("OPTIMAL", "FEASIBLE") and 0 <= summary["gap"] <= 1
    bad = runner.invoke(
        app,
        [
            "capacity",
            "roster",
            "rotterdam-d1-charlois",
            "--from",
            "2027-01-04",
            "--cars",
            "een,twee",
        ],
    )
    assert bad.exit_code == 1 and "ongeldige invoer" in bad.stderr
