"""Issue 16 (IDOR): a citizen never reaches another's dossier, and staff only reach the
dossiers of their own teams. Every dossier route called by another citizen or by staff of
another team answers 404 — as for a number that does not exist — and the attempt is in the
audit trail; the owner and the team still get their answers. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from korps.audit.models import AuditEntry
from korps.portal.models import Dossier, Entry
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database
from tests.integration.test_portal_flow import citizen, file_online
from tests.support.auth import login_as

TEAM = "rotterdam-c1-maas-rotte"
OTHER_TEAM = "rotterdam-d2-feijenoord"  # a sibling basisteam in the same eenheid
CITIZEN_ROUTES = [
    ("GET", "/mijn/dossiers/{n}", {}),
    ("GET", "/mijn/dossiers/{n}/ontvangstbewijs", {}),
    ("POST", "/mijn/dossiers/{n}/antwoord", {"antwoord": "ik ben het niet"}),
    ("POST", "/mijn/dossiers/{n}/aanvulling", {"aanvulling": "ik ben het niet"}),
    ("GET", "/mijn/dossiers/{n}/ontvangstbewijs.pdf", {}),
    ("GET", "/mijn/dossiers/{n}/beoordeling", {}),
    ("POST", "/mijn/dossiers/{n}/beoordeling", {"geweld": "ja"}),
]
STAFF_ROUTES = [
    ("GET", "/team/dossiers/{n}", {}),
    ("POST", "/team/dossiers/{n}/status", {"status": "in-behandeling"}),
    ("POST", "/team/dossiers/{n}/bericht", {"bericht": "hallo"}),
    ("POST", "/team/dossiers/{n}/toewijzen", {}),
    ("GET", "/team/dossiers/{n}/ontvangstbewijs.pdf", {}),
    ("GET", "/team/dossiers/{n}/beoordeling", {}),
    ("POST", "/team/dossiers/{n}/beoordeling", {"geweld": "ja"}),
    (
        "POST",
        "/team/dossiers/{n}/hercontact",
        {"omschrijving": "nabellen na inzet", "contact": "e-mail"},
    ),
]


@pytest.fixture(scope="module", params=BACKENDS)
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _pg_admin: Any
) -> Iterator[tuple[Db, str]]:
    with loaded_database(request.param, tmp_path_factory.mktemp("idor"), _pg_admin) as db:
        with TestClient(create_app(db.engine)) as owner:
            citizen(owner, db, "eigenaar")
            number = file_online(owner, goed_kenmerk=["IDOR-1"])
        yield db, number


def _refusals(db: Db) -> int:
    with db.session() as session:
        return (
            session.scalar(
                select(func.count(AuditEntry.id)).where(
                    AuditEntry.entity == "dossier", AuditEntry.action.startswith("geweigerd")
                )
            )
            or 0
        )


def _state(db: Db, number: str) -> tuple[Any, ...]:
    with db.session() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.number == number))
        assert dossier is not None
        entries = session.scalar(select(func.count(Entry.id)).where(Entry.dossier_id == dossier.id))
        return dossier.status, dossier.assignee_id, entries


def _call(client: TestClient, method: str, path: str, data: dict[str, str]) -> int:
    if method == "GET":
        return client.get(path, follow_redirects=False).status_code
    return client.post(path, data=data, follow_redirects=False).status_code


@pytest.mark.parametrize(("method", "path", "data"), CITIZEN_ROUTES)
def test_another_citizen_gets_404_and_is_audited(
    setup: tuple[Db, str], method: str, path: str, data: dict[str, str]
) -> None:
    db, number = setup
    before, refused = _state(db, number), _refusals(db)
    with TestClient(create_app(db.engine)) as other:
        citizen(other, db, "nieuwsgierig")
        assert _call(other, method, path.format(n=number), data) == 404
        assert _refusals(db) == refused + 1
        # an unknown number looks exactly the same
        assert _call(other, method, path.format(n="2026-00000001"), data) == 404
    assert _state(db, number) == before
    with db.session() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(2)).all()
        attempt = last[1]
        assert attempt.actor == "nieuwsgierig" and attempt.entity_id > 0


@pytest.mark.parametrize(("method", "path", "data"), STAFF_ROUTES)
def test_staff_of_another_team_get_404_and_are_audited(
    setup: tuple[Db, str], method: str, path: str, data: dict[str, str]
) -> None:
    db, number = setup
    before, refused = _state(db, number), _refusals(db)
    with TestClient(create_app(db.engine)) as other:
        login_as(other, db.engine, role="medewerker", unit=OTHER_TEAM, username="mw-buren")
        assert _call(other, method, path.format(n=number), data) == 404
        assert _refusals(db) == refused + 1
        assert number not in other.get("/team/werkvoorraad").text
    assert _state(db, number) == before


def test_owner_team_and_district_chief_do_reach_it(setup: tuple[Db, str]) -> None:
    db, number = setup
    app = create_app(db.engine)
    with TestClient(app) as owner, TestClient(app) as team, TestClient(app) as chief:
        login_as(owner, db.engine, role="burger", unit=None, username="eigenaar")
        assert owner.get(f"/mijn/dossiers/{number}").status_code == 200
        login_as(team, db.engine, role="medewerker", unit=TEAM, username="mw-team")
        assert team.get(f"/team/dossiers/{number}").status_code == 200
        login_as(chief, db.engine, role="teamchef", unit="rotterdam-c", username="chef-district")
        assert number in chief.get("/team/werkvoorraad").text
    with db.session() as session:
        reads = session.scalars(
            select(AuditEntry.actor).where(AuditEntry.action.startswith("ingezien"))
        ).all()
        assert {"eigenaar", "mw-team"} <= set(reads)


def test_roles_are_kept_apart(setup: tuple[Db, str]) -> None:
    """Staff have no citizen pages and citizens no team pages (403 by role)."""
    db, number = setup
    app = create_app(db.engine)
    with TestClient(app) as staff, TestClient(app) as owner:
        login_as(staff, db.engine, role="medewerker", unit=TEAM, username="mw-team")
        assert staff.get(f"/mijn/dossiers/{number}").status_code == 403
        login_as(owner, db.engine, role="burger", unit=None, username="eigenaar")
        assert owner.get(f"/team/dossiers/{number}").status_code == 403
        assert owner.get("/team/werkvoorraad").status_code == 403
