"""Issue 9.2: one length rule per text column, the same in the schema, the Pydantic model and
the database, on SQLite and PostgreSQL; a 30-character call sign can be dispatched."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import String, insert, inspect, select, text
from sqlalchemy.exc import DBAPIError

from korps.controlroom import schemas
from korps.controlroom.models import AuditEntry, Incident, PatrolUnit
from korps.db.base import Base, length_trigger_names, string_columns
from korps.db.models import import_all_models
from korps.formation.datafile import OccupancyRow
from korps.formation.models import Occupancy
from korps.organisation import datafile
from korps.organisation.models import (
    Authority,
    Dataset,
    Partnership,
    PublishedTotal,
    Unit,
    UnitFigure,
)
from tests.conftest import Db, snapshot
from tests.integration.test_hardening_fixtures import (
    API,
    api_headers,
    client,
    hardening_db,
    intake_body,
)

__all__ = ["api_headers", "client", "hardening_db"]
import_all_models()

# (Pydantic model, field) -> the column its value is stored in
STORED_IN: list[tuple[type[BaseModel], str, Any]] = [
    (schemas.IncidentIn, "channel", Incident.channel),
    (schemas.IncidentIn, "category", Incident.category),
    (schemas.IncidentIn, "address", Incident.address),
    (schemas.IncidentIn, "caller_name", Incident.caller_name),
    (schemas.IncidentIn, "caller_phone", Incident.caller_phone),
    (schemas.IncidentIn, "notes", Incident.notes),
    (schemas.IncidentIn, "idempotency_key", Incident.idempotency_key),
    (schemas.UnitIn, "call_sign", PatrolUnit.call_sign),
    (schemas.UnitIn, "kind", PatrolUnit.kind),
    (schemas.UnitIn, "basisteam", Unit.slug),
    (schemas.AssignIn, "unit", PatrolUnit.call_sign),
    (OccupancyRow, "source", Occupancy.source),
    (OccupancyRow, "period", Occupancy.period),
    (OccupancyRow, "category", Occupancy.category),
    (datafile.UnitSpec, "name", Unit.name),
    (datafile.UnitSpec, "slug", Unit.slug),
    (datafile.UnitSpec, "code", Unit.code),
    (datafile.UnitSpec, "source", Unit.source),
    (datafile.FigureSpec, "source", UnitFigure.source),
    (datafile.FigureSpec, "period", UnitFigure.period),
    (datafile.TotalSpec, "label", PublishedTotal.label),
    (datafile.TotalSpec, "period", PublishedTotal.period),
    (datafile.AuthoritySpec, "name", Authority.name),
    (datafile.AuthoritySpec, "published_as", Authority.published_as),
    (datafile.PartnershipSpec, "name", Partnership.name),
    (datafile.PartnershipSpec, "code", Partnership.code),
    (datafile.DatasetFile, "dataset", Dataset.name),
    (datafile.DatasetFile, "title", Dataset.title),
]


def _max_length(model: type[BaseModel], field: str) -> int | None:
    schema = model.model_json_schema()["properties"][field]
    options = [schema, *schema.get("anyOf", [])]
    return next((o["maxLength"] for o in options if "maxLength" in o), None)


@pytest.mark.parametrize(
    ("model", "field", "column"), STORED_IN, ids=[f"{m.__name__}.{f}" for m, f, _ in STORED_IN]
)
def test_the_model_allows_what_the_column_holds(
    model: type[BaseModel], field: str, column: Any
) -> None:
    assert isinstance(column.type, String)
    assert _max_length(model, field) == column.type.length


def test_every_text_column_has_its_length_in_the_database(hardening_db: Db) -> None:
    """PostgreSQL: varchar(n) of the model's length; SQLite: the triggers that refuse more."""
    wanted = string_columns(Base.metadata)
    with hardening_db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            names = set(
                connection.scalars(text("SELECT name FROM sqlite_master WHERE type='trigger'"))
            )
            missing = [
                (t, c) for t, c, _n in wanted if not set(length_trigger_names(t, c)) <= names
            ]
            assert missing == []
        else:
            inspector = inspect(connection)
            actual = {
                (t, c["name"]): getattr(c["type"], "length", None)
                for t in {t for t, _c, _n in wanted}
                for c in inspector.get_columns(t)
            }
            assert [(t, c, n) for t, c, n in wanted if actual[(t, c)] != n] == []


def test_the_database_refuses_a_longer_value_on_both(hardening_db: Db) -> None:
    before = snapshot(hardening_db)
    row = {
        "at": datetime(2026, 1, 1, tzinfo=UTC),
        "actor": "test",
        "entity": "unit",
        "entity_id": 1,
        "action": "x" * 61,
    }
    with hardening_db.engine.connect() as connection, pytest.raises(DBAPIError) as refused:
        connection.execute(insert(AuditEntry.__table__), [row])
    reason = str(refused.value.orig)
    assert "te lang (maximaal 60 tekens)" in reason or "too long" in reason
    assert snapshot(hardening_db) == before


def test_a_30_character_call_sign_is_created_assigned_and_audited(
    hardening_db: Db, client: TestClient
) -> None:
    call_sign = ("L" + uuid.uuid4().hex.upper())[:30]
    assert len(call_sign) == 30
    created = client.post(
        f"{API}/units",
        json={"call_sign": call_sign, "basisteam": "rotterdam-b2-centrum"},
    )
    assert created.status_code == 201
    assert client.post(f"{API}/units/{call_sign}/status", json={"status": "beschikbaar"}).is_success
    incident = client.post(
        f"{API}/incidents", json=intake_body(basisteam="rotterdam-b2-centrum")
    ).json()
    assigned = client.post(
        f"{API}/incidents/{incident['id']}/assignments", json={"unit": call_sign}
    )
    assert assigned.status_code == 201
    assert [u["call_sign"] for u in assigned.json()["units"]] == [call_sign]
    with hardening_db.session() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity == "incident", AuditEntry.entity_id == incident["id"]
            )
        ).all()
    assert f"toegewezen {call_sign}" in actions


def test_a_31_character_call_sign_is_refused_in_dutch_and_nothing_changes(
    hardening_db: Db, client: TestClient
) -> None:
    before = snapshot(hardening_db)
    response = client.post(
        f"{API}/units", json={"call_sign": "A" * 31, "basisteam": "rotterdam-d1-charlois"}
    )
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "call_sign"]
    assert error["msg"] == "roepnaam: maximaal 30 tekens"
    assert snapshot(hardening_db) == before
