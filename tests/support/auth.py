"""Log a test client in: a user with the given grants, a live session, the CSRF pair."""

from __future__ import annotations

import secrets

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from korps.db.session import session_factory
from korps.identity.deps import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE
from korps.identity.models import User
from korps.identity.service import create_user, grant
from korps.identity.sessions import open_session

PASSWORD = "Correct-Paard-Batterij-Niet-Gewoon-42"


def make_user(
    engine: Engine,
    *,
    username: str,
    grants: list[tuple[str, str | None]],
    kind: str = "medewerker",
    password: str = PASSWORD,
    email: str | None = None,
) -> int:
    """Create ``username`` (if new) with ``grants`` [(role, unit slug)]; returns the id."""
    with session_factory(engine)() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user = create_user(
                session,
                username=username,
                name=username.replace("-", " ").title(),
                email=email or f"{username}@korps.test",
                kind=kind,
                password=password,
            )
        for role, unit in grants:
            grant(session, username=username, role=role, unit=unit, actor="test")
        session.commit()
        return user.id


def set_csrf(client: TestClient) -> str:
    token = secrets.token_urlsafe(32)
    client.cookies.set(CSRF_COOKIE, token)
    client.headers[CSRF_HEADER] = token
    return token


def login_as(
    client: TestClient,
    engine: Engine,
    *,
    role: str,
    unit: str | None,
    username: str | None = None,
) -> str:
    """Log ``client`` in as a user holding ``role`` on ``unit`` (second factor done);
    returns the username. Tests of the login itself go through the form instead."""
    username = username or f"{role}-{(unit or 'x')}"[:80]
    user_id = make_user(engine, username=username, grants=[(role, unit)])
    with session_factory(engine)() as session:
        user = session.get(User, user_id)
        assert user is not None
        opened = open_session(
            session, user=user, address="testclient", agent="pytest", pending=None
        )
    client.cookies.set(SESSION_COOKIE, opened.token)
    set_csrf(client)
    return username


def api_token(engine: Engine, *, role: str, unit: str | None, username: str) -> str:
    """A bearer token (1 day) of ``username`` scoped to its grant of ``role`` on ``unit``."""
    from korps.identity.service import grant as give
    from korps.identity.tokens import create_api_token

    make_user(engine, username=username, grants=[])
    with session_factory(engine)() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        scope = give(session, username=username, role=role, unit=unit, actor="test")
        value, _token = create_api_token(
            session, user=user, grant_id=scope.id, name=f"test {role}", days=1
        )
    return value
