"""Issue 16.10 (part): a citizen logs in with an e-mailed single-use link, valid two hours.
The same answer whether or not the address has an account (no enumeration), the e-mail
says only that a link was asked for, a link works once, expires (fixed clock), is not
spent by opening it (a button logs in), staff addresses get none, and at most three links
an hour go to one account. Over real SMTP (the debug server). SQLite and PostgreSQL."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from korps.audit.models import AuditEntry
from korps.identity import magiclink
from korps.identity.errors import IdentityError
from korps.identity.models import LinkRequest, OneTimeToken
from korps.identity.secrets import digest
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database
from tests.integration import test_portal_flow
from tests.integration.test_portal_flow import body
from tests.support.auth import make_user, set_csrf

SENT = "Als er een account bij dit e-mailadres hoort"
mailbox = test_portal_flow.mailbox  # the fixture: the debug SMTP server and what it received


@pytest.fixture(scope="module", params=BACKENDS)
def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _pg_admin: Any
) -> Iterator[Db]:
    with loaded_database(request.param, tmp_path_factory.mktemp("link"), _pg_admin) as db:
        make_user(db.engine, username="link-burger", grants=[("burger", None)], kind="burger",
                  email="burger@voorbeeld.test")  # fmt: skip
        make_user(db.engine, username="link-mw", grants=[("medewerker", "rotterdam")],
                  email="mw@korps.test")  # fmt: skip
        make_user(db.engine, username="link-vaak", grants=[("burger", None)], kind="burger",
                  email="vaak@voorbeeld.test")  # fmt: skip
        yield db


def _wait(mailbox: list[Message], count: int) -> None:
    deadline = time.monotonic() + 5
    while len(mailbox) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def _link(message: Message) -> str:
    found = re.search(r"https?://[^/\s]+(/aanmelden/link/\S+)", body(message))
    assert found is not None
    return found.group(1)


def test_link_logs_in_once_and_says_nothing_else(db: Db, mailbox: list[Message]) -> None:
    app = create_app(db.engine)
    with TestClient(app) as client, TestClient(app) as second:
        set_csrf(client)
        asked = client.post("/aanmelden/link", data={"email": "Burger@Voorbeeld.test "})
        unknown = client.post("/aanmelden/link", data={"email": "niemand@voorbeeld.test"})
        staff = client.post("/aanmelden/link", data={"email": "mw@korps.test"})
        # the same page for a citizen, an unknown address and a staff address
        assert asked.status_code == unknown.status_code == staff.status_code == 200
        assert SENT in asked.text and asked.text == unknown.text == staff.text
        _wait(mailbox, 1)
        time.sleep(0.3)  # nothing more arrives for the other two
        assert len(mailbox) == 1 and mailbox[0]["To"] == "burger@voorbeeld.test"
        text = body(mailbox[0])
        assert "link-burger" not in text and "dossier" not in text.lower()
        assert "één keer en 2 uur" in text
        link = _link(mailbox[0])
        # opening the link (a mail scanner) does not log in nor spend it
        opened = client.get(link)
        assert opened.status_code == 200 and 'id="link-bevestigen"' in opened.text
        used = client.post(link, follow_redirects=False)
        assert used.status_code == 303 and used.headers["location"] == "/mijn/dossiers"
        assert client.get("/mijn/dossiers").status_code == 200
        set_csrf(second)
        again = second.post(link, follow_redirects=False)
        assert again.status_code == 422 and "al gebruikt" in again.text
        assert second.get("/mijn/dossiers", follow_redirects=False).status_code == 303
    with db.session() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.actor == "link-burger")
        ).all()
    assert "aanmeldlink verstuurd" in actions and "aangemeld met e-mail-link" in actions


def test_link_expires_after_two_hours_with_a_fixed_clock(db: Db) -> None:
    t0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    with db.session() as session:
        ask = magiclink.request_link
        early = ask(session, email="burger@voorbeeld.test", address="10.0.0.1", now=t0)
        late = ask(session, email="burger@voorbeeld.test", address="10.0.0.1", now=t0)
        assert early is not None and late is not None
        value = early.body.split("/aanmelden/link/")[1].split()[0]
        user = magiclink.use_link(session, value=value, now=t0 + timedelta(hours=2, seconds=-1))
        assert user.username == "link-burger"
        expired = late.body.split("/aanmelden/link/")[1].split()[0]
        with pytest.raises(IdentityError, match="verlopen"):
            magiclink.use_link(session, value=expired, now=t0 + timedelta(hours=2))
        row = session.scalar(select(OneTimeToken).where(OneTimeToken.digest == digest(expired)))
        assert row is not None and row.used_at is None and row.purpose == "login"


def test_at_most_three_links_an_hour_per_account(db: Db) -> None:
    t0 = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    with db.session() as session:
        ask = magiclink.request_link
        sent = [
            ask(
                session,
                email="vaak@voorbeeld.test",
                address=f"10.0.1.{m}",
                now=t0 + timedelta(minutes=m),
            )
            for m in range(5)
        ]
        assert [m is not None for m in sent] == [True, True, True, False, False]
        # an hour after the first, one more may go
        later = t0 + timedelta(minutes=61)
        assert ask(session, email="vaak@voorbeeld.test", address="10.0.1.9", now=later)
        refused = session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.actor == "link-vaak",
                AuditEntry.action == "aanmeldlink niet verstuurd: te vaak gevraagd",
            )
        )
    assert refused == 2


def test_password_reset_tokens_do_not_log_in(db: Db) -> None:
    """A link is a token of purpose login; another purpose's token is refused."""
    from korps.identity.models import User
    from korps.identity.tokens import issue_reset_token

    with db.session() as session:
        user = session.scalar(select(User).where(User.username == "link-burger"))
        assert user is not None
        reset = issue_reset_token(session, user=user)
        with pytest.raises(IdentityError, match="ongeldig"):
            magiclink.use_link(session, value=reset)


def test_one_address_may_ask_ten_times_a_quarter_whatever_it_asks(db: Db) -> None:
    t0 = datetime(2030, 1, 1, 18, 0, tzinfo=UTC)  # no other test's links in this hour
    ask, known = magiclink.request_link, "burger@voorbeeld.test"
    with db.session() as session:
        for i in range(10):  # unknown addresses count too: probing is what this stops
            ask(session, email=f"n{i}@voorbeeld.test", address="10.9.9.9",
                now=t0 + timedelta(seconds=i))  # fmt: skip
        for email in (known, "niemand@voorbeeld.test"):
            with pytest.raises(magiclink.TooManyRequests, match="te veel aanvragen"):
                ask(session, email=email, address="10.9.9.9", now=t0 + timedelta(minutes=5))
        # another address is not hindered; and after the quarter the first may ask again
        assert ask(session, email=known, address="10.9.9.8", now=t0 + timedelta(minutes=5))
        assert ask(session, email=known, address="10.9.9.9", now=t0 + timedelta(minutes=16))


def test_the_page_answers_429_for_an_address_that_asked_too_often(db: Db) -> None:
    with db.session() as session:
        session.add_all(LinkRequest(address="testclient", at=datetime.now(UTC)) for _ in range(10))
        session.commit()
    with TestClient(create_app(db.engine)) as client:
        set_csrf(client)
        refused = client.post("/aanmelden/link", data={"email": "burger@voorbeeld.test"})
    assert refused.status_code == 429 and "te veel aanvragen vanaf dit adres" in refused.text
    with db.session() as session:
        session.execute(delete(LinkRequest))
        session.commit()
