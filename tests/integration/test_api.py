"""The JSON API under /api/v1 and the HTML pages, served by the app factory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from korps.web.app import create_app
from tests.conftest import Db


@pytest.fixture(scope="module")
def client(loaded_db: Db) -> Iterator[TestClient]:
    with TestClient(create_app(loaded_db.engine)) as test_client:
        yield test_client


def test_units_search_and_kind_filter(client: TestClient) -> None:
    response = client.get("/api/v1/units", params={"q": "charlois"})
    assert response.status_code == 200
    assert [u["slug"] for u in response.json()] == ["rotterdam-d1-charlois"]
    basisteams = client.get("/api/v1/units", params={"kind": "basisteam", "limit": 1000}).json()
    assert len(basisteams) == 18 + 27


def test_unit_detail_has_breadcrumbs_children_figures_and_municipalities(
    client: TestClient,
) -> None:
    unit = client.get("/api/v1/units/rotterdam-d1-charlois").json()
    assert [b["slug"] for b in unit["breadcrumbs"]] == ["politie", "rotterdam", "rotterdam-d"]
    assert (unit["code"], unit["fte"], unit["wijkagenten"]) == ("D1", 166.5, 18.0)
    assert [c["gemeente"]["code"] for c in unit["coverage"]] == ["GM0599"]
    district = client.get("/api/v1/units/rotterdam-d").json()
    assert {c["code"] for c in district["children"] if c["kind"] == "basisteam"} == {
        "D1",
        "D2",
        "D3",
    }
    assert any(
        t["label"].startswith("Formatie Districten en Basisteams, Totaal basisteams")
        for t in district["totals"]
    )
    partnerships = {p["slug"] for p in unit["partnerships"]}
    assert {"riec-rotterdam", "vr-rotterdam-rijnmond"} <= partnerships


def test_subtree_with_depth(client: TestClient) -> None:
    tree = client.get("/api/v1/units/oost-nederland/tree", params={"depth": 1}).json()
    assert tree["slug"] == "oost-nederland"
    assert all(child["children"] == [] for child in tree["children"])
    assert sum(1 for c in tree["children"] if c["kind"] == "district") == 5


def test_municipality_detail(client: TestClient) -> None:
    zwolle = client.get("/api/v1/municipalities", params={"q": "zwolle"}).json()
    assert zwolle == [{"code": "GM0193", "name": "Zwolle", "population": zwolle[0]["population"]}]
    detail = client.get("/api/v1/municipalities/GM0193").json()
    assert detail["eenheid"]["slug"] == "oost-nederland"
    assert [b["unit"]["slug"] for b in detail["basisteams"]] == ["on-zwolle"]
    assert [d["slug"] for d in detail["districts"]] == ["on-ijsselland"]
    assert [c["year"] for c in detail["crime"]] == [2023, 2024]


def test_partnerships_by_kind(client: TestClient) -> None:
    riecs = client.get("/api/v1/partnerships", params={"kind": "riec"}).json()
    assert len(riecs) == 10
    assert sum(len(r["members"]) for r in riecs) == 342


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/units/bestaat-niet",
        "/api/v1/units/bestaat-niet/tree",
        "/api/v1/municipalities/GM0000",
        "/api/v1/datasets/onbekend/totals",
    ],
)
def test_unknown_slug_is_404_with_json_error(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert "onbekend" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/units", {"kind": "bureau"}),
        ("/api/v1/units", {"limit": 0}),
        ("/api/v1/units/rotterdam/tree", {"depth": -1}),
        ("/api/v1/partnerships", {"kind": "club"}),
    ],
)
def test_bad_query_parameter_is_422(
    client: TestClient, path: str, params: dict[str, object]
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_openapi_lists_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {
        "/api/v1/units",
        "/api/v1/units/{slug}",
        "/api/v1/units/{slug}/tree",
        "/api/v1/municipalities",
        "/api/v1/municipalities/{code}",
        "/api/v1/partnerships",
    } <= set(spec["paths"])


def test_pages_render_in_dutch(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200 and "Eenheid Rotterdam" in home.text
    unit = client.get("/eenheden/rotterdam-d1-charlois").text
    assert "Charlois" in unit and "166,5" in unit and "Rotterdam Zuid" in unit
    assert "3.013,8" in client.get("/eenheden/rotterdam").text
    gemeente = client.get("/gemeenten/GM0599").text
    assert "Veiligheidsregio Rotterdam-Rijnmond" in gemeente and "RIEC Rotterdam" in gemeente
    assert client.get("/gemeenten", params={"q": "dord"}).text.count("/gemeenten/GM") == 1
    partnerships = client.get("/samenwerking").text
    assert "RIEC Oost-Nederland" in partnerships and "Veiligheidsregio Twente" in partnerships
    missing = client.get("/eenheden/bestaat-niet")
    assert missing.status_code == 404 and "Niet gevonden" in missing.text
    partial = client.get("/zoeken", params={"q": "feijen"}, headers={"HX-Request": "true"}).text
    assert "Feijenoord" in partial and "<html" not in partial
