"""Diversion in the live control room (SQLite and PostgreSQL): when no unit is free, the
advice for a prio-1 incident offers the units on prio-3 jobs, nearest first, as the shared
policy does with ``divert``; assigning one takes it from its prio-3 incident, which waits
again. Anything else is refused and changes nothing.

A database of its own: every Rotterdam unit is uit dienst but RT-D1-01 and RT-D2-01.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from korps.controlroom import service
from korps.controlroom.models import AuditEntry, PatrolUnit
from korps.controlroom.seed import seed_units
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database, snapshot
from tests.support.auth import login_as

API = "/api/v1/controlroom"
ON_DUTY = ("RT-D1-01", "RT-D2-01")


def _only_two_on_duty(session: Session) -> None:
    seed_units(session, eenheid="rotterdam", per_basisteam=1)
    for sign in session.scalars(select(PatrolUnit.call_sign)).all():
        if sign not in ON_DUTY:
            service.set_status(session, call_sign=sign, status="uit_dienst", actor="test")


@pytest.fixture(scope="module", params=BACKENDS)
def client(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[tuple[Db, TestClient]]:
    with (
        loaded_database(
            request.param, tmp_path_factory.mktemp("divert"), _pg_admin, then=_only_two_on_duty
        ) as db,
        TestClient(create_app(db.engine)) as test_client,
    ):
        login_as(test_client, db.engine, role="centralist", unit="rotterdam")
        yield db, test_client


def _incident(client: TestClient, category: str, **where: Any) -> int:
    body = {
        "eenheid": "rotterdam",
        "channel": "112",
        "category": category,
        "gemeente": "Rotterdam",
        "basisteam": "rotterdam-d1-charlois",
        "idempotency_key": uuid.uuid4().hex,
        **where,
    }
    response = client.post(f"{API}/incidents", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _send(client: TestClient, number: int, unit: str, **extra: Any) -> Any:
    return client.post(f"{API}/incidents/{number}/assignments", json={"unit": unit, **extra})


def test_a_prio_1_incident_takes_a_unit_from_a_prio_3_job(client: tuple[Db, TestClient]) -> None:
    db, api = client
    noise = _incident(api, "geluidsoverlast")  # prio 3, Charlois
    other = _incident(api, "geluidsoverlast")
    assert _send(api, noise, "RT-D1-01").status_code == 201
    assert _send(api, other, "RT-D2-01").status_code == 201
    assert api.post(f"{API}/units/RT-D1-01/status", json={"status": "ter_plaatse"}).status_code == (
        200
    )
    robbery = _incident(api, "overval")  # prio 1, Charlois: no unit is free
    advice = api.get(f"{API}/incidents/{robbery}/advice").json()
    assert [c["call_sign"] for c in advice["candidates"]] == ["RT-D1-01", "RT-D2-01"]
    assert {c["scope_name"] for c in advice["candidates"]} == {"afgeleid van prio 3"}
    assert advice["candidates"][0]["status"] == "ter_plaatse"
    page = api.get(f"/meldkamer/meldingen/{robbery}").text
    assert page.count('name="divert" value="true"') == 2  # the page's buttons divert too
    # without saying so, a busy unit is refused, and nothing changes
    before = snapshot(db)
    refused = _send(api, robbery, "RT-D1-01")
    assert refused.status_code == 409 and "niet vrij" in refused.json()["detail"]
    assert snapshot(db) == before
    sent = _send(api, robbery, "RT-D1-01", divert=True)
    assert sent.status_code == 201, sent.text
    assert sent.json()["status"] == "uitgegeven"
    assert [(u["call_sign"], u["scope"]) for u in sent.json()["units"]] == [
        ("RT-D1-01", "afgeleid van prio 3")
    ]
    left = api.get(f"{API}/incidents/{noise}").json()
    assert left["status"] == "nieuw"  # waits again
    assert [(u["call_sign"], u["status"]) for u in left["units"]] == [("RT-D1-01", "vrij")]
    assert left["units"][0]["released_at"]
    unit = next(u for u in api.get(f"{API}/units", params={"eenheid": "rotterdam"}).json()
                if u["call_sign"] == "RT-D1-01")  # fmt: skip
    assert (unit["status"], unit["incident_id"]) == ("uitgegeven", robbery)
    with db.session() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity == "incident", AuditEntry.entity_id == noise
            )
        ).all()
    assert "afgeleid RT-D1-01" in actions
    # the page's button: a second robbery takes the last unit on a prio-3 job
    second = _incident(api, "overval")
    form = api.post(
        f"/meldkamer/meldingen/{second}/toewijzen",
        data={"unit": "RT-D2-01", "divert": "true"},
        follow_redirects=False,
    )
    assert form.status_code in (200, 303), form.text
    assert api.get(f"{API}/incidents/{other}").json()["status"] == "nieuw"
    assert [u["call_sign"] for u in api.get(f"{API}/incidents/{second}").json()["units"]] == [
        "RT-D2-01"
    ]


def test_only_prio_1_may_take_a_unit_from_prio_3(client: tuple[Db, TestClient]) -> None:
    db, api = client
    urgent = _incident(api, "burenruzie")  # prio 2
    advice = api.get(f"{API}/incidents/{urgent}/advice").json()
    assert advice["candidates"] == [] and advice["eligible"] == 0  # no diversion for prio 2
    busy = next(
        u["call_sign"]
        for u in api.get(f"{API}/units", params={"eenheid": "rotterdam"}).json()
        if u["status"] in ("uitgegeven", "aanrijdend", "ter_plaatse")
    )
    before = snapshot(db)
    refused = _send(api, urgent, busy, divert=True)
    assert refused.status_code == 409
    assert snapshot(db) == before


def _units(api: TestClient) -> dict[str, dict[str, Any]]:
    listed = api.get(f"{API}/units", params={"eenheid": "rotterdam", "limit": 500}).json()
    return {u["call_sign"]: u for u in listed}


def test_no_unit_is_diverted_while_one_is_free(client: tuple[Db, TestClient]) -> None:
    """As the twin (``policy.rank_units``): diversion only when no unit is free. The live
    control room refuses it otherwise, naming the free unit, and changes nothing."""
    db, api = client
    units = _units(api)
    job = units["RT-D1-01"]["incident_id"]
    if job is not None:  # back from the earlier tests' robbery
        done = api.post(f"{API}/units/RT-D1-01/status", json={"status": "vrij", "incident_id": job})
        assert done.status_code == 200, done.text
    noise = _incident(api, "geluidsoverlast")
    assert _send(api, noise, "RT-D1-01").status_code == 201
    spare = next(sign for sign, u in sorted(units.items()) if u["status"] == "uit_dienst")
    on_duty = api.post(f"{API}/units/{spare}/status", json={"status": "beschikbaar"})
    assert on_duty.status_code == 200, on_duty.text
    robbery = _incident(api, "overval")
    advice = api.get(f"{API}/incidents/{robbery}/advice").json()
    assert [c["call_sign"] for c in advice["candidates"]] == [spare]  # no diversion offered
    before = snapshot(db)
    refused = _send(api, robbery, "RT-D1-01", divert=True)
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith(f"{spare} is vrij voor deze melding")
    assert snapshot(db) == before
    # once the spare is sent, nobody is free: the next robbery may take RT-D1-01
    assert _send(api, robbery, spare).status_code == 201
    second = _incident(api, "overval")
    assert _send(api, second, "RT-D1-01", divert=True).status_code == 201
    assert api.get(f"{API}/incidents/{noise}").json()["status"] == "nieuw"
