"""The audit table. Append-only in the database itself: triggers (migration 0008) refuse
UPDATE and DELETE on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from korps.db.base import Base

ACTOR_MAX = 100
ACTION_MAX = 60  # "toegewezen " / "afgeleid " + a call sign of 30 characters
ENTITY_MAX = 20
REQUEST_ID_MAX = 40
CLIENT_MAX = 64


class AuditEntry(Base):
    """One state change (or read of personal data): who, when, what, before and after."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_entity", "entity", "entity_id"),
        Index("ix_audit_entry_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(ACTOR_MAX))  # the user's username, or "systeem"
    actor_id: Mapped[int | None] = mapped_column(Integer)  # the user's id (no FK: kept forever)
    entity: Mapped[str] = mapped_column(String(ENTITY_MAX))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(ACTION_MAX))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(REQUEST_ID_MAX))
    client: Mapped[str | None] = mapped_column(String(CLIENT_MAX))
