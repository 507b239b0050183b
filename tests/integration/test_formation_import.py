"""Occupancy import from CSV and XLSX: all or nothing, idempotent, errors with file/line/column;
and the roll-up of the gap on a small tree where a district and its teams all have figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from korps.common.datafile import DatasetError
from korps.formation.loader import import_occupancy
from korps.formation.models import Occupancy
from korps.formation.service import formation_gap
from korps.organisation.loader import load
from korps.organisation.models import Unit
from tests.conftest import Db, snapshot

TREE = """\
dataset: eigen
title: Eigen eenheid
source: test
period: "2023-2026"
units:
  - {slug: eigen, name: Eigen eenheid, kind: eenheid}
  - slug: eigen-d
    name: District
    kind: district
    parent: eigen
    figures: {formatie: 30, wijkagenten: 5}
  - slug: eigen-t1
    name: Team 1
    kind: basisteam
    parent: eigen-d
    figures: {formatie: 12, wijkagenten: 3}
  - slug: eigen-t2
    name: Team 2
    kind: basisteam
    parent: eigen-d
    figures: {formatie: 8, wijkagenten: 2}
  - slug: eigen-s
    name: Staf
    kind: dienst
    parent: eigen
    figures: {formatie: 10}
"""
GOOD = """\
unit;category;period;bezetting;source
eigen-t1;wijkagenten;2023-2026;2,5;HR 1-1-2025
eigen-t2;wijkagenten;2023-2026;2;
eigen-t1;formatie;2023-2026;11,5;HR 1-1-2025
"""


def write(tmp_path: Path, text: str, name: str = "bezetting.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(db: Db) -> set[tuple[object, ...]]:
    """(unit, category, period, value, source) of every occupancy row."""
    query = select(
        Unit.slug, Occupancy.category, Occupancy.period, Occupancy.value, Occupancy.source
    ).join(Unit, Occupancy.unit_id == Unit.id)
    with db.session() as session:
        return {tuple(row) for row in session.execute(query)}


@pytest.fixture
def tree_db(empty_db: Db, tmp_path: Path) -> Db:
    with empty_db.session() as session:
        load(session, name_or_path=str(write(tmp_path, TREE, "eigen.yaml")))
    return empty_db


def test_csv_import_and_reimport_is_idempotent(tree_db: Db, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    with tree_db.session() as session:
        report = import_occupancy(session, path=path)
    assert (report.rows, report.inserted, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert report.messages == []
    assert rows(tree_db) == {
        ("eigen-t1", "wijkagenten", "2023-2026", 2.5, "HR 1-1-2025"),
        ("eigen-t2", "wijkagenten", "2023-2026", 2.0, "bezetting.csv"),
        ("eigen-t1", "formatie", "2023-2026", 11.5, "HR 1-1-2025"),
    }
    before = snapshot(tree_db)
    with tree_db.session() as session:
        again = import_occupancy(session, path=path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert snapshot(tree_db) == before, "the same file twice gives the same database"


def test_reimport_upserts_by_unit_category_period(tree_db: Db, tmp_path: Path) -> None:
    with tree_db.session() as session:
        import_occupancy(session, path=write(tmp_path, GOOD))
        changed = "unit,category,period,bezetting\neigen-t2,wijkagenten,2023-2026,1.5\n"
        report = import_occupancy(session, path=write(tmp_path, changed, "nieuw.csv"))
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 0)
    assert ("eigen-t2", "wijkagenten", "2023-2026", 1.5, "nieuw.csv") in rows(tree_db)
    assert len(rows(tree_db)) == 3, "rows the file does not mention are kept"


def test_xlsx_import_gives_the_same_rows_as_csv(tree_db: Db, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Bezetting"
    sheet.append(["unit", "category", "period", "bezetting", "source"])
    sheet.append(["eigen-t1", "wijkagenten", "2023-2026", 2.5, "HR 1-1-2025"])
    sheet.append(["eigen-t2", "wijkagenten", "2023-2026", "2", None])
    sheet.append([None, None, None, None, None])
    sheet.append(["eigen-t1", "formatie", "2023-2026", "11,5", "HR 1-1-2025"])
    path = tmp_path / "bezetting.xlsx"
    workbook.save(path)
    with tree_db.session() as session:
        report = import_occupancy(session, path=path)
    assert (report.rows, report.inserted) == (3, 3)
    assert rows(tree_db) == {
        ("eigen-t1", "wijkagenten", "2023-2026", 2.5, "HR 1-1-2025"),
        ("eigen-t2", "wijkagenten", "2023-2026", 2.0, "bezetting.xlsx"),
        ("eigen-t1", "formatie", "2023-2026", 11.5, "HR 1-1-2025"),
    }
    before = snapshot(tree_db)
    with tree_db.session() as session:
        assert import_occupancy(session, path=path).unchanged == 3
    assert snapshot(tree_db) == before


def test_row_without_formation_is_imported_with_a_warning(tree_db: Db, tmp_path: Path) -> None:
    text = "unit,category,period,bezetting\neigen-s,wijkagenten,2023-2026,1\n"
    with tree_db.session() as session:
        report = import_occupancy(session, path=write(tmp_path, text))
    assert report.inserted == 1
    assert report.messages == [
        "regel 2: eigen-s heeft geen formatiecijfer 'wijkagenten' voor periode '2023-2026', "
        "dus het tekort is niet te berekenen"
    ]


def refuse(db: Db, path: Path) -> str:
    """Import a file that must be refused; check the database did not change."""
    with db.session() as session:
        import_occupancy(session, path=write(path.parent, GOOD, "basis.csv"))
    before = snapshot(db)
    with db.session() as session, pytest.raises(DatasetError) as info:
        import_occupancy(session, path=path)
    assert snapshot(db) == before, "a refused file must leave the database unchanged"
    return str(info.value)


BAD_CSV = [
    (
        "eigen-t2;wijkagenten;2023-2026;2;\n",
        "nergens;wijkagenten;2023-2026;2;\n",
        "bad.csv:3: kolom unit: onbekende eenheid 'nergens'",
    ),
    (
        "eigen-t2;wijkagenten;2023-2026;2;\n",
        "eigen-t2;wijkagenten;2023-2026;-2;\n",
        "bad.csv:3: kolom bezetting: negatieve waarde -2: bezetting is fte >= 0",
    ),
    (
        "eigen-t2;wijkagenten;2023-2026;2;\n",
        "eigen-t2;wijkagenten;2023-2026;twee;\n",
        "bad.csv:3: kolom bezetting: geen getal ('twee')",
    ),
    (
        "eigen-t2;wijkagenten;2023-2026;2;\n",
        "eigen-t1;wijkagenten;2023-2026;2;\n",
        "bad.csv:3: rij: dubbele rij voor eenheid 'eigen-t1', categorie 'wijkagenten', "
        "periode '2023-2026' (eerder op regel 2)",
    ),
    (
        "unit;category;period;bezetting;source\n",
        "unit;category;period;source\n",
        "bad.csv:1: kopregel: ontbrekende kolom 'bezetting' "
        "(verplicht: unit, category, period, bezetting)",
    ),
    (
        "unit;category;period;bezetting;source\n",
        "unit;category;period;bezetting;bron\n",
        "bad.csv:1: kopregel: onbekende kolom 'bron' "
        "(toegestaan: unit, category, period, bezetting, source)",
    ),
    (
        "eigen-t2;wijkagenten;2023-2026;2;\n",
        "eigen-t2;wijkagenten;;2;\n",
        "bad.csv:3: kolom period: lege cel: een waarde is verplicht",
    ),
    (
        "eigen-t2;wijkagenten;2023-2026;2;\n",
        "eigen-t2;Wijkagenten;2023-2026;2;\n",
        "bad.csv:3: kolom category: geen categorie (kleine letters a-z, 0-9 en '_', "
        "bijv. wijkagenten) (kreeg 'Wijkagenten')",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), BAD_CSV)
def test_bad_csv_is_refused_and_changes_nothing(
    tree_db: Db, tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in GOOD
    changed = GOOD.replace(old, new, 1).replace("2,5;", "3,5;").replace("11,5", "12")
    message = refuse(tree_db, write(tmp_path, changed, "bad.csv"))
    assert expected in message
    assert message.count("\n") == 0, message


def test_every_bad_row_is_reported_at_once(tree_db: Db, tmp_path: Path) -> None:
    text = GOOD + "nergens;formatie;2023-2026;1;\neigen-t2;formatie;2023-2026;-1;\n"
    message = refuse(tree_db, write(tmp_path, text, "bad.csv"))
    assert "bad.csv:5: kolom unit: onbekende eenheid 'nergens'" in message
    assert "bad.csv:6: kolom bezetting: negatieve waarde -1" in message


def test_bad_xlsx_names_sheet_row_and_cell(tree_db: Db, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Blad1"
    sheet.append(["unit", "category", "period", "bezetting"])
    sheet.append(["eigen-t1", "wijkagenten", "2023-2026", 4])
    sheet.append(["eigen-t2", "wijkagenten", "2023-2026", -1])
    path = tmp_path / "bad.xlsx"
    workbook.save(path)
    message = refuse(tree_db, path)
    assert (
        f"{path}:3: blad 'Blad1', cel D3, kolom bezetting: negatieve waarde -1: "
        "bezetting is fte >= 0"
    ) in message


def test_malformed_xlsx_is_a_clear_error(tree_db: Db, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, "bad.xlsx")
    message = refuse(tree_db, path)
    assert (
        message
        == f"{path}: bestand: geen leesbare XLSX-werkmap (BadZipFile: File is not a zip file)"
    )


def test_subtree_counts_each_fte_once(tree_db: Db, tmp_path: Path) -> None:
    """District and teams both carry formation and occupancy: the eenheid sums the district."""
    text = (
        "unit,category,period,bezetting\n"
        "eigen-d,formatie,2023-2026,27\n"
        "eigen-t1,formatie,2023-2026,11.5\n"
        "eigen-t2,formatie,2023-2026,7\n"
        "eigen-s,formatie,2023-2026,9\n"
    )
    with tree_db.session() as session:
        import_occupancy(session, path=write(tmp_path, text))
        report = formation_gap(session, slug="eigen")
    assert report.period == "2023-2026" and report.category == "formatie"
    assert report.own.formation is None and report.own.occupancy is None
    assert report.subtree is not None
    # eigen-d (30 / 27) and eigen-s (10 / 9); the teams are inside eigen-d
    assert (report.subtree.formation, report.subtree.occupancy, report.subtree.units) == (
        40.0,
        36.0,
        2,
    )
    assert (report.subtree.gap, report.subtree.percentage) == (4.0, 90.0)
    district = next(r for r in report.rows if r.unit.slug == "eigen-d")
    assert (district.own.gap, district.own.percentage) == (3.0, 90.0)
    assert district.subtree is not None
    assert (district.subtree.formation, district.subtree.occupancy) == (20.0, 18.5)
    assert [(r.unit.slug, r.depth) for r in report.rows] == [
        ("eigen", 0),
        ("eigen-d", 1),
        ("eigen-t1", 2),
        ("eigen-t2", 2),
        ("eigen-s", 1),
    ]
