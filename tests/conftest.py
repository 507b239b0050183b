"""Test databases: every DB test runs on SQLite and, where KORPS_TEST_DATABASE_URL is set, on
PostgreSQL. On PostgreSQL each test database is a schema of its own inside the database the
run created (CI creates it), dropped again afterwards; nothing else is touched."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from korps.config import get_settings
from korps.db.migrate import upgrade_to_head
from korps.db.session import default_engine, make_engine, session_factory
from korps.organisation.loader import bundled_names, load

REPLACED = {
    "unit_figure",
    "published_total",
    "coverage",
    "authority",
    "gemeente_crime",
    "partnership_member",
}
PG_URL = os.environ.get("KORPS_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@dataclass
class Db:
    url: str
    engine: Engine

    def session(self) -> Session:
        return session_factory(self.engine)()


def _postgres_url(schema: str) -> str:
    assert PG_URL is not None
    url = make_url(PG_URL)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


@pytest.fixture(scope="session")
def _pg_admin() -> Iterator[Engine | None]:
    if not PG_URL:
        yield None
        return
    engine = make_engine(_postgres_url("public"))
    yield engine
    engine.dispose()


def new_database(backend: str, tmp_path: Path, admin: Engine | None) -> tuple[Db, object]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / f'korps-{uuid.uuid4().hex[:8]}.db'}"
        engine = make_engine(url)
        upgrade_to_head(engine)
        return Db(url, engine), None
    assert admin is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _postgres_url(schema)
    engine = make_engine(url)
    upgrade_to_head(engine)
    return Db(url, engine), schema


def drop_database(db: Db, schema: object, admin: Engine | None) -> None:
    db.engine.dispose()
    if schema is not None and admin is not None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=BACKENDS)
def empty_db(
    request: pytest.FixtureRequest, tmp_path: Path, _pg_admin: Engine | None
) -> Iterator[Db]:
    """A migrated, empty database of its own for one test."""
    db, schema = new_database(request.param, tmp_path, _pg_admin)
    yield db
    drop_database(db, schema, _pg_admin)


@contextmanager
def loaded_database(
    backend: str,
    tmp_path: Path,
    admin: Engine | None,
    then: Callable[[Session], object] | None = None,
) -> Iterator[Db]:
    """A database of its own with every bundled dataset loaded, and ``then`` run on it."""
    db, schema = new_database(backend, tmp_path, admin)
    try:
        with db.session() as session:
            for name in bundled_names():
                load(session, name_or_path=name)
            if then is not None:
                then(session)
        yield db
    finally:
        drop_database(db, schema, admin)


@pytest.fixture(scope="session", params=BACKENDS)
def loaded_db(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[Db]:
    """One database per backend with every bundled dataset loaded; tests must not change it."""
    with loaded_database(request.param, tmp_path_factory.mktemp("loaded"), _pg_admin) as db:
        yield db


@pytest.fixture
def use_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Db], None]]:
    """Point the configured database (KORPS_DATABASE_URL) at a test database, e.g. for the CLI."""

    def point(db: Db) -> None:
        monkeypatch.setenv("KORPS_DATABASE_URL", db.url)
        get_settings.cache_clear()
        default_engine.cache_clear()

    yield point
    if default_engine.cache_info().currsize:
        default_engine().dispose()
    get_settings.cache_clear()
    default_engine.cache_clear()


def snapshot(db: Db) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to show a database is unchanged. Left out: load timestamps and
    the surrogate ids of rows a reload replaces (figures, totals, coverage ...); units and
    partnerships keep their ids, and rows referring to them are compared by those ids."""
    from korps.db.base import Base

    result: dict[str, list[tuple[object, ...]]] = {}
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [
                c
                for c in table.columns
                if c.name != "loaded_at" and not (c.name == "id" and table.name in REPLACED)
            ]
            rows = connection.execute(table.select().with_only_columns(*columns)).all()
            result[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return result


# Property tests explore new examples locally; in CI they replay a fixed set, so a landing
# never depends on luck (run locally with --hypothesis-seed to explore more).
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")
