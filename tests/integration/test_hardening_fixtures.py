"""Shared fixtures of the hardening tests (issue 9): a loaded database per backend with
noodhulp units in Rotterdam, an app on it, and the headers every API request carries.

The tests of items 2-8 import these fixtures; this module has no tests of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from korps.controlroom.seed import seed_units
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database

API = "/api/v1/controlroom"
Headers = Callable[[str], dict[str, str]]


def _prepare(session: Session) -> None:
    seed_units(session, eenheid="rotterdam", per_basisteam=2)


@pytest.fixture(scope="module", params=BACKENDS)
def hardening_db(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[Db]:
    """Every bundled dataset and two units per Rotterdam basisteam; tests change it, so
    each asserts only about the rows it made (or that nothing changed)."""
    with loaded_database(
        request.param, tmp_path_factory.mktemp("hardening"), _pg_admin, then=_prepare
    ) as db:
        yield db


ROOT = "politie"  # the top of the bundled tree: a grant there covers every unit
# the role each part of the API needs (korps.web.app); anything else: planner
ROLE_OF_PREFIX = (("/api/v1/controlroom", "centralist"),)


def _role(path: str) -> str:
    return next((role for prefix, role in ROLE_OF_PREFIX if path.startswith(prefix)), "planner")


def api_tokens(db: Db) -> dict[str, str]:
    """An API token per role the tests call with, of one user with those roles on ROOT."""
    from korps.identity import service as identity
    from korps.identity.tokens import create_api_token

    username = f"hardening-{uuid.uuid4().hex[:6]}"
    tokens = {}
    with db.session() as session:
        user = identity.create_user(session, username=username, name="Hardening test")
        for role in {role for _prefix, role in ROLE_OF_PREFIX} | {"planner"}:
            grant = identity.grant(session, username=username, role=role, unit=ROOT, actor="test")
            value, _token = create_api_token(
                session, user=user, grant_id=grant.id, name=f"hardening {role}", days=1
            )
            tokens[role] = value
        session.commit()
    return tokens


@pytest.fixture(scope="module")
def api_headers(hardening_db: Db) -> Headers:
    """The headers of an API request to ``path``: the one place that says who calls (a
    bearer token with the role the path needs)."""
    tokens = api_tokens(hardening_db)

    def headers(path: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[_role(path)]}"}

    return headers


@pytest.fixture(scope="module")
def client(hardening_db: Db, api_headers: Headers) -> Iterator[TestClient]:
    """A client whose requests carry ``api_headers`` (those of the control room's API)."""
    with TestClient(create_app(hardening_db.engine), raise_server_exceptions=False) as test:
        test.headers.update(api_headers(API))
        yield test


def intake_body(**overrides: Any) -> dict[str, Any]:
    """A valid intake in Charlois (prio 1), with a fresh idempotency key."""
    data: dict[str, Any] = {
        "eenheid": "rotterdam",
        "channel": "112",
        "category": "woninginbraak-heterdaad",
        "gemeente": "Rotterdam",
        "basisteam": "rotterdam-d1-charlois",
        "address": "Wolphaertsbocht 100",
        "idempotency_key": uuid.uuid4().hex,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def new_call_sign(prefix: str = "HT") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8].upper()}"
