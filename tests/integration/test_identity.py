"""Issue 10: login, lockout, TOTP, sessions, CSRF, password reset over real SMTP, API tokens,
the audit trail's guard in the database, and refusals in Dutch that change nothing."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from korps.audit.models import AuditEntry
from korps.cli import app as cli
from korps.config import get_settings
from korps.identity import debugmail
from korps.identity.deps import CSRF_COOKIE, SESSION_COOKIE
from korps.identity.models import LoginSession, OneTimeToken, User
from korps.organisation.loader import load
from korps.web.app import create_app
from tests.conftest import Db, snapshot
from tests.support.auth import PASSWORD, api_token, make_user, set_csrf


@pytest.fixture
def db(empty_db: Db) -> Db:
    with empty_db.session() as session:
        load(session, name_or_path="gemeenten")
        load(session, name_or_path="nederland")
    return empty_db


@pytest.fixture
def client(db: Db) -> Iterator[TestClient]:
    with TestClient(create_app(db.engine), follow_redirects=False) as test_client:
        set_csrf(test_client)
        yield test_client


def login(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    return client.post(
        "/aanmelden", data={"gebruikersnaam": username, "wachtwoord": password, "volgende": "/"}
    )


def audit_actions(db: Db, username: str) -> list[str]:
    with db.session() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        rows = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "user", AuditEntry.entity_id == user_id)
            .order_by(AuditEntry.id)
        )
        return list(rows)


def test_wrong_password_then_lockout_with_audit(client: TestClient, db: Db) -> None:
    make_user(db.engine, username="gezag-rdam", grants=[("gezag", "rotterdam")])
    wrong = login(client, "gezag-rdam", "fout-wachtwoord-123")
    assert wrong.status_code == 401 and "gebruikersnaam of wachtwoord onjuist" in wrong.text
    unknown = login(client, "bestaat-niet", "fout-wachtwoord-123")
    assert unknown.status_code == 401 and "gebruikersnaam of wachtwoord onjuist" in unknown.text
    for _ in range(get_settings().login_max_failures - 1):
        login(client, "gezag-rdam", "fout-wachtwoord-123")
    locked = login(client, "gezag-rdam")  # the right password, but the account is locked
    assert locked.status_code == 401 and "tijdelijk geblokkeerd" in locked.text
    assert SESSION_COOKIE not in locked.cookies
    assert "geblokkeerd na mislukte aanmeldingen" in audit_actions(db, "gezag-rdam")
    with db.session() as session:
        session.execute(update(User).values(locked_until=None))
        session.commit()
    ok = login(client, "gezag-rdam")
    assert ok.status_code == 303 and ok.headers["location"] == "/"
    assert client.get("/account").status_code == 200


def test_too_many_failures_from_one_address(
    client: TestClient, db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KORPS_ADDRESS_MAX_FAILURES", "3")
    get_settings.cache_clear()
    make_user(db.engine, username="gezag-adres", grants=[("gezag", "rotterdam")])
    for name in ("a1x", "b2x", "c3x"):
        login(client, name, "fout-wachtwoord-123")
    refused = login(client, "gezag-adres")
    assert refused.status_code == 401 and "vanaf dit adres" in refused.text
    get_settings.cache_clear()


def test_a_changing_role_enrols_totp_and_then_logs_in_with_it(client: TestClient, db: Db) -> None:
    make_user(db.engine, username="centralist-r", grants=[("centralist", "rotterdam")])
    first = login(client, "centralist-r")
    assert first.headers["location"] == "/account/totp"
    # before the second factor the session opens nothing else
    assert client.get("/meldkamer/rotterdam").headers["location"] == "/account/totp"
    enrol = client.get("/account/totp")
    secret = re.search(r'id="totp-sleutel">([A-Z2-7]+)<', enrol.text)
    assert secret is not None and "<svg" in enrol.text
    totp = pyotp.TOTP(secret.group(1))
    bad = client.post("/account/totp", data={"code": "000000"})
    assert bad.status_code == 422 and "de code klopt niet" in bad.text
    used = totp.now()
    done = client.post("/account/totp", data={"code": used})
    codes = re.findall(r"<li><code>([0-9a-f]{8}-[0-9a-f]{8})</code></li>", done.text)
    assert done.status_code == 200 and len(codes) == 10
    assert client.get("/meldkamer/rotterdam").status_code == 200
    assert client.post("/afmelden").status_code == 303
    assert client.get("/meldkamer/rotterdam").headers["location"].startswith("/aanmelden?")
    # next login: the code is asked, a used code is refused (replay), a recovery code works once
    assert login(client, "centralist-r").headers["location"] == "/aanmelden/totp"
    # the very code of the enrolment (a fresh totp.now() may fall in the next 30 s step)
    replay = client.post("/aanmelden/totp", data={"code": used})
    assert replay.status_code == 401 and "al gebruikt" in replay.text
    assert client.post("/aanmelden/totp", data={"code": codes[0]}).status_code == 303
    assert client.get("/meldkamer/rotterdam").status_code == 200
    client.post("/afmelden")
    login(client, "centralist-r")
    assert client.post("/aanmelden/totp", data={"code": codes[0]}).status_code == 401
    assert "TOTP ingesteld" in audit_actions(db, "centralist-r")


def test_csrf_is_refused_and_changes_nothing(client: TestClient, db: Db) -> None:
    make_user(db.engine, username="gezag-csrf", grants=[("gezag", "rotterdam")])
    before = snapshot(db)
    client.headers.pop("X-CSRF-Token")
    refused = login(client, "gezag-csrf")
    assert refused.status_code == 403 and "CSRF" in refused.text
    client.cookies.set(CSRF_COOKIE, "a" * 43)
    forged = client.post(
        "/aanmelden",
        data={"gebruikersnaam": "gezag-csrf", "wachtwoord": PASSWORD, "csrf_token": "b" * 43},
    )
    assert forged.status_code == 403
    assert snapshot(db) == before
    matching = client.post(
        "/aanmelden",
        data={"gebruikersnaam": "gezag-csrf", "wachtwoord": PASSWORD, "csrf_token": "a" * 43},
    )
    assert matching.status_code == 303


def test_sessions_expire_and_can_be_ended(client: TestClient, db: Db) -> None:
    make_user(db.engine, username="gezag-sessie", grants=[("gezag", "rotterdam")])
    login(client, "gezag-sessie")
    assert client.get("/account").status_code == 200
    with db.session() as session:  # idle longer than allowed
        session.execute(
            update(LoginSession).values(last_seen_at=datetime.now(UTC) - timedelta(minutes=31))
        )
        session.commit()
    assert client.get("/account").headers["location"].startswith("/aanmelden?volgende=")
    login(client, "gezag-sessie")
    with db.session() as session:  # older than the absolute limit, though active
        session.execute(
            update(LoginSession)
            .where(LoginSession.ended_at.is_(None))
            .values(created_at=datetime.now(UTC) - timedelta(hours=13))
        )
        session.commit()
    assert client.get("/account").status_code == 303
    # two sessions; the second ends the first from its account page
    login(client, "gezag-sessie")
    first = client.cookies[SESSION_COOKIE]
    with TestClient(client.app, follow_redirects=False) as other:
        set_csrf(other)
        login(other, "gezag-sessie")
        page = other.get("/account")
        ids = re.findall(r"/account/sessies/(\d+)/beeindigen", page.text)
        assert len(ids) == 1
        assert other.post(f"/account/sessies/{ids[0]}/beeindigen").status_code == 303
    client.cookies.set(SESSION_COOKIE, first)
    assert client.get("/account").status_code == 303


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Message]]:
    """A real SMTP server (aiosmtpd) on a free port; korps sends to it."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    received: list[Message] = []
    arrived = threading.Event()

    def deliver(message: Message) -> None:
        received.append(message)
        arrived.set()

    controller = debugmail.start("127.0.0.1", port, deliver)
    monkeypatch.setenv("KORPS_SMTP_PORT", str(port))
    get_settings.cache_clear()
    yield received
    controller.stop()
    get_settings.cache_clear()


