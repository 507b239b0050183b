"""Issue 10: logging in to the web app with the organisation account (OpenID Connect SSO)
against a real provider (npm's oidc-provider, started by the ``oidc_provider`` fixture), on
SQLite and PostgreSQL: users are found by issuer and subject, created only when the provider's
groups map to roles, their SSO grants follow the groups, and every refusal is a Dutch 4xx."""

from __future__ import annotations

import html
import json
import re
import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from korps.audit.models import AuditEntry
from korps.config import get_settings
from korps.identity.deps import SESSION_COOKIE
from korps.identity.models import Grant, LoginSession, OidcLogin, User
from korps.identity.oidc_pages import NO_LOGIN, NO_ROLE, OIDC_COOKIE
from korps.identity.secrets import digest
from korps.identity.service import grant, revoke, set_disabled
from korps.organisation.loader import load
from korps.organisation.models import Unit
from korps.web.app import create_app
from tests.conftest import Db
from tests.support.auth import set_csrf
from tests.support.oidc_fixture import OidcProvider, login_at_provider

ROLE_MAP = {
    "korps-centralist-rotterdam": ["centralist@rotterdam"],
    "korps-planner-rotterdam": ["planner@rotterdam", "gezag@rotterdam"],
}
Configure = Callable[..., None]


@pytest.fixture
def db(empty_db: Db) -> Db:
    with empty_db.session() as session:
        load(session, name_or_path="gemeenten")
        load(session, name_or_path="nederland")  # holds the eenheid rotterdam
    return empty_db


@pytest.fixture
def configure(oidc_provider: OidcProvider, monkeypatch: pytest.MonkeyPatch) -> Iterator[Configure]:
    """Set the KORPS_OIDC_* variables for the provider (``role_map``, or other values)."""

    def setup(role_map: dict[str, list[str]] | None = None, **changes: str) -> None:
        values = {
            "ISSUER": oidc_provider.issuer,
            "CLIENT_ID": oidc_provider.client_id,
            "CLIENT_SECRET": oidc_provider.client_secret,
            "REDIRECT_URI": oidc_provider.redirect_uri,
            "ROLE_MAP": json.dumps(ROLE_MAP if role_map is None else role_map),
        } | changes
        for name, value in values.items():
            monkeypatch.setenv(f"KORPS_OIDC_{name}", value)
        get_settings.cache_clear()

    setup()
    yield setup
    get_settings.cache_clear()


def new_client(db: Db, provider: OidcProvider) -> TestClient:
    """A browser on the host of the provider's registered redirect URI."""
    base = provider.redirect_uri.split("/aanmelden")[0]
    client = TestClient(create_app(db.engine), base_url=base, follow_redirects=False)
    set_csrf(client)
    return client


@pytest.fixture
def client(db: Db, oidc_provider: OidcProvider, configure: Configure) -> Iterator[TestClient]:
    with new_client(db, oidc_provider) as test_client:
        yield test_client


def start(client: TestClient, volgende: str | None = None) -> httpx.Response:
    params = {"volgende": volgende} if volgende else None
    response: httpx.Response = client.get("/aanmelden/oidc", params=params)
    assert response.status_code == 303, response.text
    return response


def at_provider(provider: OidcProvider, started: httpx.Response, username: str) -> str:
    """The callback URL the provider sends the browser back to after ``username`` logs in."""
    return login_at_provider(
        started.headers["location"],
        username=username,
        password=provider.accounts[username].password,
        redirect_uri=provider.redirect_uri,
    )


def sso_login(
    client: TestClient, provider: OidcProvider, username: str, volgende: str | None = None
) -> httpx.Response:
    response: httpx.Response = client.get(at_provider(provider, start(client, volgende), username))
    return response


def count(db: Db, model: Any) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def grants_of(db: Db, username: str) -> list[tuple[str, str, str]]:
    with db.session() as session:
        rows = session.execute(
            select(Grant.role, Unit.slug, Grant.source)
            .join(User, User.id == Grant.user_id)
            .join(Unit, Unit.id == Grant.unit_id)
            .where(User.username == username)
            .order_by(Grant.role)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def audit_actions(db: Db, username: str) -> list[str]:
    with db.session() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        return list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.entity == "user", AuditEntry.entity_id == user_id)
                .order_by(AuditEntry.id)
            )
        )


