"""Issue 9 (property): any Unicode string in any text field of an intake or a new unit (lone
surrogates, NUL, controls, astral characters, any length) is either stored and read back
exactly or refused with 422 naming that field; never a 500. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.test_hardening_fixtures import (
    API,
    api_headers,
    client,
    hardening_db,
    intake_body,
    new_call_sign,
)

__all__ = ["api_headers", "client", "hardening_db"]

# every character, surrogates included; short strings, and some past every column's length
ANY_CHARACTER = st.characters(exclude_categories=())
ANY_TEXT = st.one_of(
    st.text(ANY_CHARACTER, max_size=40),
    st.text(ANY_CHARACTER, min_size=25, max_size=2100),
    st.sampled_from(["", " ", "Rotterdam", "GM0599", "112", "RT-D1-01", "noodhulp"]),
)
FREE_TEXT = ("address", "caller_name", "caller_phone", "notes")
INTAKE_FIELDS = (*FREE_TEXT, "eenheid", "channel", "category", "gemeente", "basisteam")
UNIT_FIELDS = ("call_sign", "basisteam", "kind")
PROPERTY = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _post(client: TestClient, path: str, body: dict[str, Any]) -> Any:
    """JSON with \\u escapes, so a lone surrogate travels as JSON allows it."""
    return client.post(path, content=json.dumps(body), headers={"Content-Type": "application/json"})


def _refused_naming(response: Any, field: str) -> bool:
    if response.status_code != 422:
        return False
    locs = [error["loc"] for error in response.json()["detail"]]
    return any(loc[-1] == field or loc == ["body"] for loc in locs)


@PROPERTY
@given(field=st.sampled_from(INTAKE_FIELDS), value=ANY_TEXT)
def test_any_text_in_an_intake_round_trips_or_is_422(
    client: TestClient, field: str, value: str
) -> None:
    response = _post(client, f"{API}/incidents", intake_body(**{field: value}))
    assert response.status_code in (201, 422), response.text
    if response.status_code == 422:
        assert _refused_naming(response, field), response.text
        return
    stored = client.get(f"{API}/incidents/{response.json()['id']}").json()
    if field in FREE_TEXT:
        assert stored[field] == (value or None)  # an empty text is "not given"
    elif field == "eenheid":
        assert stored["eenheid"] == value
    elif field in ("channel", "category"):
        assert stored[field] == value
    elif field == "basisteam" and value.strip():
        assert stored["basisteam"]["slug"] == value.strip()


@PROPERTY
@given(field=st.sampled_from(UNIT_FIELDS), value=ANY_TEXT)
def test_any_text_in_a_new_unit_round_trips_or_is_422(
    client: TestClient, field: str, value: str
) -> None:
    body = {
        "call_sign": new_call_sign("PT"),
        "basisteam": "rotterdam-d1-charlois",
        "kind": "noodhulp",
        field: value,
    }
    response = _post(client, f"{API}/units", body)
    assert response.status_code in (201, 422), response.text
    if response.status_code == 422:
        assert _refused_naming(response, field), response.text
        return
    created = response.json()
    assert {"call_sign": created["call_sign"], "kind": created["kind"]} == {
        "call_sign": body["call_sign"],
        "kind": body["kind"],
    }
    assert created["home"]["slug"] == body["basisteam"]
