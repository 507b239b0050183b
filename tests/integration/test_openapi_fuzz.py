"""Issue 9 (evidence): schemathesis over every operation of the live OpenAPI, with all its
checks, on SQLite and PostgreSQL: no server error, no answer outside the schema.

Generated values are mixed with realistic ones (slugs of the bundled tree, call signs of the
seeded units, ids of incidents that exist) so the operations are exercised past their 404s.
Every request carries the headers of the ``api_headers`` fixture (who calls). Kept to about
a minute per database: ``MAX_EXAMPLES`` per operation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.hooks import HookContext

from korps.web.app import create_app
from tests.conftest import Db
from tests.integration.test_hardening_fixtures import (
    API,
    Headers,
    api_headers,
    hardening_db,
    intake_body,
)

__all__ = ["api_headers", "hardening_db"]
MAX_EXAMPLES = 25
SLUGS = ["rotterdam", "rotterdam-d1-charlois", "rotterdam-d", "politie", "oost-nederland"]
REAL: dict[str, list[Any]] = {
    "slug": SLUGS,
    "eenheid": ["rotterdam", "oost-nederland"],
    "call_sign": ["RT-D1-01", "RT-D1-02", "RT-D2-01", "RT-F4-02"],
    "code": ["GM0599", "GM0606", "GM0153"],
    "name": ["rotterdam", "nederland", "gemeenten"],
    "unit": ["RT-D1-01", "RT-D3-02"],
    "basisteam": ["rotterdam-d1-charlois", "rotterdam-b2-centrum"],
}


def _mixed(generated: dict[str, Any] | None, real: dict[str, list[Any]]) -> st.SearchStrategy[Any]:
    """The generated values, or (more often) realistic ones in their place."""
    if not generated:
        return st.just(generated)
    choices = {
        key: st.sampled_from([*real[key], value]) if key in real else st.just(value)
        for key, value in generated.items()
    }
    return st.fixed_dictionaries(choices)


def _incidents(client: Any, headers: dict[str, str]) -> list[int]:
    ids = []
    for category in ("burenruzie", "geluidsoverlast", "overval"):
        response = client.post(
            f"{API}/incidents", json=intake_body(category=category), headers=headers
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


@pytest.fixture(scope="module")
def api_schema(hardening_db: Db, api_headers: Headers) -> Any:
    app = create_app(hardening_db.engine)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        incident_ids = _incidents(client, api_headers(API))
    real = {**REAL, "incident_id": [*incident_ids, 2**31 - 1]}

    @schema.hook
    def flatmap_path_parameters(
        _ctx: HookContext, path_parameters: dict[str, Any]
    ) -> st.SearchStrategy[Any]:
        return _mixed(path_parameters, real)

    @schema.hook
    def flatmap_query(_ctx: HookContext, query: dict[str, Any]) -> st.SearchStrategy[Any]:
        return _mixed(query, real)

    @schema.hook
    def flatmap_body(ctx: HookContext, body: Any) -> st.SearchStrategy[Any]:
        operation = ctx.operation
        if operation is None or not isinstance(body, dict):
            return st.just(body)
        if operation.path == f"{API}/incidents":
            return st.sampled_from([body, {**body, **intake_body()}, intake_body()])
        return _mixed(body, real)

    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_answers_within_its_schema(
    case: schemathesis.Case, api_headers: Callable[[str], dict[str, str]]
) -> None:
    case.call_and_validate(headers=api_headers(case.path))