def test_mapped_user_is_created_enrols_totp_and_is_found_again(
    client: TestClient, db: Db, oidc_provider: OidcProvider
) -> None:
    assert 'href="/aanmelden/oidc?volgende=' in client.get("/aanmelden").text
    started = start(client)
    cookie = started.headers["set-cookie"]
    assert cookie.startswith(f"{OIDC_COOKIE}=")
    for attribute in ("HttpOnly", "Max-Age=600", "Path=/aanmelden/oidc", "SameSite=lax"):
        assert attribute.lower() in cookie.lower()
    assert "secure" not in cookie.lower()  # plain http on 127.0.0.1
    handle = started.cookies[OIDC_COOKIE]
    with db.session() as session:  # the browser holds the handle, the database its digest
        row = session.scalars(select(OidcLogin)).one()
        assert row.digest == digest(handle) and row.code_verifier not in started.headers["location"]

    done = client.get(at_provider(oidc_provider, started, "centralist1"))
    assert done.status_code == 303 and done.headers["location"] == "/account/totp"
    assert SESSION_COOKIE in done.cookies
    assert count(db, OidcLogin) == 0  # used once
    with db.session() as session:
        user = session.scalars(select(User)).one()
        assert user.username == "centralist1" and user.name == "Centralist Eén"
        assert user.oidc_subject == f"{oidc_provider.issuer} centralist1"
        assert user.password_hash is None and user.email is None
    assert grants_of(db, "centralist1") == [("centralist", "rotterdam", "oidc")]
    # a changing role: nothing opens before TOTP is set up
    assert client.get("/meldkamer/rotterdam").headers["location"] == "/account/totp"
    enrol = client.get("/account/totp")
    secret = re.search(r'id="totp-sleutel">([A-Z2-7]+)<', enrol.text)
    assert secret is not None
    done_totp = client.post("/account/totp", data={"code": pyotp.TOTP(secret.group(1)).now()})
    codes = re.findall(r"<li><code>([0-9a-f]{8}-[0-9a-f]{8})</code></li>", done_totp.text)
    assert done_totp.status_code == 200 and len(codes) == 10
    assert client.get("/meldkamer/rotterdam").status_code == 200
    assert client.post("/afmelden").status_code == 303

    again = sso_login(client, oidc_provider, "centralist1")
    assert again.headers["location"] == "/aanmelden/totp"  # the same user, TOTP now asked
    assert client.post("/aanmelden/totp", data={"code": codes[0]}).status_code == 303
    assert client.get("/meldkamer/rotterdam").status_code == 200
    assert count(db, User) == 1 and count(db, Grant) == 1
    actions = audit_actions(db, "centralist1")
    for action in ("aangemaakt", "gekoppeld aan SSO", "rol toegekend", "aanmelding via SSO"):
        assert action in actions
    assert actions.count("aanmelding via SSO") == 2 and actions.count("rol toegekend") == 1


def test_no_mapped_group_is_refused_and_creates_nobody(
    client: TestClient, db: Db, oidc_provider: OidcProvider
) -> None:
    refused = sso_login(client, oidc_provider, "zondergroep1")
    assert refused.status_code == 403 and NO_ROLE in refused.text
    assert SESSION_COOKIE not in refused.cookies
    assert count(db, User) == 0 and count(db, LoginSession) == 0 and count(db, OidcLogin) == 0


def test_callback_without_started_login_or_replayed_is_refused(
    client: TestClient, db: Db, oidc_provider: OidcProvider
) -> None:
    bare = client.get("/aanmelden/oidc/terug", params={"code": "x", "state": "y"})
    assert bare.status_code == 400 and NO_LOGIN in bare.text
    client.cookies.set(OIDC_COOKIE, "verzonnen", path="/aanmelden/oidc")
    assert client.get("/aanmelden/oidc/terug?code=x&state=y").status_code == 400

    started = start(client)
    handle = started.cookies[OIDC_COOKIE]
    callback = at_provider(oidc_provider, started, "centralist1")
    assert client.get(callback).status_code == 303
    sessions_after_login = count(db, LoginSession)
    # the same callback with the same handle again: the started login is gone
    with new_client(db, oidc_provider) as replayer:
        replayer.cookies.set(OIDC_COOKIE, handle, path="/aanmelden/oidc")
        replay = replayer.get(callback)
        assert replay.status_code == 400 and NO_LOGIN in replay.text
        # ... and with a login of its own: the state does not match
        start(replayer)
        mixed = replayer.get(callback)
        assert mixed.status_code == 400 and "hoort niet bij deze sessie" in mixed.text
        assert SESSION_COOKIE not in replay.cookies and SESSION_COOKIE not in mixed.cookies
    # a refusal by the provider (error in the callback) is a 400 page too, never a 500
    state = re.search(r"state=([^&]+)", start(client).headers["location"])
    assert state is not None
    denied = client.get(f"/aanmelden/oidc/terug?error=access_denied&state={state.group(1)}")
    assert denied.status_code == 400 and "weigerde de aanmelding" in denied.text
    assert count(db, LoginSession) == sessions_after_login


