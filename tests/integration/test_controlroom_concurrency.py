"""Two operators can never take the same unit: 20 concurrent HTTP requests against a real
uvicorn server assign one unit to 20 different incidents, and exactly one succeeds (SQLite
and PostgreSQL). The same for 20 concurrent retries of one intake: one incident."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from korps.controlroom import schemas, service
from korps.controlroom.models import Assignment, AuditEntry, Incident, PatrolUnit
from korps.controlroom.seed import seed_units
from tests.conftest import BACKENDS, Db, loaded_database
from tests.e2e.conftest import serve
from tests.support.auth import api_token

CONCURRENT = 20
API = "/api/v1/controlroom"


@pytest.fixture(params=BACKENDS)
def served(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[tuple[Db, str]]:
    def seed(session: Session) -> None:
        seed_units(session, eenheid="rotterdam", per_basisteam=1)

    with (
        loaded_database(request.param, tmp_path_factory.mktemp("race"), _pg_admin, then=seed) as db,
        serve(db.engine) as url,
    ):
        yield db, url


def operators(db: Db, count: int = CONCURRENT) -> list[str]:
    """An API token for each of ``count`` centralists of Rotterdam."""
    return [
        api_token(db.engine, role="centralist", unit="rotterdam", username=f"op{index}")
        for index in range(count)
    ]


def race(
    url: str, requests: list[tuple[str, dict[str, Any]]], tokens: list[str]
) -> list[httpx.Response]:
    """Fire the POST requests at once (a barrier releases all threads together), each as
    another operator (an API token of its own)."""
    barrier = threading.Barrier(len(requests))
    results: list[httpx.Response | BaseException] = [RuntimeError("not run")] * len(requests)

    def worker(index: int, path: str, body: dict[str, Any]) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            barrier.wait()
            try:
                headers = {"Authorization": f"Bearer {tokens[index]}"}
                results[index] = client.post(path, json=body, headers=headers)
            except BaseException as exc:  # reported below
                results[index] = exc

    threads = [
        threading.Thread(target=worker, args=(i, path, body))
        for i, (path, body) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    return [r for r in results if isinstance(r, httpx.Response)]


def test_twenty_operators_one_unit_exactly_one_wins(served: tuple[Db, str]) -> None:
    db, url = served
    with db.session() as session:
        incidents = [
            service.intake(
                session,
                data=schemas.IncidentIn(
                    eenheid="rotterdam",
                    channel="112",
                    category="overval",
                    gemeente="Rotterdam",
                    basisteam="rotterdam-d1-charlois",
                ),
                actor="test",
            )[0].id
            for _ in range(CONCURRENT)
        ]
    responses = race(
        url,
        [(f"{API}/incidents/{i}/assignments", {"unit": "RT-D1-01"}) for i in incidents],
        operators(db),
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * (CONCURRENT - 1), [r.text for r in responses]
    winner = next(r.json() for r in responses if r.status_code == 201)
    with db.session() as session:
        unit = session.scalar(select(PatrolUnit).where(PatrolUnit.call_sign == "RT-D1-01"))
        assert unit is not None
        assert (unit.status, unit.incident_id, unit.version) == ("uitgegeven", winner["id"], 2)
        assignments = session.scalars(
            select(Assignment).where(Assignment.patrol_unit_id == unit.id)
        ).all()
        assert [a.incident_id for a in assignments] == [winner["id"]]
        dispatched = session.scalar(
            select(func.count()).select_from(Incident).where(Incident.dispatched_at.is_not(None))
        )
        assert dispatched == 1
        unit_audit = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity == "unit", AuditEntry.entity_id == unit.id)
        )
        assert unit_audit == 2  # created by the seed, assigned once


def test_twenty_retries_of_one_intake_make_one_incident(served: tuple[Db, str]) -> None:
    db, url = served
    key = uuid.uuid4().hex
    body = {
        "eenheid": "rotterdam",
        "channel": "0900-8844",
        "category": "fietsdiefstal-aangifte",
        "gemeente": "Schiedam",
        "idempotency_key": key,
    }
    responses = race(url, [(f"{API}/incidents", body)] * CONCURRENT, operators(db))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * (CONCURRENT - 1) + [201], [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    with db.session() as session:
        count = session.scalar(
            select(func.count()).select_from(Incident).where(Incident.idempotency_key == key)
        )
        assert count == 1


def test_a_unit_being_assigned_elsewhere_is_refused_at_once(served: tuple[Db, str]) -> None:
    """PostgreSQL: while another transaction holds the unit's row (an assignment that has
    not committed yet), a second assignment gets 409 at once instead of waiting for it."""
    db, url = served
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no row locks: its write lock serialises assignments")
    with db.session() as session:
        number = service.intake(
            session,
            data=schemas.IncidentIn(
                eenheid="rotterdam", channel="112", category="overval", gemeente="Schiedam"
            ),
            actor="test",
        )[0].id
    with db.session() as holder:
        holder.execute(
            select(PatrolUnit).where(PatrolUnit.call_sign == "RT-D2-01").with_for_update()
        )
        (token,) = operators(db, 1)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=url, timeout=10, headers=headers) as client:
            started = time.perf_counter()
            response = client.post(
                f"{API}/incidents/{number}/assignments", json={"unit": "RT-D2-01"}
            )
            waited = time.perf_counter() - started
        holder.rollback()
    assert response.status_code == 409, response.text
    assert "wordt op dit moment door een ander toegewezen" in response.json()["detail"]
    assert waited < 5  # did not wait for the holder, which never commits
    with db.session() as session:
        unit = session.scalar(select(PatrolUnit).where(PatrolUnit.call_sign == "RT-D2-01"))
        assert unit is not None and unit.status == "beschikbaar" and unit.version == 1
