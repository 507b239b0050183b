"""Issue 14, item 7: the bezetting page offers the categories that have data, imports an
uploaded CSV/XLSX through the command line's validation (all or nothing, audited), and
answers a bad query parameter with a Dutch HTML page."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from korps.audit.models import AuditEntry
from korps.formation.models import Occupancy
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database, snapshot
from tests.support.auth import login_as

EXAMPLE = Path(__file__).parents[2] / "examples" / "rotterdam-bezetting-wijkagenten.csv"
HEADER = "unit,category,period,bezetting,source\n"


@pytest.fixture(scope="module", params=BACKENDS)
def db(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[Db]:
    with loaded_database(request.param, tmp_path_factory.mktemp("bez"), _pg_admin) as database:
        yield database


def client_for(db: Db, *, role: str, unit: str, username: str) -> TestClient:
    client = TestClient(create_app(db.engine))
    client.__enter__()
    login_as(client, db.engine, role=role, unit=unit, username=username)
    return client


@pytest.fixture
def planner(db: Db) -> Iterator[TestClient]:
    client = client_for(db, role="planner", unit="politie", username="bezetting-planner")
    yield client
    client.__exit__(None, None, None)


def occupancy_rows(db: Db) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Occupancy)) or 0)


def test_only_categories_with_data_are_offered(planner: TestClient) -> None:
    page = planner.get("/eenheden/oost-nederland/bezetting")
    assert page.status_code == 200
    assert 'id="geen-gegevens"' not in page.text
    # Oost-Nederland has formation figures for operationele_sterkte, none for wijkagenten
    assert "operationele_sterkte" in page.text or "Operationele sterkte" in page.text
    assert "?category=wijkagenten" not in page.text
    assert '<tr data-slug="on-twente">' in page.text
    rows = page.text.split('<tr data-slug="on-twente">')[1].split("</tr>")[0]
    assert rows.count('class="getal"></td>') < 4  # the offered category has figures


def test_a_bad_query_parameter_gives_a_dutch_html_page(planner: TestClient) -> None:
    for bad in ("DROP TABLE", "x" * 41, "wijk-agenten"):
        answer = planner.get("/eenheden/rotterdam/bezetting", params={"category": bad})
        assert answer.status_code == 422
        assert answer.headers["content-type"].startswith("text/html")
        assert "Ongeldige aanvraag" in answer.text and "bestaat niet" in answer.text


def test_upload_imports_all_or_nothing_and_is_audited(planner: TestClient, db: Db) -> None:
    good = EXAMPLE.read_bytes()
    broken = good + b"rotterdam-b1-delfshaven,wijkagenten,2024-2027,-3,x\n"
    before = snapshot(db)
    refused = planner.post(
        "/eenheden/rotterdam/bezetting", files={"bestand": ("bezetting.csv", broken, "text/csv")}
    )
    assert refused.status_code == 422 and "Niets geïmporteerd" in refused.text
    assert "bezetting.csv" in refused.text and "/tmp" not in refused.text
    foreign = HEADER.encode() + b"on-enschede,operationele_sterkte,2024,10,x\n"
    outside = planner.post(
        "/eenheden/rotterdam/bezetting", files={"bestand": ("on.csv", foreign, "text/csv")}
    )
    assert outside.status_code == 422 and "valt niet onder" in outside.text
    assert snapshot(db) == before
    done = planner.post(
        "/eenheden/rotterdam/bezetting",
        files={"bestand": ("bezetting.csv", good, "text/csv")},
        follow_redirects=False,
    )
    assert done.status_code == 303
    lines = len(good.decode().strip().splitlines()) - 1
    page = planner.get(done.headers["location"]).text
    assert f"Geïmporteerd: {lines} rijen ({lines} nieuw, 0 gewijzigd, 0 ongewijzigd)" in page
    assert occupancy_rows(db) == lines
    with db.session() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "bezetting")
        ).all()
    assert f"bezetting geïmporteerd: {lines} rijen" in actions
    again = planner.post(
        "/eenheden/rotterdam/bezetting",
        files={"bestand": ("bezetting.csv", good, "text/csv")},
        follow_redirects=False,
    )
    assert f"ongewijzigd={lines}" in again.headers["location"] and occupancy_rows(db) == lines


def test_xlsx_upload_and_who_may_upload(db: Db) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Bezetting"
    sheet.append(["unit", "category", "period", "bezetting", "source"])
    sheet.append(["on-enschede", "operationele_sterkte", "2024", 101.5, "test"])
    data = io.BytesIO()
    workbook.save(data)
    gezag = client_for(db, role="gezag", unit="oost-nederland", username="bezetting-gezag")
    try:
        assert gezag.get("/eenheden/oost-nederland/bezetting").status_code == 200
        files = {"bestand": ("b.xlsx", data.getvalue(), "application/octet-stream")}
        assert gezag.post("/eenheden/oost-nederland/bezetting", files=files).status_code == 403
    finally:
        gezag.__exit__(None, None, None)
    planner = client_for(db, role="planner", unit="oost-nederland", username="bezetting-on")
    try:
        files = {"bestand": ("b.xlsx", data.getvalue(), "application/octet-stream")}
        done = planner.post(
            "/eenheden/oost-nederland/bezetting",
            files=files,
            data={"blad": "Bezetting"},
            follow_redirects=False,
        )
        assert done.status_code == 303 and "geimporteerd=1" in done.headers["location"]
        with db.session() as session:
            value = session.scalar(
                select(Occupancy.value).where(Occupancy.category == "operationele_sterkte")
            )
        assert value == 101.5
    finally:
        planner.__exit__(None, None, None)
