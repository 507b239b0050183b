"""Issue 9.8: a late "vrij" must not undo a diversion. A status change names the job
(``incident_id``) or the ``version`` it is about; a change meant for the job a unit was taken
from is refused with 409 and changes nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from korps.controlroom import service
from korps.controlroom.models import PatrolUnit
from korps.web.app import create_app
from tests.conftest import Db, snapshot
from tests.integration.test_hardening_fixtures import (
    API,
    api_headers,
    client,
    hardening_db,
    intake_body,
    new_call_sign,
)
from tests.support.auth import login_as

__all__ = ["api_headers", "client", "hardening_db"]


def _nobody_free(db: Db) -> None:
    """Every free Rotterdam unit goes uit dienst: a unit is only diverted from a prio-3 job
    when none is free (this module's database is its own)."""
    with db.session() as session:
        for unit in session.scalars(
            select(PatrolUnit).where(PatrolUnit.status.in_(("beschikbaar", "vrij")))
        ).all():
            service.set_status(session, call_sign=unit.call_sign, status="uit_dienst", actor="test")


@pytest.fixture
def diverted(hardening_db: Db, client: TestClient) -> dict[str, Any]:
    """A unit sent to a prio-3 job, then diverted to a prio-1 one (not yet acknowledged)."""
    _nobody_free(hardening_db)
    sign = new_call_sign("DV")
    made = client.post(
        f"{API}/units",
        json={"call_sign": sign, "basisteam": "rotterdam-d1-charlois", "status": "beschikbaar"},
    )
    assert made.status_code == 201, made.text
    noise = client.post(f"{API}/incidents", json=intake_body(category="geluidsoverlast")).json()
    assert client.post(f"{API}/incidents/{noise['id']}/assignments", json={"unit": sign}).is_success
    seen = client.get(f"{API}/units", params={"eenheid": "rotterdam"}).json()
    version_seen = next(u["version"] for u in seen if u["call_sign"] == sign)
    robbery = client.post(f"{API}/incidents", json=intake_body(category="overval")).json()
    sent = client.post(
        f"{API}/incidents/{robbery['id']}/assignments", json={"unit": sign, "divert": True}
    )
    assert sent.status_code == 201, sent.text
    return {"unit": sign, "old": noise["id"], "new": robbery["id"], "version": version_seen}


def _unit(client: TestClient, sign: str) -> dict[str, Any]:
    units = client.get(f"{API}/units", params={"eenheid": "rotterdam"}).json()
    return next(u for u in units if u["call_sign"] == sign)


def test_a_late_vrij_without_naming_the_job_is_409(
    hardening_db: Db, client: TestClient, diverted: dict[str, Any]
) -> None:
    sign, new = diverted["unit"], diverted["new"]
    before = snapshot(hardening_db)
    for _try in range(3):
        late = client.post(f"{API}/units/{sign}/status", json={"status": "vrij"})
        assert late.status_code == 409
        assert late.json()["detail"] == (
            f"{sign} is afgeleid naar melding {new}: noem de melding (incident_id) of de "
            "versie (version) waarop deze statuswijziging slaat"
        )
    assert snapshot(hardening_db) == before
    assert (_unit(client, sign)["status"], _unit(client, sign)["incident_id"]) == (
        "uitgegeven",
        new,
    )


def test_a_vrij_for_the_old_job_or_an_old_version_is_409(
    hardening_db: Db, client: TestClient, diverted: dict[str, Any]
) -> None:
    sign, old, new = diverted["unit"], diverted["old"], diverted["new"]
    before = snapshot(hardening_db)
    named = client.post(f"{API}/units/{sign}/status", json={"status": "vrij", "incident_id": old})
    assert named.status_code == 409
    assert named.json()["detail"] == (
        f"{sign} is inmiddels op melding {new}, niet op melding {old}: statuswijziging geweigerd"
    )
    stale = client.post(
        f"{API}/units/{sign}/status", json={"status": "vrij", "version": diverted["version"]}
    )
    assert stale.status_code == 409
    assert "gewijzigd sinds versie" in stale.json()["detail"]
    assert snapshot(hardening_db) == before


def test_changes_that_name_the_new_job_go_through(
    client: TestClient, diverted: dict[str, Any]
) -> None:
    sign, new = diverted["unit"], diverted["new"]
    path = f"{API}/units/{sign}/status"
    assert client.post(path, json={"status": "aanrijdend", "incident_id": new}).status_code == 200
    assert client.post(path, json={"status": "ter_plaatse"}).status_code == 200  # acknowledged
    done = client.post(path, json={"status": "vrij", "incident_id": new})
    assert done.status_code == 200
    assert client.get(f"{API}/incidents/{new}").json()["status"] == "afgesloten"


@pytest.fixture
def page(hardening_db: Db) -> Iterator[TestClient]:
    with TestClient(create_app(hardening_db.engine)) as browser:
        login_as(browser, hardening_db.engine, role="centralist", unit="rotterdam")
        yield browser


def test_the_old_jobs_page_cannot_free_a_diverted_unit(
    hardening_db: Db, page: TestClient, client: TestClient, diverted: dict[str, Any]
) -> None:
    sign, old, new = diverted["unit"], diverted["old"], diverted["new"]
    before = snapshot(hardening_db)
    response = page.post(
        f"/meldkamer/meldingen/{old}/status", data={"unit": sign, "status": "vrij"}
    )
    assert response.status_code == 409
    assert f"inmiddels op melding {new}" in response.text
    assert snapshot(hardening_db) == before