def test_removed_group_mapping_revokes_only_the_sso_grant(
    db: Db, oidc_provider: OidcProvider, configure: Configure
) -> None:
    with new_client(db, oidc_provider) as client:
        assert sso_login(client, oidc_provider, "planner1").status_code == 303
    assert grants_of(db, "planner1") == [
        ("gezag", "rotterdam", "oidc"),
        ("planner", "rotterdam", "oidc"),
    ]
    with db.session() as session:  # a beheerder adds a role by hand
        grant(session, username="planner1", role="teamchef", unit="rotterdam", actor="beheerder")
        session.commit()

    configure({"korps-planner-rotterdam": ["gezag@rotterdam"]})
    with new_client(db, oidc_provider) as client:
        assert sso_login(client, oidc_provider, "planner1").status_code == 303
    assert grants_of(db, "planner1") == [
        ("gezag", "rotterdam", "oidc"),
        ("teamchef", "rotterdam", "handmatig"),
    ]
    assert "rol ingetrokken" in audit_actions(db, "planner1")

    configure({"korps-centralist-rotterdam": ["centralist@rotterdam"]})  # planner group unmapped
    with new_client(db, oidc_provider) as client:
        assert sso_login(client, oidc_provider, "planner1").status_code == 303  # teamchef left
    assert grants_of(db, "planner1") == [("teamchef", "rotterdam", "handmatig")]
    assert count(db, User) == 1

    with db.session() as session:  # without the hand-given role nothing is left: refused
        revoke(session, username="planner1", role="teamchef", unit="rotterdam", actor="beheerder")
        session.commit()
    with new_client(db, oidc_provider) as client:
        nothing = sso_login(client, oidc_provider, "planner1")
        assert nothing.status_code == 403 and NO_ROLE in nothing.text
        assert SESSION_COOKIE not in nothing.cookies

    with db.session() as session:
        set_disabled(session, username="planner1", disabled=True, actor="beheerder")
        session.commit()
    with new_client(db, oidc_provider) as client:
        disabled = sso_login(client, oidc_provider, "planner1")
        assert disabled.status_code == 403 and "uitgeschakeld" in disabled.text
        assert SESSION_COOKIE not in disabled.cookies


def test_reader_goes_to_the_local_page_asked_for(
    db: Db, oidc_provider: OidcProvider, configure: Configure
) -> None:
    configure({"korps-planner-rotterdam": ["gezag@rotterdam"]})  # gezag needs no TOTP
    with new_client(db, oidc_provider) as client:
        there = sso_login(client, oidc_provider, "planner1", volgende="/eenheden/rotterdam")
        assert there.status_code == 303 and there.headers["location"] == "/eenheden/rotterdam"
        client.cookies.clear()
        away = sso_login(client, oidc_provider, "planner1", volgende="//elders.example/x")
        assert away.headers["location"] == "/"  # never off this site
        assert client.get("/account").status_code == 200


def test_unknown_unit_in_the_role_map_refuses_that_login(
    db: Db, oidc_provider: OidcProvider, configure: Configure
) -> None:
    configure({"korps-centralist-rotterdam": ["centralist@nergenshuizen"]})
    with new_client(db, oidc_provider) as client:
        refused = sso_login(client, oidc_provider, "centralist1")
    assert refused.status_code == 503
    assert "onbekende eenheid 'nergenshuizen'" in html.unescape(refused.text)
    assert count(db, User) == 0


def test_startup_refuses_a_wrong_configuration(
    db: Db, oidc_provider: OidcProvider, configure: Configure
) -> None:
    configure({"korps-centralist-rotterdam": ["hoofdagent@rotterdam"]})
    with pytest.raises(SystemExit, match="onbekende rol 'hoofdagent'"):
        create_app(db.engine)
    configure(CLIENT_SECRET="")
    with pytest.raises(SystemExit, match="half ingesteld: KORPS_OIDC_CLIENT_SECRET ontbreekt"):
        create_app(db.engine)


def test_unreachable_provider_and_no_configuration(
    db: Db, oidc_provider: OidcProvider, configure: Configure
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    configure(ISSUER=f"http://127.0.0.1:{port}")
    with new_client(db, oidc_provider) as client:
        down = client.get("/aanmelden/oidc")
        assert down.status_code == 503 and "niet bereikbaar" in down.text
    assert count(db, OidcLogin) == 0
    configure(ISSUER="")
    with new_client(db, oidc_provider) as client:
        assert client.get("/aanmelden/oidc").status_code == 404
        assert client.get("/aanmelden/oidc/terug").status_code == 404
        assert "/aanmelden/oidc" not in client.get("/aanmelden").text
