"""Issue 14.12 (English as a second language), the account's side: an account keeps its
language (chosen on /account, or taken at login, registration included, from the language
the browser chose); after login the pages follow it, and every e-mail to the
user (login link, password reset, news about a dossier) is in it, whatever the language of
the colleague whose action sent it. Over real SMTP (the debug server). SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from email.message import Message
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from korps.audit.models import AuditEntry
from korps.common.i18n import LOCALE_COOKIE
from korps.identity import tokens
from korps.identity.models import User
from korps.portal import workflow
from korps.portal.models import Dossier
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database
from tests.integration import test_portal_flow
from tests.integration.test_portal_flow import body
from tests.support.auth import PASSWORD, login_as, make_user, set_csrf

mailbox = test_portal_flow.mailbox  # the fixture: the debug SMTP server and what it received


@pytest.fixture(scope="module", params=BACKENDS)
def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _pg_admin: Any
) -> Iterator[Db]:
    with loaded_database(request.param, tmp_path_factory.mktemp("taal"), _pg_admin) as db:
        yield db


def _wait(mailbox: list[Message], count: int) -> None:
    deadline = time.monotonic() + 5
    while len(mailbox) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def _locale(db: Db, username: str) -> str | None:
    with db.session() as session:
        return session.scalar(select(User.locale).where(User.username == username))


def test_a_citizen_who_registers_in_english_gets_english_mail(
    db: Db, mailbox: list[Message]
) -> None:
    with TestClient(create_app(db.engine)) as client:
        set_csrf(client)
        assert client.get("/registreren?lang=en").status_code == 200  # the page in English
        made = client.post(
            "/registreren",
            data={
                "gebruikersnaam": "taal-burger",
                "naam": "Jane Doe",
                "email": "jane@voorbeeld.test",
                "wachtwoord": PASSWORD,
                "herhaling": PASSWORD,
            },
            follow_redirects=False,
        )
        assert made.status_code == 303, made.text
    assert _locale(db, "taal-burger") == "en"
    with TestClient(create_app(db.engine)) as other:  # a Dutch browser asks for the link
        set_csrf(other)
        assert (
            other.post("/aanmelden/link", data={"email": "jane@voorbeeld.test"}).status_code == 200
        )
    _wait(mailbox, 1)
    assert len(mailbox) == 1
    assert mailbox[0]["Subject"] == "Your login link for the police citizen portal"
    text = body(mailbox[0])
    assert "works once and for 2 hours" in text and "Goedendag" not in text


def test_the_account_page_keeps_the_language_and_mail_follows_it(
    db: Db, mailbox: list[Message]
) -> None:
    with TestClient(create_app(db.engine)) as client:
        username = login_as(
            client, db.engine, role="medewerker", unit="rotterdam", username="taal-mw"
        )
        with db.engine.begin() as conn:
            conn.execute(
                User.__table__.update()
                .where(User.__table__.c.username == username)
                .values(email="taal-mw@korps.test")
            )
        page = client.get("/account")
        assert 'id="taal"' in page.text and 'action="/account/taal"' in page.text
        set_csrf(client)
        wrong = client.post("/account/taal", data={"taal": "fr"})
        assert wrong.status_code == 422 and "taal: kies uit nl, en" in wrong.text
        assert _locale(db, username) is None
        chosen = client.post("/account/taal", data={"taal": "en"}, follow_redirects=False)
        assert chosen.status_code == 303 and chosen.headers["location"] == "/account?lang=en"
        assert "My account" in client.get(chosen.headers["location"]).text
        assert client.cookies.get(LOCALE_COOKIE) == "en"
        del client.headers["x-csrf-token"]
        refused = client.post("/account/taal", data={"taal": "nl"})
        assert refused.status_code == 403  # a form without its CSRF token changes nothing
    assert _locale(db, username) == "en"
    with db.session() as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "taal gewijzigd", AuditEntry.actor == username
            )
        ).one()
        assert entry.after == {"taal": "en"}
        tokens.request_reset(session, email_or_username=username)
        session.commit()
    _wait(mailbox, 1)
    assert mailbox[0]["Subject"] == "korps: set a new password"
    assert f"(user name {username})" in body(mailbox[0])


def test_login_gives_the_browser_the_account_language(db: Db) -> None:
    make_user(db.engine, username="taal-en", grants=[("burger", None)], kind="burger")
    make_user(db.engine, username="taal-kiest", grants=[("burger", None)], kind="burger")
    with db.engine.begin() as conn:
        conn.execute(
            User.__table__.update()
            .where(User.__table__.c.username == "taal-en")
            .values(locale="en")
        )
    with TestClient(create_app(db.engine)) as client:
        set_csrf(client)
        client.cookies.set(LOCALE_COOKIE, "nl")  # this workstation was Dutch
        done = client.post(
            "/aanmelden",
            data={"gebruikersnaam": "taal-en", "wachtwoord": PASSWORD},
            follow_redirects=False,
        )
        assert done.status_code == 303
        assert f"{LOCALE_COOKIE}=en" in done.headers["set-cookie"]
    assert _locale(db, "taal-en") == "en"  # the account's language won; it is unchanged
    with TestClient(create_app(db.engine)) as client:
        set_csrf(client)
        client.cookies.set(LOCALE_COOKIE, "en")  # chose English before logging in
        done = client.post(
            "/aanmelden",
            data={"gebruikersnaam": "taal-kiest", "wachtwoord": PASSWORD},
            follow_redirects=False,
        )
        assert done.status_code == 303
    assert _locale(db, "taal-kiest") == "en"


def test_news_about_a_dossier_is_in_the_citizen_language(db: Db, mailbox: list[Message]) -> None:
    reporter = make_user(
        db.engine,
        username="taal-nieuws",
        grants=[("burger", None)],
        kind="burger",
        email="nieuws@voorbeeld.test",
    )
    dutch = make_user(
        db.engine,
        username="taal-nl",
        grants=[("burger", None)],
        kind="burger",
        email="nl@voorbeeld.test",
    )
    with db.engine.begin() as conn:
        conn.execute(
            User.__table__.update().where(User.__table__.c.id == reporter).values(locale="en")
        )
    with db.session() as session:
        for who in (reporter, dutch):
            sent = workflow.notify(session, dossier=cast(Dossier, _Reported(who)))
            assert sent
    _wait(mailbox, 2)
    subjects = {m["To"]: m["Subject"] for m in mailbox}
    assert subjects == {
        "nieuws@voorbeeld.test": "There is news about your report to the police",
        "nl@voorbeeld.test": "Er is nieuws over uw melding bij de politie",
    }


class _Reported:
    """What notify reads of a dossier: whose it is."""

    def __init__(self, reporter_id: int) -> None:
        self.reporter_id = reporter_id
        self.id = 0
