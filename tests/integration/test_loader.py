"""The loader: bad files are refused with file, line, YAML path and reason; nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from korps.common.datafile import DatasetError
from korps.organisation.loader import load
from korps.organisation.models import Dataset
from tests.conftest import Db, snapshot

GOOD = """\
dataset: eigen
title: Eigen eenheid
source: test
period: "2024"
requires: [gemeenten]
units:
  - slug: eigen
    name: Eigen eenheid
    kind: eenheid
  - slug: eigen-district
    name: District
    kind: district
    parent: eigen
    figures:
      formatie: 10.5
  - slug: eigen-team
    name: Team
    kind: basisteam
    parent: eigen-district
    figures:
      formatie: 4.0
      wijkagenten: {value: 2, source: "elders"}
totals:
  - label: Totaal district
    category: formatie
    published: 4.5
    children_of: eigen-district
coverage:
  - unit: eigen-team
    gemeente: GM0599
    assumption: test
"""


def write(tmp_path: Path, text: str, name: str = "eigen.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def base_db(empty_db: Db, tmp_path: Path) -> Db:
    """gemeenten and a good user dataset loaded."""
    with empty_db.session() as session:
        load(session, name_or_path="gemeenten")
        load(session, name_or_path=str(write(tmp_path, GOOD)))
    return empty_db


def refuse(db: Db, path: Path) -> str:
    before = snapshot(db)
    with db.session() as session, pytest.raises(DatasetError) as info:
        load(session, name_or_path=str(path))
    assert snapshot(db) == before, "a refused file must leave the database unchanged"
    return str(info.value)


def test_good_file_loads_with_figures_and_reports_total(base_db: Db) -> None:
    rows = snapshot(base_db)
    assert {r[1] for r in rows["unit"]} == {"eigen", "eigen-district", "eigen-team"}
    totals = rows["published_total"]
    assert len(totals) == 1
    with base_db.session() as session:
        messages = session.get_one(Dataset, "eigen").messages
    assert any("gepubliceerd 4,5, de rijen tellen op tot 4 (verschil -0,5)" in m for m in messages)


@pytest.mark.parametrize(
    ("old", "new", "path", "reason", "line"),
    [
        (
            "    parent: eigen-district\n",
            "    parent: nergens\n",
            "units[2].parent",
            "onbekende ouder 'nergens'",
            19,
        ),
        (
            "  - slug: eigen-team\n",
            "  - slug: eigen-district\n",
            "units[2].slug",
            "dubbele slug 'eigen-district' (ook units[1])",
            16,
        ),
        (
            "      formatie: 4.0\n",
            "      formatie: -4.0\n",
            "units[2].figures.formatie.value",
            "minimaal 0 (kreeg -4.0)",
            21,
        ),
        (
            "      formatie: 4.0\n",
            "      formatie: veel\n",
            "units[2].figures.formatie.value",
            "verwacht een getal",
            21,
        ),
        ("    kind: basisteam\n", "    kind: bureau\n", "units[2].kind", "'bureau'", 18),
        (
            "    kind: basisteam\n",
            "    kind: basisteam\n    kleur: rood\n",
            "units[2].kleur",
            "onbekende sleutel",
            19,
        ),
        (
            "    gemeente: GM0599\n",
            "    gemeente: GM9999\n",
            "coverage[0].gemeente",
            "onbekende gemeente 'GM9999'",
            30,
        ),
        (
            "    assumption: test\n",
            "    share: 0.5\n    assumption: test\n",
            "coverage[0]",
            "de aandelen van GM0599 tellen op tot 0,5000, niet 1",
            29,
        ),
        (
            "requires: [gemeenten]",
            "requires: [gemeenten, nederland]",
            "requires[1]",
            "vereist dataset 'nederland'",
            5,
        ),
    ],
)
def test_bad_file_is_refused_and_changes_nothing(
    base_db: Db, tmp_path: Path, old: str, new: str, path: str, reason: str, line: int
) -> None:
    assert old in GOOD
    bad = write(tmp_path, GOOD.replace(old, new, 1).replace("value: 2,", "value: 3,"), "bad.yaml")
    message = refuse(base_db, bad)
    assert f"bad.yaml:{line}: {path}: " in message
    assert reason in message


def test_malformed_yaml_names_the_line(base_db: Db, tmp_path: Path) -> None:
    bad = write(tmp_path, GOOD.replace("    kind: district\n", "    kind: [district\n"), "b.yaml")
    message = refuse(base_db, bad)
    assert "b.yaml:" in message and "ongeldige YAML" in message


def test_slug_of_another_dataset_is_a_duplicate(base_db: Db, tmp_path: Path) -> None:
    other = (
        GOOD.replace("dataset: eigen", "dataset: ander")
        .replace("  - slug: eigen\n    name: Eigen eenheid\n    kind: eenheid\n", "", 1)
        .replace("    parent: eigen\n", "")
    )
    message = refuse(base_db, write(tmp_path, other, "ander.yaml"))
    assert (
        "units[0].slug: dubbele slug 'eigen-district': al gedefinieerd door dataset 'eigen'"
        in message
    )


def test_wrong_document_type_and_missing_file(base_db: Db, tmp_path: Path) -> None:
    assert "het document moet een YAML-mapping zijn" in refuse(
        base_db, write(tmp_path, "- 1\n", "l.yaml")
    )
    with base_db.session() as session, pytest.raises(DatasetError, match="geen bestand"):
        load(session, name_or_path=str(tmp_path / "missing.yaml"))


def test_reload_is_idempotent_and_removes_dropped_units(base_db: Db, tmp_path: Path) -> None:
    first = snapshot(base_db)
    with base_db.session() as session:
        load(session, name_or_path=str(tmp_path / "eigen.yaml"))
    assert snapshot(base_db) == first
    smaller = GOOD[: GOOD.index("  - slug: eigen-team")] + "totals: []\n"
    with base_db.session() as session:
        load(session, name_or_path=str(write(tmp_path, smaller)))
    after = snapshot(base_db)
    assert {r[1] for r in after["unit"]} == {"eigen", "eigen-district"}
    assert after["coverage"] == [] and after["published_total"] == []


def test_bundled_datasets_reload_to_the_same_database(empty_db: Db) -> None:
    from korps.organisation.loader import bundled_names

    with empty_db.session() as session:
        for name in bundled_names():
            load(session, name_or_path=name)
    first = snapshot(empty_db)
    with empty_db.session() as session:
        for name in bundled_names():
            load(session, name_or_path=name)
    assert snapshot(empty_db) == first