def _link(message: Message) -> str:
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    found = re.search(r"/wachtwoord-herstellen/(\S+)", body.decode())
    assert found is not None
    return found.group(0)


def test_password_reset_by_mail_is_single_use_and_expires(
    client: TestClient, db: Db, mailbox: list[Message]
) -> None:
    make_user(
        db.engine, username="gezag-reset", grants=[("gezag", "rotterdam")], email="reset@korps.test"
    )
    asked = client.post("/wachtwoord-vergeten", data={"adres": "reset@korps.test"})
    unknown = client.post("/wachtwoord-vergeten", data={"adres": "niemand@korps.test"})
    assert asked.text.count("Als er een account bij hoort") == 1
    assert "Als er een account bij hoort" in unknown.text  # the same answer
    deadline = time.monotonic() + 5
    while not mailbox and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(mailbox) == 1 and mailbox[0]["To"] == "reset@korps.test"
    link = _link(mailbox[0])
    weak = client.post(link, data={"nieuw": "wachtwoord123"})
    assert weak.status_code == 422 and "veelgebruikte wachtwoorden" in weak.text
    new = "Nieuw-Sterk-Wachtwoord-2026!"
    assert client.post(link, data={"nieuw": new}).status_code == 303
    reused = client.post(link, data={"nieuw": new + "x"})
    assert reused.status_code == 422 and "al gebruikt" in reused.text
    assert login(client, "gezag-reset", new).status_code == 303
    assert login(client, "gezag-reset", PASSWORD).status_code == 401
    # an expired link
    client.post("/wachtwoord-vergeten", data={"adres": "gezag-reset"})
    deadline = time.monotonic() + 5
    while len(mailbox) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    with db.session() as session:
        session.execute(
            update(OneTimeToken).values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        session.commit()
    expired = client.post(_link(mailbox[1]), data={"nieuw": new + "y"})
    assert expired.status_code == 422 and "verlopen" in expired.text


def test_api_tokens_carry_one_grant_and_can_be_revoked(client: TestClient, db: Db) -> None:
    token = api_token(db.engine, role="centralist", unit="rotterdam", username="tokenhouder")
    make_user(db.engine, username="tokenhouder", grants=[("planner", "rotterdam")])
    headers = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/v1/me", headers=headers).json()
    assert [g["role"] for g in me["grants"]] == ["centralist"] and me["via"] == "token"
    assert client.get("/api/v1/controlroom/reference", headers=headers).status_code == 200
    # the user is also a planner, but the token carries only its centralist grant
    assert client.get("/api/v1/scenarios", headers=headers).status_code == 403
    assert client.get("/api/v1/scenarios").status_code == 401
    bogus = client.get("/api/v1/me", headers={"Authorization": "Bearer korps_onzin"})
    assert bogus.status_code == 401 and bogus.headers["www-authenticate"] == "Bearer"
    with db.session() as session:
        session.execute(text("UPDATE api_token SET revoked_at = created_at"))
        session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert schema["paths"]["/api/v1/scenarios"]["get"]["security"] == [{"bearer": []}]
    assert "security" not in schema["paths"]["/api/v1/units"]["get"]


def test_the_account_page_shows_a_tokens_dates_as_local_days(client: TestClient, db: Db) -> None:
    """Made at 23:30 UTC on 30 June is 1 July in the Netherlands (CEST), on /account too."""
    api_token(db.engine, role="gezag", unit="rotterdam", username="nachtwerker")
    with db.session() as session:
        session.execute(
            text("UPDATE api_token SET created_at = :made, expires_at = :ends"),
            {
                "made": datetime(2026, 6, 30, 23, 30, tzinfo=UTC),
                "ends": datetime(2026, 7, 31, 22, 30, tzinfo=UTC),
            },
        )
        session.commit()
    signed_in = login(client, "nachtwerker")
    assert signed_in.status_code == 303, signed_in.text
    page = client.get("/account")
    assert page.status_code == 200, page.headers.get("location")
    assert "<td>01-07-2026</td><td>01-08-2026</td>" in page.text
    assert "30-06-2026" not in page.text and "31-07-2026" not in page.text


def test_the_audit_trail_refuses_update_and_delete_in_the_database(db: Db) -> None:
    make_user(db.engine, username="gezag-audit", grants=[("gezag", "rotterdam")])
    with db.engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM audit_entry")).scalar_one()
        assert count >= 2
        for statement in ("UPDATE audit_entry SET action = 'vervalst'", "DELETE FROM audit_entry"):
            with pytest.raises(DBAPIError, match="alleen aan te vullen"):
                connection.execute(text(statement))
            connection.rollback()
        assert connection.execute(text("SELECT count(*) FROM audit_entry")).scalar_one() == count


def test_cli_refuses_bad_input_in_dutch_and_changes_nothing(db: Db, use_database: Any) -> None:
    use_database(db)
    runner = CliRunner()
    make_user(db.engine, username="bestaand", grants=[])
    before = snapshot(db)
    cases = [
        (["user", "grant", "bestaand", "planner", "--unit", "nergens"], "onbekende eenheid"),
        (["user", "grant", "bestaand", "koning", "--unit", "rotterdam"], "onbekende rol"),
        (["user", "grant", "niemand", "planner", "--unit", "rotterdam"], "onbekende gebruiker"),
        (["user", "create", "x", "--name", "X"], "gebruikersnaam"),
        (["user", "create", "bestaand", "--name", "X"], "bestaat al"),
    ]
    for args, message in cases:
        result = runner.invoke(cli, args)
        assert result.exit_code == 1 and message in result.output, (args, result.output)
    weak = runner.invoke(
        cli, ["user", "create", "nieuw", "--name", "N", "--password-stdin"], input="welkom01\n"
    )
    assert weak.exit_code == 1 and "minstens 12 tekens" in weak.output
    assert snapshot(db) == before
    assert (
        runner.invoke(
            cli, ["user", "grant", "bestaand", "planner", "--unit", "rotterdam"]
        ).exit_code
        == 0
    )
    assert runner.invoke(cli, ["user", "disable", "bestaand"]).exit_code == 0
    listed = runner.invoke(cli, ["user", "list", "--json"])
    assert '"planner@rotterdam"' in listed.output and '"disabled": true' in listed.output


def test_a_disabled_account_cannot_log_in(client: TestClient, db: Db) -> None:
    make_user(db.engine, username="gezag-uit", grants=[("gezag", "rotterdam")])
    with db.session() as session:
        session.execute(update(User).where(User.username == "gezag-uit").values(disabled=True))
        session.commit()
    refused = login(client, "gezag-uit")
    assert refused.status_code == 401 and "uitgeschakeld" in refused.text


def test_security_headers_and_local_docs(client: TestClient) -> None:
    page = client.get("/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    docs = client.get("/docs")
    assert docs.status_code == 200 and "cdn" not in docs.text.lower()
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    assert "<script>" not in docs.text  # no inline script


def test_the_beheerder_manages_users_and_reads_the_audit_trail(client: TestClient, db: Db) -> None:
    from tests.support.auth import login_as

    login_as(client, db.engine, role="beheerder", unit="politie", username="beheer")
    made = client.post(
        "/beheer/gebruikers",
        data={
            "gebruikersnaam": "nieuwe-planner",
            "naam": "Nieuwe Planner",
            "email": "np@korps.test",
        },
    )
    assert made.status_code == 303
    before = snapshot(db)
    bad = client.post(
        "/beheer/rollen",
        data={"gebruikersnaam": "nieuwe-planner", "rol": "planner", "eenheid": "nergens"},
    )
    assert bad.status_code == 422 and "onbekende eenheid" in bad.text
    assert snapshot(db) == before
    granted = client.post(
        "/beheer/rollen",
        data={"gebruikersnaam": "nieuwe-planner", "rol": "planner", "eenheid": "politie"},
    )
    assert granted.status_code == 303
    page = client.get("/beheer/gebruikers")
    assert 'data-user="nieuwe-planner"' in page.text and "planner@politie" in page.text
    own = client.post("/beheer/gebruikers/beheer/status", data={"uit": "1"})
    assert own.status_code == 422
    audit = client.get("/beheer/audit", params={"actor": "beheer"})
    assert audit.status_code == 200 and "rol toegekend" in audit.text
    exported = client.get("/beheer/audit.csv", params={"action": "rol"})
    lines = exported.text.splitlines()
    assert lines[0].startswith("id;tijd;wie") and any("rol toegekend" in line for line in lines)
    assert all("aangemeld" not in line for line in lines[1:])  # the filter holds


def test_a_password_change_ends_the_sessions_and_the_demo_accounts(
    client: TestClient, db: Db, use_database: Any
) -> None:
    make_user(db.engine, username="gezag-wissel", grants=[("gezag", "rotterdam")])
    login(client, "gezag-wissel")
    wrong = client.post("/account/wachtwoord", data={"huidig": "fout", "nieuw": "x"})
    assert wrong.status_code == 422 and "huidige wachtwoord klopt niet" in wrong.text
    weak = client.post("/account/wachtwoord", data={"huidig": PASSWORD, "nieuw": "kort"})
    assert weak.status_code == 422 and "minstens 12 tekens" in weak.text
    new = "Een-Heel-Ander-Wachtwoord-77"
    changed = client.post("/account/wachtwoord", data={"huidig": PASSWORD, "nieuw": new})
    assert changed.status_code == 303
    assert client.get("/account").status_code == 303  # every session ended
    assert login(client, "gezag-wissel", new).status_code == 303
    # `korps demo` (make run): one demo account per role, marked, passwords shown once
    with db.session() as session:
        load(session, name_or_path="rotterdam")
    use_database(db)
    runner = CliRunner()
    first = runner.invoke(cli, ["demo"])
    assert first.exit_code == 0 and "demo-centralist" in first.output
    again = runner.invoke(cli, ["demo"])
    assert again.exit_code == 0 and "bestaan al" in again.output
    with db.session() as session:
        demo = session.scalars(select(User).where(User.demo.is_(True))).all()
        assert {u.username for u in demo} >= {
            f"demo-{r}"
            for r in (
                "beheerder",
                "planner",
                "centralist",
                "teamchef",
                "medewerker",
                "gezag",
                "burger",
            )
        }
    password = re.search(r"demo-gezag\s+│\s+(\S+)\s+│", first.output)
    assert password is not None
    assert login(client, "demo-gezag", password.group(1)).status_code == 303
