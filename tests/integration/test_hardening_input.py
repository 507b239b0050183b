"""Issue 9.6: questionable input is refused with the field (API) or file:line (files) and a
Dutch reason, and nothing is written: ``priority: true``, a backdated ``received_at``, a new
unit ``uitgegeven``, occupancy files with ``-0``, full-width digits, a period ``yesterday``
or an unterminated quote, YAML with duplicate keys or nested too deeply."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from korps.cli import app as cli
from tests.conftest import Db, snapshot
from tests.integration.test_hardening_fixtures import (
    API,
    api_headers,
    client,
    hardening_db,
    intake_body,
    new_call_sign,
)

__all__ = ["api_headers", "client", "hardening_db"]
runner = CliRunner()


@pytest.mark.parametrize("priority", [True, False, 1.0, 1.5, "1", 0, 4, [1]])
def test_a_priority_that_is_not_the_integer_1_2_or_3_is_422(
    hardening_db: Db, client: TestClient, priority: Any
) -> None:
    before = snapshot(hardening_db)
    response = client.post(f"{API}/incidents", json=intake_body(priority=priority))
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "priority"]
    assert error["msg"] == "ongeldige waarde voor prioriteit: verwacht 1, 2 of 3"
    assert snapshot(hardening_db) == before


def test_received_at_more_than_24_hours_back_needs_a_historical_import(
    hardening_db: Db, client: TestClient
) -> None:
    before = snapshot(hardening_db)
    for moment in ("1900-01-01T00:00:00Z", (datetime.now(UTC) - timedelta(hours=25)).isoformat()):
        response = client.post(f"{API}/incidents", json=intake_body(received_at=moment))
        assert response.status_code == 422
        error = response.json()["detail"][0]
        assert error["loc"] == ["body", "received_at"]
        assert error["msg"] == (
            "tijd melding ligt meer dan 24 uur terug: alleen toegestaan als historische import "
            "(historical_import: true)"
        )
    assert snapshot(hardening_db) == before
    recent = (datetime.now(UTC) - timedelta(hours=23)).isoformat()
    assert client.post(f"{API}/incidents", json=intake_body(received_at=recent)).is_success
    old = "2024-03-01T12:00:00+01:00"
    imported = client.post(
        f"{API}/incidents", json=intake_body(received_at=old, historical_import=True)
    )
    assert imported.status_code == 201
    assert imported.json()["received_at"] == "2024-03-01T11:00:00Z"


@pytest.mark.parametrize("status", ["uitgegeven", "aanrijdend", "ter_plaatse", "vrij", "x"])
def test_a_new_unit_is_beschikbaar_or_uit_dienst_only(
    hardening_db: Db, client: TestClient, status: str
) -> None:
    before = snapshot(hardening_db)
    response = client.post(
        f"{API}/units",
        json={"call_sign": new_call_sign(), "basisteam": "rotterdam-d1-charlois", "status": status},
    )
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "status"]
    assert error["msg"] == "status: ongeldige waarde; toegestaan: 'beschikbaar' of 'uit_dienst'"
    assert snapshot(hardening_db) == before


GOOD_ROW = "rotterdam-d1-charlois,wijkagenten,2023-2026,3,HR\n"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "rotterdam-d2-feijenoord,wijkagenten,2023-2026,-0,HR\n",
            ":3: kolom bezetting: negatieve nul ('-0'): schrijf 0",
        ),
        (
            "rotterdam-d2-feijenoord,wijkagenten,2023-2026,１２,HR\n",
            ":3: kolom bezetting: geen getal ('１２')",
        ),
        (
            "rotterdam-d2-feijenoord,wijkagenten,yesterday,2,HR\n",
            ":3: kolom period: geen periode: een jaartal",
        ),
        (
            'rotterdam-d2-feijenoord,wijkagenten,2023-2026,2,"HR\n',
            ":3: bestand: ongeldige CSV (bijv. een aanhalingsteken dat niet gesloten wordt)",
        ),
    ],
    ids=["minus-zero", "full-width", "yesterday", "unterminated-quote"],
)
def test_questionable_occupancy_files_are_refused_with_file_and_line(
    hardening_db: Db,
    use_database: Callable[[Db], None],
    tmp_path: Path,
    row: str,
    expected: str,
) -> None:
    use_database(hardening_db)
    before = snapshot(hardening_db)
    path = tmp_path / "bezetting.csv"
    path.write_text("unit,category,period,bezetting,source\n" + GOOD_ROW + row, encoding="utf-8")
    result = runner.invoke(cli, ["formation", "import", str(path)])
    assert result.exit_code == 1
    assert f"{path}{expected}" in result.output.replace("\n", "")
    assert snapshot(hardening_db) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "dataset: eigen\ntitle: Eerste\nunits: []\ntitle: Tweede\n",
            ":4: title: dubbele sleutel 'title' (eerder op regel 2)",
        ),
        (
            "dataset: eigen\ntitle: Diep\ndescription: " + "[" * 3000 + "]" * 3000 + "\n",
            ":3: <document>: te diep genest: meer dan 40 niveaus",
        ),
        (
            "dataset: eigen\ntitle: Diep\nunits:\n" + "".join("  " * i + "- \n" for i in range(60)),
            ":43: <document>: te diep genest: meer dan 40 niveaus",
        ),
    ],
    ids=["duplicate-key", "deep-flow", "deep-block"],
)
def test_questionable_yaml_is_refused_with_file_and_line(
    hardening_db: Db,
    use_database: Callable[[Db], None],
    tmp_path: Path,
    text: str,
    expected: str,
) -> None:
    use_database(hardening_db)
    before = snapshot(hardening_db)
    path = tmp_path / "eigen.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["load", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{path}{expected}" in result.output.replace("\n", "")
    assert snapshot(hardening_db) == before
