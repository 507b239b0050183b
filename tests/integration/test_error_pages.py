"""Browsers never see raw JSON errors: a page address answers 404, 405, 422 and 500 with an
HTML page in the reader's language; the API (and htmx) keep their JSON ``detail``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient

from korps.identity.deps import PUBLIC
from korps.web.app import create_app
from tests.conftest import Db

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture(scope="module")
def client(loaded_db: Db) -> Iterator[TestClient]:
    app = create_app(loaded_db.engine)

    @app.get("/kapot", include_in_schema=False, dependencies=[Depends(PUBLIC)])
    def broken() -> None:
        raise RuntimeError("a fault of ours, with a detail no visitor may see")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def dutch(client: TestClient) -> None:
    client.cookies.clear()  # no language chosen by an earlier test


def page_of(response: object) -> str:
    text = str(getattr(response, "text", ""))
    assert getattr(response, "headers", {})["content-type"].startswith("text/html"), text[:200]
    return text


def test_an_unknown_address_is_a_dutch_page(client: TestClient) -> None:
    response = client.get("/bestaat/niet", headers=BROWSER)
    assert response.status_code == 404
    page = page_of(response)
    assert "Niet gevonden" in page and "op dit adres staat niets" in page
    assert "Not Found" not in page
    english = client.get("/bestaat/niet", headers=BROWSER, params={"lang": "en"})
    assert "there is nothing at this address" in page_of(english)


def test_a_wrong_method_is_a_dutch_page(client: TestClient) -> None:
    response = client.post("/gemeenten", headers=BROWSER, data={"csrf_token": "x"})
    assert response.status_code in (403, 405)  # the CSRF check may come first
    assert "Method Not Allowed" not in page_of(response)
    delete = client.delete("/gemeenten", headers=BROWSER)
    assert delete.status_code in (403, 405)
    assert "Method Not Allowed" not in page_of(delete)


def test_refused_input_on_a_page_lists_the_dutch_reasons(client: TestClient) -> None:
    response = client.get("/gemeenten", params={"q": "x" * 101}, headers=BROWSER)
    assert response.status_code == 422
    page = page_of(response)
    assert "Ongeldige invoer" in page and "q: maximaal 100 tekens" in page
    assert "String should" not in page and '"detail"' not in page


def test_a_fault_is_a_page_without_its_details(client: TestClient) -> None:
    response = client.get("/kapot", headers=BROWSER)
    assert response.status_code == 500
    page = page_of(response)
    assert "Er ging iets mis" in page and "a fault of ours" not in page


def test_the_api_keeps_json_in_dutch(client: TestClient) -> None:
    missing = client.get("/api/v1/bestaat-niet")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "op dit adres staat niets"}
    refused = client.get("/api/v1/units", params={"limit": 0})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"] == "limit: minimaal 1"
    unit = client.get("/api/v1/units/bestaat-niet")
    assert unit.json() == {"detail": "onbekende eenheid 'bestaat-niet'"}
    htmx = client.get("/gemeenten", params={"q": "x" * 101}, headers={"HX-Request": "true"})
    assert htmx.status_code == 422 and htmx.json()["detail"][0]["msg"] == "q: maximaal 100 tekens"


def test_limits_before_the_application_answer_a_browser_with_a_page(client: TestClient) -> None:
    big = client.post("/aanmelden", headers=BROWSER, content=b"x" * (65 * 1024))
    assert big.status_code == 413
    assert "Te groot" in page_of(big) and "maximaal 64 KiB" in big.text
    nul = client.get("/gemeenten", params={"q": "a\x00b"}, headers=BROWSER)
    assert nul.status_code == 422 and "NUL-teken" in page_of(nul)
    api = client.post("/api/v1/workload-tables", content=b"x" * (6 * 1024 * 1024))
    assert api.status_code == 413 and "maximaal" in api.json()["detail"]
