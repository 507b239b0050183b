"""Tables of the control room: patrol units, incidents, assignments, the audit log.

Times are stored in UTC (``DateTime(timezone=True)``). ``patrol_unit.version`` is the
optimistic lock: every change of a unit is ``UPDATE ... WHERE id = ? AND version = ?`` and
bumps it, so two operators can never both take the same unit. The partial unique index on
``assignment`` (one open assignment per unit) backs this up in the database itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from korps.db.base import Base

NOTES_MAX = 2000


class PatrolUnit(Base):
    """A unit the control room dispatches (a car, a motorcycle, a dog handler ...)."""

    __tablename__ = "patrol_unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sign: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    eenheid_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    location_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20))
    status_since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id", ondelete="RESTRICT"))
    version: Mapped[int] = mapped_column(Integer, default=1)


class Incident(Base):
    """A reported incident (melding) and its response times."""

    __tablename__ = "incident"
    __table_args__ = (CheckConstraint("priority BETWEEN 1 AND 3", name="priority_range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    eenheid_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(60))
    priority: Mapped[int] = mapped_column(Integer)
    caller_name: Mapped[str | None] = mapped_column(String(200))
    caller_phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    gemeente_code: Mapped[str] = mapped_column(ForeignKey("gemeente.code", ondelete="RESTRICT"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    basisteam_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    arrived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100))


class Assignment(Base):
    """A unit sent to an incident; ``released_at`` is set when it is free again."""

    __tablename__ = "assignment"
    __table_args__ = (
        Index(
            "uq_assignment_open_unit",
            "patrol_unit_id",
            unique=True,
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="RESTRICT"), index=True
    )
    patrol_unit_id: Mapped[int] = mapped_column(ForeignKey("patrol_unit.id", ondelete="RESTRICT"))
    scope: Mapped[str | None] = mapped_column(String(40))
    estimated_minutes: Mapped[float | None] = mapped_column(Float)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    assigned_by: Mapped[str] = mapped_column(String(100))
    arrived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """One state change of an incident or unit: who, when, before and after. Append-only:
    no code path updates or deletes these rows."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
