"""Issue 14.14: every list of the API pages the same way: limit and offset in, the total in
X-Total-Count and the next page in a Link header; walking the pages gives every row once."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from korps.web.app import create_app
from tests.conftest import Db


@pytest.fixture(scope="module")
def client(loaded_db: Db) -> Iterator[TestClient]:
    with TestClient(create_app(loaded_db.engine)) as test_client:
        yield test_client


def walk(client: TestClient, url: str, key: str) -> tuple[list[str], int]:
    seen: list[str] = []
    total = -1
    while url:
        answer = client.get(url)
        assert answer.status_code == 200
        total = int(answer.headers["x-total-count"])
        seen += [row[key] for row in answer.json()]
        link = answer.headers.get("link", "")
        found = re.match(r'<([^>]+)>; rel="next"', link)
        url = found.group(1) if found else ""
    return seen, total


@pytest.mark.parametrize(
    ("url", "key", "size"),
    [
        ("/api/v1/units?limit=50", "slug", 50),
        ("/api/v1/municipalities?limit=100", "code", 100),
        ("/api/v1/partnerships?limit=7", "slug", 7),
        ("/api/v1/datasets?limit=2", "name", 2),
    ],
)
def test_walking_the_pages_gives_every_row_once(
    client: TestClient, url: str, key: str, size: int
) -> None:
    first = client.get(url)
    assert len(first.json()) <= size
    seen, total = walk(client, url, key)
    assert len(seen) == total == len(set(seen))
    assert total > size  # there was more than one page


def test_the_municipalities_honour_limit(client: TestClient) -> None:
    answer = client.get("/api/v1/municipalities", params={"limit": 5, "offset": 10})
    assert len(answer.json()) == 5 and answer.headers["x-total-count"] == "342"
    assert client.get("/api/v1/units", params={"limit": 0}).status_code == 422
