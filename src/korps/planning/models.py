"""Saved allocation scenarios (the YAML text, validated before it is stored), their versions
and uploaded workload tables."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from korps.db.base import Base

NAME_LENGTH = 200  # a scenario's name (the YAML `name`, the form field, the column)
SLUG_LENGTH = 120
WHO_LENGTH = 80  # a username (app_user.username)


class SavedScenario(Base):
    """A scenario's latest version (the list shows this); ``deleted_at`` is a soft delete."""

    __tablename__ = "scenario"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str | None] = mapped_column(String(WHO_LENGTH), nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    deleted_by: Mapped[str | None] = mapped_column(String(WHO_LENGTH), nullable=True)


class ScenarioVersion(Base):
    """Every save of a scenario: never changed, never deleted."""

    __tablename__ = "scenario_version"
    __table_args__ = (UniqueConstraint("scenario_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(WHO_LENGTH), nullable=True)
    note: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True)


class WorkloadTable(Base):
    """A workload table uploaded for scenarios (``workload_table: ID`` in a scenario); the
    rows are stored as JSON ``{team: {column: value}}``, validated before they are stored."""

    __tablename__ = "workload_table"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    rows: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @property
    def team_count(self) -> int:
        return len(json.loads(self.rows))
