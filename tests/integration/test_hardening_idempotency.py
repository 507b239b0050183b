"""Issue 9.4: an idempotency key reused with another body is refused (422) by the stored
request fingerprint; the same body under the same key gives the same answer, writing nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from korps.controlroom.models import Incident
from tests.conftest import Db, snapshot
from tests.integration.test_hardening_fixtures import (
    API,
    api_headers,
    client,
    hardening_db,
    intake_body,
)

__all__ = ["api_headers", "client", "hardening_db"]


def test_the_same_body_under_a_used_key_gives_the_same_answer(
    hardening_db: Db, client: TestClient
) -> None:
    data = intake_body(notes="eerste")
    first = client.post(f"{API}/incidents", json=data)
    assert first.status_code == 201
    before = snapshot(hardening_db)
    again = client.post(f"{API}/incidents", json=dict(reversed(list(data.items()))))
    assert again.status_code == 200
    assert again.json() == first.json()
    assert snapshot(hardening_db) == before


def test_another_body_under_a_used_key_is_422_and_writes_nothing(
    hardening_db: Db, client: TestClient
) -> None:
    data = intake_body()
    first = client.post(f"{API}/incidents", json=data)
    assert first.status_code == 201
    before = snapshot(hardening_db)
    variants = [
        {"notes": "tweede poging"},
        {"priority": 3},
        {"address": "Wolphaertsbocht 101"},
        {"category": "burenruzie"},
        {"lat": 51.8835, "lon": 4.4783},
    ]
    for change in variants:
        refused = client.post(f"{API}/incidents", json={**data, **change})
        assert refused.status_code == 422, change
        error = refused.json()["detail"][0]
        assert error["loc"] == ["body", "idempotency_key"]
        assert error["msg"] == (
            f"sleutel al gebruikt voor melding {first.json()['id']} met een andere inhoud; "
            "gebruik een nieuwe sleutel voor een nieuwe melding"
        )
    assert snapshot(hardening_db) == before
    with hardening_db.session() as session:
        count = session.scalar(
            select(func.count())
            .select_from(Incident)
            .where(Incident.idempotency_key == data["idempotency_key"])
        )
    assert count == 1


def test_forty_bodies_under_one_key_make_one_incident_and_39_refusals(
    hardening_db: Db, client: TestClient
) -> None:
    data = intake_body()
    answers = [
        client.post(f"{API}/incidents", json={**data, "notes": f"poging {i}"}).status_code
        for i in range(40)
    ]
    assert answers == [201] + [422] * 39
