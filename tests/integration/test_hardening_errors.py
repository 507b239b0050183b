"""Issue 9.3: input that used to give a 500 is refused with a 4xx that names the field and
the reason (Dutch), and nothing is written; on SQLite and PostgreSQL, and in the CLI loaders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from korps.cli import app as cli
from korps.web.app import create_app
from tests.conftest import Db, snapshot
from tests.integration.test_hardening_fixtures import (
    API,
    api_headers,
    client,
    hardening_db,
    intake_body,
)
from tests.support.auth import login_as

__all__ = ["api_headers", "client", "hardening_db"]
BIG_IDS = [2**31, 2**63, 2**64, 0, -1]
INCIDENT_ROUTES = [
    ("GET", "/incidents/{id}"),
    ("GET", "/incidents/{id}/advice"),
    ("GET", "/incidents/{id}/timeline"),
    ("POST", "/incidents/{id}/assignments"),
    ("POST", "/incidents/{id}/close"),
]


@pytest.fixture(scope="module")
def page_client(hardening_db: Db) -> Iterator[TestClient]:
    """A browser logged in as centralist of Rotterdam."""
    with TestClient(create_app(hardening_db.engine), raise_server_exceptions=False) as test:
        login_as(test, hardening_db.engine, role="centralist", unit="rotterdam")
        yield test


@pytest.mark.parametrize(("method", "route"), INCIDENT_ROUTES)
def test_ids_beyond_the_integer_columns_are_422_on_every_incident_route(
    hardening_db: Db, client: TestClient, method: str, route: str
) -> None:
    before = snapshot(hardening_db)
    for number in BIG_IDS:
        body = {"unit": "RT-D1-01"} if route.endswith("assignments") else None
        response = client.request(method, API + route.format(id=number), json=body)
        # 404 from the access check (no incident has this id) or 422 from the path's bounds
        assert response.status_code in (404, 422), (number, response.text)
        detail = response.json()["detail"]
        if response.status_code == 404:
            assert detail == f"onbekende melding {number}"
        else:
            assert detail[0]["loc"] == ["path", "incident_id"]
            assert detail[0]["msg"].startswith("melding: ")
    audit = client.get(f"{API}/audit", params={"entity": "incident", "entity_id": 2**31})
    assert audit.status_code == 422
    assert snapshot(hardening_db) == before


def test_ids_beyond_the_columns_on_the_pages_are_404(
    hardening_db: Db, page_client: TestClient
) -> None:
    before = snapshot(hardening_db)
    for number in (2**31, 2**63, 2**64):
        assert page_client.get(f"/meldkamer/meldingen/{number}").status_code == 404
        closed = page_client.post(f"/meldkamer/meldingen/{number}/afsluiten")
        assert closed.status_code == 404
    assert snapshot(hardening_db) == before


@pytest.mark.parametrize(
    "field",
    ["address", "caller_name", "caller_phone", "notes", "gemeente", "channel", "idempotency_key"],
)
def test_a_nul_byte_in_a_text_field_is_422(
    hardening_db: Db, client: TestClient, field: str
) -> None:
    before = snapshot(hardening_db)
    response = client.post(f"{API}/incidents", json=intake_body(**{field: "a\x00b"}))
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", field]
    assert error["msg"].endswith("NUL-teken op positie 2")
    assert error["input"] == "a\\x00b"
    assert snapshot(hardening_db) == before


@pytest.mark.parametrize(
    ("method", "url", "where"),
    [
        ("POST", f"{API}/units/RT%00D1/status", "path"),
        ("GET", "/api/v1/units/rotterdam%00", "path"),
        ("GET", "/api/v1/municipalities/GM0599%00", "path"),
        ("GET", f"{API}/units?eenheid=rotter%00dam", "query"),
        ("GET", f"{API}/board?eenheid=%00", "query"),
        ("GET", "/meldkamer/rotter%00dam", "path"),
    ],
)
def test_a_nul_byte_in_a_path_or_query_is_422(
    hardening_db: Db, client: TestClient, method: str, url: str, where: str
) -> None:
    before = snapshot(hardening_db)
    response = client.request(method, url, json={"status": "vrij"} if method == "POST" else None)
    assert response.status_code == 422
    if not url.startswith("/api/"):  # a page: the browser gets an HTML page, not JSON
        assert "text/html" in response.headers["content-type"] and "NUL-teken" in response.text
    else:
        assert response.json()["detail"][0]["loc"] == [where]
        assert "NUL-teken" in response.json()["detail"][0]["msg"]
    assert snapshot(hardening_db) == before


def test_a_nul_byte_in_a_page_form_is_refused(hardening_db: Db, page_client: TestClient) -> None:
    before = snapshot(hardening_db)
    response = page_client.post(
        "/meldkamer/rotterdam/nieuw",
        data={"channel": "112", "category": "burenruzie", "gemeente": "Rotterdam", "notes": "\x00"},
    )
    assert response.status_code == 422
    assert "NUL-teken" in response.text
    unit = page_client.post(
        "/meldkamer/rotterdam/eenheden/status", data={"unit": "RT\x00", "status": "vrij"}
    )
    assert unit.status_code == 404
    assert snapshot(hardening_db) == before


@pytest.mark.parametrize(
    "moment",
    [
        "0001-01-01T00:00:00+01:00",
        "0001-01-01T00:00:00",
        "9999-12-31T23:59:59-01:00",
        "9999-12-31T23:59:59",
        "1899-12-31T23:59:59Z",
    ],
)
def test_received_at_in_year_1_or_9999_is_422(
    hardening_db: Db, client: TestClient, moment: str
) -> None:
    before = snapshot(hardening_db)
    response = client.post(f"{API}/incidents", json=intake_body(received_at=moment))
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "received_at"]
    assert error["msg"] == "tijd melding: tijdstip buiten het bereik 1900-2099 (UTC)"
    assert snapshot(hardening_db) == before


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ('"lat": NaN, "lon": 4.47', "lat", "breedtegraad: verwacht een eindig getal"),
        ('"lat": 51.88, "lon": Infinity', "lon", "lengtegraad: verwacht een eindig getal"),
        ('"lat": -Infinity, "lon": 4.47', "lat", "breedtegraad: verwacht een eindig getal"),
        ('"lat": 1e400, "lon": 4.47', "lat", "breedtegraad: verwacht een eindig getal"),
        ('"priority": 1e400', "priority", "ongeldige waarde voor prioriteit"),
        ('"address": "\\ud800 straat"', "address", "adres: ongeldig teken U+D800 op positie 1"),
        ('"\\udfff": 1', None, "invoer: geen geldige Unicode-tekst"),
    ],
)
def test_nan_infinity_and_lone_surrogates_in_json_are_422_that_render(
    hardening_db: Db, client: TestClient, raw: str, field: str | None, message: str
) -> None:
    before = snapshot(hardening_db)
    body = (
        '{"eenheid": "rotterdam", "channel": "112", "category": "burenruzie", '
        f'"gemeente": "Rotterdam", {raw}}}'
    )
    response = client.post(
        f"{API}/incidents", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == (["body", field] if field else ["body"])
    assert error["msg"].startswith(message)
    assert snapshot(hardening_db) == before


@pytest.mark.parametrize("priority", ["abc", "1.5", "0", "4", "true", "١"])
def test_the_intake_page_refuses_a_priority_that_is_not_1_2_or_3(
    hardening_db: Db, page_client: TestClient, priority: str
) -> None:
    before = snapshot(hardening_db)
    response = page_client.post(
        "/meldkamer/rotterdam/nieuw",
        data={
            "channel": "112",
            "category": "burenruzie",
            "gemeente": "Rotterdam",
            "priority": priority,
        },
    )
    assert response.status_code == 422
    assert "ongeldige waarde voor prioriteit: verwacht 1, 2 of 3" in response.text
    assert snapshot(hardening_db) == before


@pytest.mark.parametrize("route", ["/kpi", "/export.csv"])
@pytest.mark.parametrize(
    "params",
    [
        {"since": "0001-01-01T00:00:00+01:00", "until": "0001-01-02T00:00:00"},
        {"until": "0001-01-03T00:00:00"},
        {"since": "0001-01-01"},
        {"since": "9999-12-31T23:59:59-01:00"},
    ],
)
def test_kpi_and_export_dates_near_year_1_are_422(
    client: TestClient, route: str, params: dict[str, str]
) -> None:
    response = client.get(f"{API}{route}", params={"eenheid": "rotterdam", **params})
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"][0] == "query"
    assert "tijdstip buiten het bereik 1900-2099" in error["msg"]


def test_the_kpi_page_with_year_1_shows_the_default_period(page_client: TestClient) -> None:
    response = page_client.get("/meldkamer/rotterdam/kpi?since=0001-01-01&until=0001-01-02")
    assert response.status_code == 200


runner = CliRunner()


def test_the_occupancy_loader_refuses_a_nul_byte_with_its_line(
    hardening_db: Db, use_database: Callable[[Db], None], tmp_path: Path
) -> None:
    use_database(hardening_db)
    before = snapshot(hardening_db)
    path = tmp_path / "bezetting.csv"
    path.write_text(
        "unit,category,period,bezetting,source\n"
        "rotterdam-d1-charlois,wijkagenten,2023-2026,3,HR\n"
        "rotterdam-d2-feijenoord,wijkagenten,2023-2026,2,HR\x00systeem\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["formation", "import", str(path)])
    assert result.exit_code == 1
    assert f"{path}:3: kolom source: NUL-teken op positie 3" in result.output.replace("\n", "")
    assert snapshot(hardening_db) == before


def test_the_dataset_loader_refuses_a_nul_escape_with_its_line(
    hardening_db: Db, use_database: Callable[[Db], None], tmp_path: Path
) -> None:
    use_database(hardening_db)
    before = snapshot(hardening_db)
    path = tmp_path / "eigen.yaml"
    path.write_text('dataset: eigen\ntitle: "Eigen\\0 data"\n', encoding="utf-8")
    result = runner.invoke(cli, ["load", str(path)])
    assert result.exit_code == 1
    assert f"{path}:2: <document>: NUL-teken op positie 6" in result.output.replace("\n", "")
    assert snapshot(hardening_db) == before


@pytest.mark.parametrize("command", ["kpi", "export"])
@pytest.mark.parametrize(
    "period", [["--since", "0001-01-01"], ["--until", "0001-01-01T00:00:00+01:00"]]
)
def test_the_controlroom_cli_refuses_dates_near_year_1(
    hardening_db: Db,
    use_database: Callable[[Db], None],
    tmp_path: Path,
    command: str,
    period: list[str],
) -> None:
    use_database(hardening_db)
    where = ["rotterdam"] if command == "kpi" else [str(tmp_path / "x.csv")]
    result = runner.invoke(cli, ["controlroom", command, *where, *period])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{period[0]}: tijdstip buiten het bereik 1900-2099" in result.output
    assert not (tmp_path / "x.csv").exists()
