"""The control room through its service and JSON API, on SQLite and PostgreSQL: intake,
idempotency, locations, advice, transitions, assignment, closing, refused input.

One database per backend with every bundled dataset and two noodhulp units per Rotterdam
basisteam (RT-A1-01 ... RT-F4-02). Tests change it, so each works in a part of the unit of
its own (named in the test) and asserts only about that part.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text

from korps.controlroom import closing, schemas, service, units
from korps.controlroom.advice import advise
from korps.controlroom.errors import ConflictError, InputError
from korps.controlroom.models import AuditEntry, Incident, PatrolUnit
from korps.controlroom.seed import seed_units
from korps.dispatch.travel import MEAN_DISTANCE_IN_SQUARE
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database, snapshot
from tests.support.auth import login_as

API = "/api/v1/controlroom"


@pytest.fixture(scope="module", params=BACKENDS)
def cr_db(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[Db]:
    with loaded_database(
        request.param,
        tmp_path_factory.mktemp("controlroom"),
        _pg_admin,
        then=lambda session: seed_units(session, eenheid="rotterdam", per_basisteam=2),
    ) as db:
        yield db


@pytest.fixture(scope="module")
def client(cr_db: Db) -> Iterator[TestClient]:
    with TestClient(create_app(cr_db.engine)) as test_client:
        login_as(test_client, cr_db.engine, role="centralist", unit="rotterdam")
        yield test_client


def body(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "eenheid": "rotterdam",
        "channel": "112",
        "category": "woninginbraak-heterdaad",
        "gemeente": "Rotterdam",
        "basisteam": "rotterdam-d1-charlois",
        "address": "Wolphaertsbocht 100",
        "idempotency_key": uuid.uuid4().hex,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def incident(db: Db, **overrides: Any) -> int:
    with db.session() as session:
        created, new = service.intake(
            session, data=schemas.IncidentIn(**body(**overrides)), actor="test"
        )
        assert new
        return created.id


def test_seeded_units(cr_db: Db) -> None:
    with cr_db.session() as session:
        signs = session.scalars(select(PatrolUnit.call_sign).order_by(PatrolUnit.call_sign)).all()
    assert len(signs) == 34  # 17 basisteams with coverage; Havens (port) has no location
    assert {"RT-D1-01", "RT-D1-02", "RT-F4-02"} <= set(signs)
    assert not any("HAVENS" in s for s in signs)


def test_intake_resolves_basisteam_and_district_and_default_priority(client: TestClient) -> None:
    # a name the client sends is never taken as who did it: the logged-in user is
    response = client.post(f"{API}/incidents", json=body(), headers={"X-Operator": "anna"})
    assert response.status_code == 201
    data = response.json()
    assert data["basisteam"] == {"slug": "rotterdam-d1-charlois", "name": "Charlois"}
    assert data["district"]["slug"] == "rotterdam-d"
    assert (data["priority"], data["status"], data["created_by"]) == (
        1,
        "nieuw",
        "centralist-rotterdam",
    )
    assert data["norm_minutes"] == 15
    assert client.get(f"{API}/incidents/{data['id']}").json()["gemeente"] == "Rotterdam"
    # the category gives the default priority; an explicit one overrides it
    assert client.post(f"{API}/incidents", json=body(category="burenruzie")).json()["priority"] == 2
    overridden = client.post(f"{API}/incidents", json=body(category="burenruzie", priority=1))
    assert overridden.json()["priority"] == 1


def test_split_municipality_takes_the_largest_share_unless_the_operator_names_one(
    client: TestClient,
) -> None:
    by_name = client.post(f"{API}/incidents", json=body(basisteam=None, gemeente="rotterdam"))
    assert by_name.json()["basisteam"]["slug"] == "rotterdam-c1-maas-rotte"  # share 0.2383
    by_code = client.post(f"{API}/incidents", json=body(basisteam=None, gemeente="GM0606"))
    assert by_code.json()["basisteam"]["slug"] == "rotterdam-a2-schiedam"
    near = client.post(f"{API}/incidents", json=body(lat=51.8835, lon=4.4783))  # Charlois
    assert near.status_code == 201


def test_a_retried_intake_returns_the_first_incident(cr_db: Db, client: TestClient) -> None:
    data = body()
    first = client.post(f"{API}/incidents", json=data)
    with cr_db.session() as session:
        before = session.scalar(select(func.count()).select_from(Incident))
    again = client.post(f"{API}/incidents", json=data)  # the same body: the same answer
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["notes"] is None
    # another body under the same key: test_hardening_idempotency.py (422, nothing written)
    with cr_db.session() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"category": "onbekend"}, "category", "onbekende classificatie 'onbekend'"),
        ({"channel": "fax"}, "channel", "kanaal 'fax' bestaat niet voor Eenheid Rotterdam"),
        ({"gemeente": "Utrecht", "basisteam": None}, "gemeente", "ligt buiten het gebied"),
        ({"gemeente": "Atlantis"}, "gemeente", "onbekende gemeente"),
        ({"lat": 52.0907, "lon": 5.1214}, "lat", "ligt buiten het gebied"),
        ({"lat": 51.9}, "lon", "geef breedte- én lengtegraad, of geen"),
        ({"basisteam": "rotterdam-a1-waterweg"}, "basisteam", "dekt Rotterdam niet"),
        ({"notes": "x" * 2001}, "notes", "notities: maximaal 2000 tekens"),
        ({"eenheid": "nergens"}, "eenheid", "onbekende eenheid"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    cr_db: Db, client: TestClient, overrides: dict[str, Any], field: str, message: str
) -> None:
    before = snapshot(cr_db)
    response = client.post(f"{API}/incidents", json=body(**overrides))
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", field]
    assert message in error["msg"]
    assert snapshot(cr_db) == before


def test_advice_follows_the_shared_policy(cr_db: Db, client: TestClient) -> None:
    """Dordrecht (F3, district F): prio 1 takes the nearest unit anywhere, prio 3 only its own."""
    prio1 = incident(cr_db, gemeente="Dordrecht", basisteam=None)
    listed = client.get(f"{API}/incidents/{prio1}/advice").json()
    assert len(listed["candidates"]) == 10 and listed["eligible"] == 34  # every unit, prio 1
    advice = client.get(f"{API}/incidents/{prio1}/advice", params={"limit": 100}).json()
    signs = [c["call_sign"] for c in advice["candidates"]]
    assert signs[:10] == [c["call_sign"] for c in listed["candidates"]]
    assert len(advice["candidates"]) == 34
    first = advice["candidates"][:4]
    assert [c["call_sign"] for c in first] == ["RT-F3-01", "RT-F3-02", "RT-F2-01", "RT-F2-02"]
    assert [c["scope_name"] for c in first] == ["eigen basisteam"] * 2 + ["district"] * 2
    # within an area: 0.5214 x sqrt(99.47 km2) x detour 1.3 at 70 km/h
    within = MEAN_DISTANCE_IN_SQUARE * 99.47**0.5 * 1.3 / 70 * 60
    assert first[0]["travel_minutes"] == pytest.approx(within, abs=0.01)
    assert first[0]["meets_norm"] is True and advice["norm_minutes"] == 15
    travel = [c["travel_minutes"] for c in advice["candidates"]]
    assert travel == sorted(travel)
    assert advice["candidates"][-1]["meets_norm"] is False  # Goeree-Overflakkee is far away
    assert {c["scope_name"] for c in advice["candidates"]} == {
        "eigen basisteam",
        "district",
        "opschaling",
    }
    prio3 = incident(cr_db, gemeente="Dordrecht", basisteam=None, category="geluidsoverlast")
    only_own = client.get(f"{API}/incidents/{prio3}/advice").json()
    assert [c["call_sign"] for c in only_own["candidates"]] == ["RT-F3-01", "RT-F3-02"]
    assert only_own["eligible"] == 2
    assert only_own["norm_minutes"] is None
    assert {c["meets_norm"] for c in only_own["candidates"]} == {None}


def test_assignment_transitions_and_response_time(cr_db: Db, client: TestClient) -> None:
    """Hoeksche Waard (F1): the full life of an incident, measured."""
    received = datetime.now(UTC) - timedelta(minutes=9)
    created = client.post(
        f"{API}/incidents",
        json=body(gemeente="Hoeksche Waard", basisteam=None, received_at=received.isoformat()),
    ).json()
    number = created["id"]
    assert client.get(f"{API}/incidents/{number}/advice").json()["candidates"][0]["call_sign"] == (
        "RT-F1-01"
    )
    sent = client.post(f"{API}/incidents/{number}/assignments", json={"unit": "RT-F1-01"})
    assert sent.status_code == 201
    assert sent.json()["status"] == "uitgegeven" and sent.json()["dispatched_at"]
    assert sent.json()["units"][0]["scope"] == "eigen basisteam"
    # the same unit cannot go twice; a second unit can
    again = client.post(f"{API}/incidents/{number}/assignments", json={"unit": "RT-F1-01"})
    assert again.status_code == 409 and "niet vrij" in again.json()["detail"]
    assert (
        client.post(f"{API}/incidents/{number}/assignments", json={"unit": "RT-F1-02"}).status_code
        == 201
    )
    # out of order: refused with a message, nothing changed
    before = snapshot(cr_db)
    wrong = client.post(f"{API}/units/RT-F1-01/status", json={"status": "beschikbaar"})
    assert wrong.status_code == 409
    assert "uitgegeven -> beschikbaar is niet toegestaan" in wrong.json()["detail"]
    assert snapshot(cr_db) == before
    for status in ("aanrijdend", "ter_plaatse"):
        assert (
            client.post(f"{API}/units/RT-F1-01/status", json={"status": status}).status_code == 200
        )
    on_scene = client.get(f"{API}/incidents/{number}").json()
    assert on_scene["status"] == "ter_plaatse"
    assert on_scene["response_minutes"] == pytest.approx(9, abs=0.2)
    assert on_scene["within_norm"] is True
    # the incident cannot be closed while units are on it
    assert client.post(f"{API}/incidents/{number}/close").status_code == 409
    assert client.post(f"{API}/units/RT-F1-02/status", json={"status": "vrij"}).status_code == 200
    assert client.get(f"{API}/incidents/{number}").json()["status"] == "ter_plaatse"
    assert client.post(f"{API}/units/RT-F1-01/status", json={"status": "vrij"}).status_code == 200
    closed = client.get(f"{API}/incidents/{number}").json()
    assert closed["status"] == "afgesloten" and closed["cleared_at"]
    assert [u["status"] for u in closed["units"]] == ["vrij", "vrij"]
    assert client.get(f"{API}/incidents/{number}/advice").status_code == 409
    # a freed unit is free where it was; back at base it is beschikbaar at home
    unit = client.post(f"{API}/units/RT-F1-01/status", json={"status": "beschikbaar"}).json()
    assert unit["location"]["slug"] == unit["home"]["slug"] == "rotterdam-f1-hoeksche-waard"
    timeline = client.get(f"{API}/incidents/{number}/timeline").json()
    actions = [(e["entity"], e["action"]) for e in timeline]
    assert actions[0] == ("incident", "aangemaakt")
    assert ("incident", "toegewezen RT-F1-01") in actions
    assert all(e["actor"] == "centralist-rotterdam" for e in timeline)


def test_a_unit_uit_dienst_cannot_be_assigned_and_changes_nothing(
    cr_db: Db, client: TestClient
) -> None:
    """Lek en Merwede (F4)."""
    assert client.post(
        f"{API}/units/RT-F4-02/status", json={"status": "uit_dienst"}
    ).status_code == (200)
    number = incident(cr_db, gemeente="Gorinchem", basisteam=None)
    advice = client.get(f"{API}/incidents/{number}/advice").json()
    assert "RT-F4-02" not in [c["call_sign"] for c in advice["candidates"]]
    before = snapshot(cr_db)
    refused = client.post(f"{API}/incidents/{number}/assignments", json={"unit": "RT-F4-02"})
    assert refused.status_code == 409
    assert refused.json()["detail"] == "RT-F4-02 is uit dienst en kan niet worden toegewezen"
    assert snapshot(cr_db) == before
    stale = client.post(
        f"{API}/incidents/{number}/assignments", json={"unit": "RT-F4-01", "version": 0}
    )
    assert stale.status_code == 409 and "gewijzigd sinds versie 0" in stale.json()["detail"]
    assert client.post(
        f"{API}/units/RT-F4-02/status", json={"status": "ter_plaatse"}
    ).status_code == (409)
    assert client.post(f"{API}/units/NOPE-1/status", json={"status": "vrij"}).status_code == 404
    assert client.get(f"{API}/incidents/999999").status_code == 404


def test_close_an_incident_without_units(cr_db: Db) -> None:
    number = incident(cr_db, gemeente="Nissewaard", basisteam=None, category="gevonden-voorwerp")
    with cr_db.session() as session:
        closed = closing.close_incident(
            session, incident_id=number, actor="test", reason="telefonisch"
        )
        assert closed.status == "afgesloten" and closed.arrived_at is None
        assert closed.close_reason == "telefonisch"
        with pytest.raises(ConflictError, match="al afgesloten"):
            closing.close_incident(session, incident_id=number, actor="test", reason="dubbel")
        with pytest.raises(ConflictError, match="is afgesloten"):
            advise(session, incident_id=number)


def test_audit_log_only_grows(cr_db: Db) -> None:
    """Rows once written never change; every transition appends (Voorne aan Zee, E1)."""
    with cr_db.engine.connect() as connection:
        before = connection.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)).all()
    number = incident(cr_db, gemeente="Voorne aan Zee", basisteam=None)
    with cr_db.session() as session:
        service.assign(session, incident_id=number, call_sign="RT-E1-01", actor="piet")
        for status in ("aanrijdend", "ter_plaatse", "vrij"):
            service.set_status(session, call_sign="RT-E1-01", status=status, actor="piet")
        with pytest.raises(ConflictError):
            service.set_status(session, call_sign="RT-E1-01", status="ter_plaatse", actor="x")
    with cr_db.engine.connect() as connection:
        after = connection.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)).all()
    assert after[: len(before)] == before
    added = after[len(before) :]
    # created; assigned (unit + incident); aanrijdend; ter plaatse (unit + incident); vrij (both)
    assert [(r.entity, r.action) for r in added] == [
        ("incident", "aangemaakt"),
        ("unit", "toegewezen"),
        ("incident", "toegewezen RT-E1-01"),
        ("unit", "status"),
        ("unit", "status"),
        ("incident", "status RT-E1-01"),
        ("unit", "status"),
        ("incident", "status RT-E1-01"),
    ]
    assert {r.actor for r in added[1:]} == {"piet"}
    assert added[-1].before["status"] == "ter_plaatse"
    assert added[-1].after["status"] == "afgesloten"
    assert added[-2].after["status"] == "vrij" and added[-2].after["incident_id"] is None


def test_no_code_path_updates_or_deletes_the_audit_log() -> None:
    from pathlib import Path

    import korps

    root = Path(korps.__file__).parent
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for forbidden in (
            "update(AuditEntry",
            "delete(AuditEntry",
            "audit_entry SET",
            "FROM audit_entry",
        ):
            assert forbidden not in text, f"{path} touches the audit log: {forbidden}"


def test_service_errors_are_typed(cr_db: Db) -> None:
    with cr_db.session() as session:
        with pytest.raises(InputError) as error:
            service.intake(session, data=schemas.IncidentIn(**body(category="nope")), actor="test")
        assert error.value.field == "category"
        with pytest.raises(InputError, match="ligt in de toekomst"):
            later = datetime.now(UTC) + timedelta(hours=1)
            service.intake(session, data=schemas.IncidentIn(**body(received_at=later)), actor="t")
        with pytest.raises(InputError, match="bestaat al"):
            units.create_unit(
                session,
                data=schemas.UnitIn(call_sign="RT-D1-01", basisteam="rotterdam-d1-charlois"),
                actor="t",
            )
        with pytest.raises(InputError, match="dekt geen gemeente"):
            units.create_unit(
                session,
                data=schemas.UnitIn(call_sign="RT-HV-01", basisteam="rotterdam-zhp-havens"),
                actor="t",
            )
        with pytest.raises(ConflictError, match="door haar aan een melding toe te wijzen"):
            service.set_status(session, call_sign="RT-D3-01", status="uitgegeven", actor="t")


def test_units_and_board_api(client: TestClient) -> None:
    created = client.post(
        f"{API}/units",
        json={"call_sign": "RT-D3-90", "basisteam": "rotterdam-d3-ijsselmonde", "kind": "motor"},
    )
    assert created.status_code == 201 and created.json()["status"] == "uit_dienst"
    bad = client.post(f"{API}/units", json={"call_sign": "rt d3", "basisteam": "x"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "call_sign"]
    units = client.get(f"{API}/units", params={"eenheid": "rotterdam"}).json()
    assert "RT-D3-90" in [u["call_sign"] for u in units]
    board = client.get(f"{API}/board", params={"eenheid": "rotterdam"}).json()
    assert set(board["units"]) == {
        "beschikbaar",
        "vrij",
        "uitgegeven",
        "aanrijdend",
        "ter_plaatse",
        "uit_dienst",
    }
    priorities = [i["priority"] for i in board["incidents"]]
    assert priorities == sorted(priorities)
    assert all(i["status"] != "afgesloten" for i in board["incidents"])
    reference = client.get(f"{API}/reference").json()
    assert {c["code"] for c in reference["channels"]} == {
        "112",
        "0900-8844",
        "101",
        "online",
        "online-be",
        "desk",
    }
    assert client.get(f"{API}/board", params={"eenheid": "nergens"}).status_code == 404


def test_reading_a_callers_details_is_audited(client: TestClient, cr_db: Db) -> None:
    """Issue 10: a read of personal data (the caller's name and phone) is on record."""
    made = client.post(f"{API}/incidents", json=body(caller_name="P. Jansen", caller_phone="0612"))
    number = made.json()["id"]
    with cr_db.engine.connect() as connection:
        query = text(
            "SELECT actor FROM audit_entry WHERE entity = 'incident' AND entity_id = :id "
            "AND action = 'ingezien: gegevens melder'"
        )
        before = connection.execute(query, {"id": number}).all()
        assert client.get(f"{API}/incidents/{number}").json()["caller_name"] == "P. Jansen"
        assert client.get(f"/meldkamer/meldingen/{number}").status_code == 200
        after = connection.execute(query, {"id": number}).all()
    assert len(after) == len(before) + 2
    assert {row[0] for row in after} == {"centralist-rotterdam"}
