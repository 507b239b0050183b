"""``korps monitor load|status|import`` and the occupancy actual from formation (SQLite and
PostgreSQL): a reload keeps entered actuals and the plan's adoption; a bad import file is
refused in one Dutch line naming the line, and nothing is written."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from korps.cli import app
from korps.common.i18n import using
from korps.formation.loader import import_occupancy
from korps.formation.service import wijkagent_target
from korps.identity.roles import Principal, Scope
from korps.monitor import service
from korps.monitor.importer import read_rows
from korps.monitor.models import Measurement, Plan
from tests.conftest import BACKENDS, Db, loaded_database, snapshot

runner = CliRunner()
EXAMPLE = Path(__file__).parents[2] / "examples" / "rotterdam-bezetting-wijkagenten.csv"
TODAY = date(2025, 6, 30)


def _occupancy(session: Session) -> None:
    import_occupancy(session, path=EXAMPLE)


@pytest.fixture(scope="module", params=BACKENDS)
def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _pg_admin: Any
) -> Iterator[Db]:
    with loaded_database(
        request.param, tmp_path_factory.mktemp("monc"), _pg_admin, then=_occupancy
    ) as found:
        yield found


def test_load_status_and_the_wijkagent_actual(db: Db, use_database: Callable[[Db], None]) -> None:
    use_database(db)
    loaded = runner.invoke(app, ["monitor", "load", "--json"])
    assert loaded.exit_code == 0, loaded.output
    report = json.loads(loaded.stdout)
    assert report["plans"] == ["oost-nederland-2024-2027", "rotterdam-2023-2026"]
    computed = runner.invoke(
        app, ["monitor", "compute", "rotterdam", "--op", "2025-06-30", "--door", "analist-b"]
    )
    assert computed.exit_code == 0, computed.output
    assert "rotterdam (rotterdam-2023-2026):" in computed.output
    status = runner.invoke(app, ["monitor", "status", "rotterdam", "--op", "2025-06-30", "--json"])
    assert status.exit_code == 0, status.output
    rows = {r["indicator"]: r for r in json.loads(status.stdout)["rows"]}
    with db.session() as session:
        formation = wijkagent_target(session, slug="rotterdam")
    wijk = rows["bezetting-wijkagenten"]
    assert formation.percentage is not None
    # the figure on file is today's: the year 2025 (its quarter K2 is left out of a year view)
    assert [(p["period"], p["value"], p["entered_by"]) for p in wijk["series"]] == [
        ("2025", formation.percentage, "analist-b")
    ]
    assert wijk["series"][0]["origin"].startswith("berekend door korps uit formatie en bezetting")
    assert wijk["status"] == ("op-koers" if formation.met else "aandacht")
    quarter = runner.invoke(
        app, ["monitor", "status", "rotterdam", "--op", "2025-06-30", "--periode", "2025-K2"]
    )
    assert quarter.exit_code == 0 and "(2025-K2, stand op 30 juni 2025)" in quarter.output
    with using("en"):  # the printed lines follow the locale (the help is fixed at import)
        english = runner.invoke(
            app, ["monitor", "status", "rotterdam", "--op", "2025-06-30", "--periode", "2025-K2"]
        )
    assert english.exit_code == 0 and "(2025-K2, as of June 30, 2025)" in english.output
    assert "stand op" not in english.output
    wrong = runner.invoke(app, ["monitor", "status", "rotterdam", "--periode", "2025-13"])
    assert wrong.exit_code == 1 and "maand 13 bestaat niet" in wrong.output
    # a year later formation's figure is 2026's; the one kept for 2025 stays (no history)
    later = runner.invoke(app, ["monitor", "compute", "rotterdam", "--op", "2026-02-01", "--json"])
    assert later.exit_code == 0, later.output
    assert json.loads(later.stdout)[0]["removed"] == 0
    status = runner.invoke(app, ["monitor", "status", "rotterdam", "--op", "2026-02-01", "--json"])
    rows = {r["indicator"]: r for r in json.loads(status.stdout)["rows"]}
    assert [p["period"] for p in rows["bezetting-wijkagenten"]["series"]] == ["2025", "2026"]
    assert rows["waardebeslag"]["targets"][2]["value"] == 23151482
    bad = runner.invoke(app, ["monitor", "status", "atlantis"])
    assert bad.exit_code == 1 and "onbekende eenheid" in bad.output


def test_import_cli_all_or_nothing(
    db: Db, use_database: Callable[[Db], None], tmp_path: Path
) -> None:
    use_database(db)
    runner.invoke(app, ["monitor", "load"])
    good = tmp_path / "metingen.csv"
    good.write_text(
        "indicator;eenheid;jaar;waarde;bron\nwaardebeslag;rotterdam;2023;19.500.000;OM\n"
        "waardebeslag;rotterdam;2024;21.800.000,50;OM\n",
        encoding="utf-8",
    )
    quarters = tmp_path / "kwartalen.csv"
    quarters.write_text(
        "indicator;eenheid;jaar;periode;waarde;bron\nprofcheck;rotterdam;2024;K1;70;HR\n"
        "profcheck;rotterdam;2024;K2;75;HR\nprofcheck;rotterdam;2024;K9;75;HR\n",
        encoding="utf-8",
    )
    bad = tmp_path / "fout.csv"
    bad.write_text(
        "indicator;eenheid;jaar;waarde;bron\nprofcheck;rotterdam;2024;80;HR\n"
        "profcheck;rotterdam;2024;81;HR\n",
        encoding="utf-8",
    )
    before = snapshot(db)
    refused = runner.invoke(app, ["monitor", "import", str(bad)])
    assert refused.exit_code == 1
    assert "regel 3: periode: er is al een meting" in " ".join(refused.output.split())
    assert snapshot(db) == before
    refused = runner.invoke(app, ["monitor", "import", str(quarters)])
    assert refused.exit_code == 1 and "regel 4: periode: onbekende periode" in refused.output
    assert snapshot(db) == before
    done = runner.invoke(app, ["monitor", "import", str(good), "--door", "analist-a"])
    assert done.exit_code == 0, done.output
    with db.session() as session:
        rows = session.scalars(
            select(Measurement).where(Measurement.source == "OM").order_by(Measurement.year)
        ).all()
        assert [(m.year, m.value, m.entered_by) for m in rows][-2:] == [
            (2023, 19_500_000.0, "analist-a"),
            (2024, 21_800_000.5, "analist-a"),
        ]
        # a reload of the bundled files keeps the actuals and the adoption of a plan
        principal = Principal(
            user_id=1,
            username="p",
            name="P",
            kind="medewerker",
            scopes=(Scope(role="planner", unit_id=None, unit_path="/"),),
        )
        service.adopt_plan(session, principal=principal, slug="rotterdam", on=date(2023, 3, 1))
        count = session.scalar(select(func.count(Measurement.id)))
    assert runner.invoke(app, ["monitor", "load"]).exit_code == 0
    with db.session() as session:
        assert session.scalar(select(func.count(Measurement.id))) == count
        plan = session.scalar(select(Plan).where(Plan.code == "rotterdam-2023-2026"))
        assert plan is not None and plan.status == "vastgesteld"
        row = next(
            r
            for r in service.overview(session, slug="rotterdam", today=TODAY).rows
            if r.indicator == "waardebeslag"
        )
    # 2024's 22.034.776 missed; 19,5 M -> 21,8 M is 2,3 M/yr against (24,27 - 19,5) / 3 = 1,59
    assert row.status == "op-koers" and row.ratio is not None and row.ratio > 1


def test_xlsx_rows_are_read_like_csv() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["indicator", "eenheid", "jaar", "waarde", "bron"])
    sheet.append(["profcheck", "rotterdam", 2024, 97.5, "HR"])
    buffer = io.BytesIO()
    book.save(buffer)
    items, lines = read_rows(buffer.getvalue(), "metingen.xlsx")
    assert [(i.indicator, i.year, i.value, i.source) for i in items] == [
        ("profcheck", 2024, 97.5, "HR")
    ]
    assert lines == [2]


def test_report_in_the_language_of_the_command_line(
    db: Db, use_database: Callable[[Db], None], tmp_path: Path
) -> None:
    use_database(db)
    assert runner.invoke(app, ["monitor", "load"]).exit_code == 0
    page = tmp_path / "rapport.html"
    made = runner.invoke(
        app, ["monitor", "report", "rotterdam", "--op", "2025-06-30", "-o", str(page)]
    )
    assert made.exit_code == 0 and "rapportage van rotterdam naar" in made.output
    dutch = page.read_text(encoding="utf-8")
    assert '<html lang="nl">' in dutch and "stand op 30 juni 2025" in dutch
    with using("en"):
        made = runner.invoke(
            app, ["monitor", "report", "rotterdam", "--op", "2025-06-30", "-o", str(page)]
        )
    english = page.read_text(encoding="utf-8")
    assert made.exit_code == 0 and "report of rotterdam to" in made.output
    assert '<html lang="en">' in english and "as of June 30, 2025" in english
    wrong = runner.invoke(app, ["monitor", "report", "rotterdam", "-o", str(tmp_path / "r.txt")])
    assert wrong.exit_code == 1 and "kies .pdf of .html" in wrong.output
    unknown = runner.invoke(app, ["monitor", "report", "atlantis", "-o", str(page)])
    assert unknown.exit_code == 1 and "onbekende eenheid" in unknown.output
