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


def test_templates_wishes_and_lending_from_files_and_commands(
    db: Db, use_database: Callable[[Db], None], tmp_path: Path
) -> None:
    use_database(db)
    if people(db) == 0:
        assert (
            runner.invoke(app, ["capacity", "import", str(EXAMPLES / "mensen.csv")]).exit_code == 0
        )
    team = "rotterdam-d1-charlois"
    unknown = tmp_path / "diensten.csv"
    text = (EXAMPLES / "diensten.csv").read_text(encoding="utf-8")
    unknown.write_text(text.replace(f"{team},uitgaan", "geen-team,uitgaan"), encoding="utf-8")
    refused = runner.invoke(app, ["capacity", "templates-import", str(unknown)])
    assert refused.exit_code == 1 and "onbekende eenheid 'geen-team'" in refused.stderr
    assert "diensten.csv:5: kolom eenheid" in refused.stderr
    long_night = tmp_path / "lang.csv"
    long_night.write_text(text.replace("23:00,07:00", "20:00,07:00"), encoding="utf-8")
    refused = runner.invoke(app, ["capacity", "templates-import", str(long_night)])
    assert refused.exit_code == 1 and "nachtdienstduur" in refused.stderr
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(models.TeamShift)) == 0
    done = runner.invoke(app, ["capacity", "templates-import", str(EXAMPLES / "diensten.csv")])
    assert done.exit_code == 0, done.output
    listed = runner.invoke(app, ["capacity", "templates", team, "--json"])
    assert listed.exit_code == 0, listed.output
    shown = {t["name"]: t for t in json.loads(listed.stdout)}
    assert shown["uitgaan"]["weekdays"] == [4, 5] and shown["nacht"]["night"] is True
    times = ["--start", "21:00", "--end", "05:00", "--days", "vr,za"]
    changed = runner.invoke(app, ["capacity", "template", team, "uitgaan", *times])
    assert changed.exit_code == 0, changed.output
    too_long = runner.invoke(
        app, ["capacity", "template", team, "x", "--start", "18:00", "--end", "07:00"]
    )
    assert too_long.exit_code == 1 and "maximaal 12 uur per dienst" in too_long.stderr

    bad_wishes = tmp_path / "wensen.csv"
    wishes = (EXAMPLES / "wensen.csv").read_text(encoding="utf-8")
    bad_wishes.write_text(wishes.replace("C0003,dienst", "Z9999,dienst"), encoding="utf-8")
    refused = runner.invoke(app, ["capacity", "wishes-import", str(bad_wishes)])
    assert refused.exit_code == 1 and "onbekend personeelsnummer 'Z9999'" in refused.stderr
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(models.Wish)) == 0
    done = runner.invoke(app, ["capacity", "wishes-import", str(EXAMPLES / "wensen.csv")])
    assert done.exit_code == 0, done.output
    wish = ["capacity", "wish", "C0004", "--kind", "dienst", "--from", "2027-01-04"]
    unknown_shift = runner.invoke(app, [*wish, "--to", "2027-01-05", "--shift", "middag"])
    assert unknown_shift.exit_code == 1 and "heeft geen dienst 'middag'" in unknown_shift.stderr

    lend = ["capacity", "lend", "C0005", "--pool", team, "--team", "rotterdam-d2-feijenoord"]
    first = runner.invoke(
        app, [*lend, "--from", "2027-03-01", "--to", "2027-03-31", "--hours", "8"]
    )
    assert first.exit_code == 0, first.output
    overlap = runner.invoke(
        app, [*lend, "--from", "2027-03-30", "--to", "2027-04-30", "--hours", "8"]
    )
    assert overlap.exit_code == 1 and "overlapt met een uitlening" in overlap.stderr

    made = runner.invoke(
        app,
        ["capacity", "roster", team, "--from", "2027-01-04", "--weeks", "1", "--time-limit", "10"],
    )
    assert made.exit_code == 0, made.output
    with db.session() as session:
        roster = session.scalar(select(models.Roster).order_by(models.Roster.id.desc()))
        assert roster is not None
        assert [t["name"] for t in roster.templates] == ["vroeg", "laat", "uitgaan", "nacht"]
        assert roster.unmet_wishes is not None
        nights = session.scalars(
            select(models.RosterShift.day).where(
                models.RosterShift.roster_id == roster.id, models.RosterShift.shift == "uitgaan"
            )
        ).all()
    assert nights and {d.weekday() for d in nights} <= {4, 5}
