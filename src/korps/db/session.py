"""Engine and session factory; ``SessionDep`` for FastAPI routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from korps.config import get_settings


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine; for SQLite the parent folder is created and foreign keys are enforced."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo)
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    # one pooled connection per route thread (korps.web.app), so none waits for another;
    # no ping before each use: it would cost a round trip per request, and a connection
    # the server dropped fails one request and is replaced
    threads = get_settings().threads
    return create_engine(url, echo=echo, pool_size=threads, max_overflow=threads)


@lru_cache
def default_engine() -> Engine:
    settings = get_settings()
    return make_engine(settings.database_url, echo=settings.echo_sql)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, bound to the engine the app was created with.

    Closed after the response. Under heavy load that is too late: threads waiting for a
    pooled connection can starve the requests that would give one back (measured: the
    meldkamer stalls at 100 clients without more), so the control room's routes also close
    their session as soon as they return (``korps.controlroom.errors.releasing``).
    """
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    try:
        yield session
    finally:
        session.close()


@contextmanager
def reading(session: Session) -> Iterator[Session]:
    """Read without a transaction of its own: when the session has none open, its connection
    runs in autocommit for the block (no BEGIN and ROLLBACK round trips around a few
    SELECTs), and the session is back to normal transactions afterwards. Inside an open
    transaction the block simply reads in it."""
    if session.in_transaction():
        yield session
        return
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    try:
        yield session
    finally:
        session.rollback()  # ends the block: nothing to roll back, no round trip


SessionDep = Annotated[Session, Depends(get_session)]
