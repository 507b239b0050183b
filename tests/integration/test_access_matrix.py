"""Issue 10: every route of the app declares who may call it, and every route x every role
(and anonymous) gets exactly the answer its declaration implies. Generated from the app's
own route table, so a new route cannot be added without deciding who may use it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.controlroom.models import Incident, PatrolUnit
from korps.controlroom.seed import seed_units
from korps.identity.deps import Access, Authenticated, Public, Require
from korps.identity.pages import PendingLogin
from korps.web.app import access_of, create_app, route_table
from tests.conftest import BACKENDS, Db, loaded_database
from tests.support.auth import login_as, set_csrf

#: the callers: role and the unit of their grant (None: anonymous)
CALLERS: dict[str, tuple[str, str | None] | None] = {
    "anoniem": None,
    "beheerder": ("beheerder", "politie"),
    "planner": ("planner", "rotterdam"),
    "centralist": ("centralist", "rotterdam"),
    "centralist-elders": ("centralist", "oost-nederland"),
    "teamchef": ("teamchef", "rotterdam"),
    "medewerker": ("medewerker", "rotterdam"),
    "gezag": ("gezag", "rotterdam"),
    "burger": ("burger", None),
}
COVERS_ROTTERDAM = {"politie", "rotterdam"}


def routes(app: Any) -> list[tuple[str, APIRoute]]:
    """(full path, route) of every route: the routers of the app and its own routes."""
    return route_table(app)


@pytest.fixture(scope="module", params=BACKENDS)
def app_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _pg_admin: Any
) -> Iterator[tuple[Db, dict[str, str]]]:
    def seed(session: Session) -> None:
        seed_units(session, eenheid="rotterdam", per_basisteam=1)

    with loaded_database(request.param, tmp_path_factory.mktemp("acl"), _pg_admin, then=seed) as db:
        app = create_app(db.engine)
        with TestClient(app) as client:
            login_as(client, db.engine, role="centralist", unit="rotterdam", username="zaaier")
            made = client.post(
                "/api/v1/controlroom/incidents",
                json={
                    "eenheid": "rotterdam",
                    "channel": "112",
                    "category": "woninginbraak-heterdaad",
                    "gemeente": "Rotterdam",
                },
            )
            assert made.status_code == 201, made.text
        with db.session() as session:
            incident = session.scalar(select(Incident.id))
            call_sign = session.scalar(select(PatrolUnit.call_sign))
        values = {
            "slug": "rotterdam",
            "eenheid": "rotterdam",
            "code": "GM0599",
            "name": "rotterdam",
            "incident_id": str(incident),
            "call_sign": str(call_sign),
            "fmt": "csv",
            "indicator": "aanrijdtijd-prio-1",
            "token": "onbekend",
            "username": "zaaier",
            "file": "001_6cfd4132a7d74cba.txt",
            "session_id": "999999",
            "token_id": "999999",
            "number": "2026-00000000",
            "attachment_id": "999999",
            "soort": "afwezigheidstoezicht",
        }
        yield db, values


def _url(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{([a-z_]+)(:[a-z]+)?\}", lambda m: values[m.group(1)], path)


UNIT_PARAMS = ("{slug}", "{eenheid}", "{incident_id}", "{call_sign}")


def _expected(access: Access, caller: tuple[str, str | None] | None, path: str) -> str:
    """``ok`` (not refused), ``login`` (redirect to the login page / 401) or ``403``."""
    if isinstance(access, Public):
        return "ok"
    if caller is None:
        return "login"
    if isinstance(access, PendingLogin | Authenticated):
        return "ok"
    assert isinstance(access, Require)
    role, unit = caller
    if role not in access.roles:
        return "403"
    # every unit the test's paths name is (in) Rotterdam; a path naming none needs the role only
    concerns_rotterdam = any(param in path for param in UNIT_PARAMS)
    if access.unit is not None and concerns_rotterdam and unit not in COVERS_ROTTERDAM:
        return "403"
    return "ok"


def _answer(status: int, location: str, path: str) -> str:
    if status in (302, 303) and location.startswith("/aanmelden?volgende="):
        return "login"
    if status == 401:
        return "login"
    if status == 403:
        return "403"
    assert status < 500, f"{path}: {status}"
    return "ok"


def test_every_route_declares_its_access(app_db: tuple[Db, dict[str, str]]) -> None:
    db, _values = app_db
    app = create_app(db.engine)
    found = routes(app)
    assert len(found) > 60
    undeclared = [f"{sorted(r.methods)} {path}" for path, r in found if access_of(r) is None]
    assert undeclared == []


@pytest.mark.parametrize("caller_name", list(CALLERS))
def test_access_matrix(app_db: tuple[Db, dict[str, str]], caller_name: str) -> None:
    db, values = app_db
    app = create_app(db.engine)
    caller = CALLERS[caller_name]
    wrong: list[str] = []
    checked = 0
    with TestClient(app, follow_redirects=False) as client:
        for path, route in routes(app):
            access = access_of(route)
            assert access is not None, path
            for method in sorted(route.methods - {"HEAD"}):
                client.cookies.clear()
                set_csrf(client)
                if caller is not None:
                    role, unit = caller
                    login_as(client, db.engine, role=role, unit=unit, username=f"acl-{caller_name}")
                url = _url(path, values)
                api = url.startswith("/api/")
                kwargs: dict[str, Any] = {"json": {}} if api else {"data": {}}
                response = (
                    client.request(method, url, **kwargs) if method != "GET" else client.get(url)
                )
                got = _answer(response.status_code, response.headers.get("location", ""), url)
                want = _expected(access, caller, path)
                if api and want == "login":
                    assert response.status_code == 401 or got != "login", url
                if got != want:
                    wrong.append(f"{method} {url}: {response.status_code}, expected {want}")
                checked += 1
    assert checked > 50
    assert wrong == []
