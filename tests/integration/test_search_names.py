"""Issue 14.13: search finds municipalities by their everyday names and without accents, and
same-named units show the unit above them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from korps.organisation.service import fold
from korps.web.app import create_app
from tests.conftest import Db


@pytest.fixture(scope="module")
def client(loaded_db: Db) -> Iterator[TestClient]:
    with TestClient(create_app(loaded_db.engine)) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Den Haag", "&#39;s-Gravenhage"),
        ("haag", "&#39;s-Gravenhage"),
        ("den bosch", "&#39;s-Hertogenbosch"),
        ("sudwest", "Súdwest-Fryslân"),
        ("s-gravenhage", "&#39;s-Gravenhage"),
    ],
)
def test_municipalities_by_other_names_and_without_accents(
    client: TestClient, query: str, found: str
) -> None:
    page = client.get("/zoeken", params={"q": query}, headers={"HX-Request": "true"})
    assert page.status_code == 200 and found in page.text


def test_same_named_units_show_their_parent(client: TestClient) -> None:
    page = client.get("/zoeken", params={"q": "districtsrecherche"}, headers={"HX-Request": "true"})
    parents = page.text.count('class="ouder"')
    assert parents >= 5
    api = client.get("/api/v1/units", params={"q": "districtsrecherche"}).json()
    assert all(u["parent_name"] for u in api)
    assert len({u["parent_name"] for u in api}) == len(api)  # each is told apart


def test_fold() -> None:
    assert fold("'s-Gravenhage") == "s-gravenhage" and fold("Súdwest-Fryslân") == "sudwest-fryslan"
