"""Issue 9.5: request bodies are limited per route (uploads separately) and refused with 413
before they are parsed; a 422 never echoes more than a short excerpt of the input."""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi.testclient import TestClient

from korps.web.limits import DEFAULT_LIMIT, EXCERPT, UPLOAD_LIMIT, limit_for
from tests.conftest import Db, snapshot
from tests.integration.test_hardening_fixtures import (
    API,
    api_headers,
    client,
    hardening_db,
    intake_body,
)

__all__ = ["api_headers", "client", "hardening_db"]


def test_limits_per_route_and_for_uploads() -> None:
    assert limit_for(f"{API}/incidents", "application/json") == DEFAULT_LIMIT
    assert limit_for("/api/v1/workload-tables", "multipart/form-data; boundary=x") == UPLOAD_LIMIT
    assert limit_for("/scenarios/nieuw", "application/x-www-form-urlencoded") > DEFAULT_LIMIT
    assert limit_for("/api/v1/allocate", "application/json") > DEFAULT_LIMIT


def test_a_body_over_the_limit_is_413_by_its_length(hardening_db: Db, client: TestClient) -> None:
    before = snapshot(hardening_db)
    padding = "x" * (DEFAULT_LIMIT + 1)
    response = client.post(f"{API}/incidents", json=intake_body(notes=padding))
    assert response.status_code == 413
    assert response.json() == {"detail": "verzoek te groot: maximaal 64 KiB voor dit adres"}
    assert snapshot(hardening_db) == before


def test_a_chunked_body_over_the_limit_is_413(hardening_db: Db, client: TestClient) -> None:
    """No Content-Length: counted while it arrives, refused once past the limit."""
    before = snapshot(hardening_db)

    def chunks() -> Iterator[bytes]:
        yield b'{"notes": "'
        for _ in range(100):
            yield b"x" * 4096
        yield b'"}'

    response = client.post(
        f"{API}/incidents", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert snapshot(hardening_db) == before


def test_an_upload_has_a_limit_of_its_own(hardening_db: Db, api_headers: object) -> None:
    from korps.web.app import create_app

    with TestClient(create_app(hardening_db.engine), raise_server_exceptions=False) as test:
        test.headers.update(api_headers("/api/v1/workload-tables"))  # type: ignore[operator]
        before = snapshot(hardening_db)
        big = b"team,meldingen\n" + b"rotterdam-d1-charlois,1\n" * (UPLOAD_LIMIT // 20)
        refused = test.post("/api/v1/workload-tables", files={"file": ("w.csv", big, "text/csv")})
        assert refused.status_code == 413
        assert "maximaal 5120 KiB" in refused.json()["detail"]
        assert snapshot(hardening_db) == before
        # over the JSON limit but under the upload limit: not refused for its size
        medium = b"team,meldingen\n" + b"rotterdam-d1-charlois,1\n" * (2 * DEFAULT_LIMIT // 20)
        taken = test.post("/api/v1/workload-tables", files={"file": ("w.csv", medium, "text/csv")})
        assert taken.status_code != 413


def test_a_422_echoes_only_a_short_excerpt(hardening_db: Db, client: TestClient) -> None:
    before = snapshot(hardening_db)
    long_text = "geheim" * 3000  # 18 000 characters, 3 times: under the body limit
    response = client.post(
        f"{API}/incidents",
        json=intake_body(notes=long_text, address=long_text, caller_name=long_text),
    )
    assert response.status_code == 422
    assert len(response.content) < 2000
    errors = response.json()["detail"]
    assert {e["loc"][1] for e in errors} == {"notes", "address", "caller_name"}
    for error in errors:
        assert len(error["input"]) <= EXCERPT + 1
        assert error["msg"].endswith("tekens")
    assert snapshot(hardening_db) == before


def test_a_422_for_a_big_nested_value_stays_short(client: TestClient) -> None:
    body = json.dumps({**intake_body(), "gemeente": {"x": ["y" * 100] * 300}})
    response = client.post(
        f"{API}/incidents", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert len(response.content) < 1000


def test_deeply_nested_json_is_refused_not_a_500(client: TestClient) -> None:
    body = '{"notes": ' + "[" * 20000 + "]" * 20000 + "}"
    response = client.post(
        f"{API}/incidents", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422)
