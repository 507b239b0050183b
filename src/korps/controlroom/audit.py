"""The append-only audit log: every state change of an incident or unit, with who, when,
before and after. This module only ever inserts; nothing in korps updates or deletes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from korps.controlroom.models import AuditEntry, Incident, PatrolUnit
from korps.controlroom.times import as_utc
from korps.db.base import table

INCIDENT_FIELDS = (
    "status",
    "priority",
    "category",
    "channel",
    "gemeente_code",
    "basisteam_id",
    "address",
    "received_at",
    "dispatched_at",
    "arrived_at",
    "cleared_at",
)
UNIT_FIELDS = ("status", "status_since", "incident_id", "location_id", "home_id", "version")


def _json(value: object) -> object:
    return as_utc(value).isoformat() if isinstance(value, datetime) else value


def state(row: Incident | PatrolUnit | None) -> dict[str, Any] | None:
    """The audited fields of an incident or unit as JSON values (None for 'did not exist')."""
    if row is None:
        return None
    fields = INCIDENT_FIELDS if isinstance(row, Incident) else UNIT_FIELDS
    return {name: _json(getattr(row, name)) for name in fields}


def entry(
    *,
    at: datetime,
    actor: str,
    entity: str,
    entity_id: int,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> dict[str, Any]:
    """One row of the log, to be written by :func:`append`."""
    return {
        "at": at,
        "actor": actor,
        "entity": entity,
        "entity_id": entity_id,
        "action": action,
        "before": before,
        "after": after,
    }


def append(session: Session, rows: list[dict[str, Any]]) -> None:
    """Append entries in one statement (part of the caller's transaction)."""
    if rows:  # the table, not the entity: Core's insert, without the ORM's bulk bookkeeping
        session.execute(insert(table(AuditEntry)), rows)


def entries(
    session: Session, *, entity: str | None = None, entity_id: int | None = None, limit: int = 500
) -> list[AuditEntry]:
    query = select(AuditEntry)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return list(session.scalars(query.order_by(AuditEntry.id).limit(limit)))
