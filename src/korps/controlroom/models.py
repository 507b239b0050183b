"""Tables of the control room: patrol units, incidents, assignments, the audit log.

Times are stored in UTC (``DateTime(timezone=True)``). ``patrol_unit.version`` is the
optimistic lock: every change of a unit is ``UPDATE ... WHERE id = ? AND version = ?`` and
bumps it, so two operators can never both take the same unit. The partial unique index on
``assignment`` (one open assignment per unit) backs this up in the database itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

# the shared audit trail (korps.audit), re-exported for the control room's modules
from korps.audit.models import ACTION_MAX as ACTION_MAX
from korps.audit.models import ACTOR_MAX as ACTOR_MAX
from korps.audit.models import ENTITY_MAX as ENTITY_MAX
from korps.audit.models import AuditEntry as AuditEntry
from korps.db.base import Base

# One length rule per text column: the Pydantic models (schemas.py) use these constants, the
# columns below are String(n) of the same, and the database refuses longer values (PostgreSQL's
# varchar, SQLite's triggers of migration 0007).
CALL_SIGN_MAX = 30
KIND_MAX = 30
STATUS_MAX = 20
SCOPE_MAX = 40
IDEMPOTENCY_KEY_MAX = 100
FINGERPRINT_LENGTH = 64  # sha256 hex of the intake request (idempotency)
CHANNEL_MAX = 20
CATEGORY_MAX = 60
CALLER_NAME_MAX = 200
CALLER_PHONE_MAX = 40
ADDRESS_MAX = 300
NOTES_MAX = 2000
CLOSE_REASON_MAX = 30  # a code of the reference list (meldkamer.yaml close_reasons)
CLOSE_NOTE_MAX = 500


class PatrolUnit(Base):
    """A unit the control room dispatches (a car, a motorcycle, a dog handler ...)."""

    __tablename__ = "patrol_unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sign: Mapped[str] = mapped_column(String(CALL_SIGN_MAX), unique=True)
    kind: Mapped[str] = mapped_column(String(KIND_MAX))
    eenheid_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    location_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(STATUS_MAX))
    status_since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id", ondelete="RESTRICT"))
    version: Mapped[int] = mapped_column(Integer, default=1)


class Incident(Base):
    """A reported incident (melding) and its response times."""

    __tablename__ = "incident"
    __table_args__ = (CheckConstraint("priority BETWEEN 1 AND 3", name="priority_range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(IDEMPOTENCY_KEY_MAX), unique=True)
    request_hash: Mapped[str | None] = mapped_column(String(FINGERPRINT_LENGTH))
    eenheid_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    channel: Mapped[str] = mapped_column(String(CHANNEL_MAX))
    category: Mapped[str] = mapped_column(String(CATEGORY_MAX))
    priority: Mapped[int] = mapped_column(Integer)
    caller_name: Mapped[str | None] = mapped_column(String(CALLER_NAME_MAX))
    caller_phone: Mapped[str | None] = mapped_column(String(CALLER_PHONE_MAX))
    address: Mapped[str | None] = mapped_column(String(ADDRESS_MAX))
    gemeente_code: Mapped[str] = mapped_column(ForeignKey("gemeente.code", ondelete="RESTRICT"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    basisteam_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    notes: Mapped[str | None] = mapped_column(String(NOTES_MAX))
    status: Mapped[str] = mapped_column(String(STATUS_MAX), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    arrived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(ACTOR_MAX))
    close_reason: Mapped[str | None] = mapped_column(String(CLOSE_REASON_MAX))  # migration 0014
    close_note: Mapped[str | None] = mapped_column(String(CLOSE_NOTE_MAX))


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
    scope: Mapped[str | None] = mapped_column(String(SCOPE_MAX))
    estimated_minutes: Mapped[float | None] = mapped_column(Float)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    assigned_by: Mapped[str] = mapped_column(String(ACTOR_MAX))
    arrived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
