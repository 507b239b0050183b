"""The append-only audit log: every state change of an incident or unit, with who, when,
before and after. This module only ever inserts; nothing in korps updates or deletes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from korps.audit import service as audit_service
from korps.controlroom.models import Incident, PatrolUnit
from korps.controlroom.times import as_utc

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
    "close_reason",
    "close_note",
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


# one trail for every domain: the control room appends through the shared module
entry = audit_service.entry
append = audit_service.append
entries = audit_service.entries
