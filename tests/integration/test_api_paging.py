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


def _lists() -> list[tuple[str, str]]:
    """(path, name) of every GET operation of the API that answers a JSON list."""
    from typing import get_origin

    from korps.web.app import route_table

    found = []
    for path, route in route_table():
        if "GET" not in route.methods or not path.startswith("/api/"):
            continue
        model = route.response_model
        if get_origin(model) is list:
            found.append((path, route.name))
    return found


@pytest.mark.parametrize(("path", "name"), _lists())
def test_every_list_of_the_api_pages_the_same_way(path: str, name: str) -> None:
    """Each list takes ``limit`` and ``offset`` and documents the paging headers."""
    from korps.web.app import route_table

    route = next(r for p, r in route_table() if p == path and r.name == name)
    params = {param.alias for param in route.dependant.query_params}
    for dependency in route.dependant.dependencies:
        params |= {param.alias for param in dependency.query_params}
    assert {"limit", "offset"} <= params, f"{path} does not page"
    headers = (route.responses.get(200) or {}).get("headers", {})
    assert {"X-Total-Count", "Link"} <= set(headers), f"{path} does not document its paging"
