"""Issue 9.7: every time the API answers carries its offset (also on SQLite), and the OpenAPI
documents the 400/404/413/422 answers the operations give."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from tests.integration.test_hardening_fixtures import (
    API,
    api_headers,
    client,
    hardening_db,
    intake_body,
)

__all__ = ["api_headers", "client", "hardening_db"]
TIME_KEYS = {"at", "now", "since", "until", "status_since"}


def _times(value: Any, key: str = "") -> list[tuple[str, str]]:
    """Every (key, value) of a time in a JSON answer (keys *_at and TIME_KEYS)."""
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in _times(v, k)]
    if isinstance(value, list):
        return [t for v in value for t in _times(v, key)]
    if isinstance(value, str) and (key.endswith("_at") or key in TIME_KEYS):
        return [(key, value)]
    return []


def test_every_time_in_the_answers_carries_its_offset(client: TestClient) -> None:
    created = client.post(f"{API}/incidents", json=intake_body()).json()
    number = created["id"]
    assert client.post(
        f"{API}/incidents/{number}/assignments", json={"unit": "RT-D1-02"}
    ).is_success
    answers = [
        created,
        client.get(f"{API}/incidents/{number}").json(),
        client.get(f"{API}/incidents/{number}/timeline").json(),
        client.get(f"{API}/audit", params={"entity": "incident", "entity_id": number}).json(),
        client.get(f"{API}/units", params={"eenheid": "rotterdam"}).json(),
        client.get(f"{API}/board", params={"eenheid": "rotterdam"}).json(),
        client.get(f"{API}/kpi", params={"eenheid": "rotterdam"}).json(),
        client.get(f"{API}/incidents", params={"eenheid": "rotterdam"}).json(),
    ]
    times = [t for answer in answers for t in _times(answer)]
    assert {"at", "received_at", "assigned_at", "status_since", "now", "since"} <= {
        k for k, _v in times
    }
    naive = [(k, v) for k, v in times if datetime.fromisoformat(v).utcoffset() is None]
    assert naive == []


def test_the_openapi_documents_the_refusals(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    missing = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            wanted = set()
            if "requestBody" in operation:
                wanted |= {"400", "413", "422"}
            if any(p["in"] == "path" for p in operation.get("parameters", [])):
                wanted |= {"404", "422"}
            if operation.get("parameters"):
                wanted.add("422")
            missing += [(method, path, s) for s in wanted - set(operation["responses"])]
    assert missing == []
    refusal = spec["components"]["schemas"]["ErrorOut"]
    assert refusal["properties"]["detail"]["type"] == "string"
