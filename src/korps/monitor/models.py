"""Tables of the monitor: indicators, plans, yearly targets per unit, measurements."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from korps.db.base import Base
from korps.monitor.datafile import CODE_MAX, NAME_MAX, SOURCE_MAX, USER_MAX
from korps.monitor.periods import Period


class Indicator(Base):
    """What is measured, how (unit of measure, direction, aggregation) and where it comes from."""

    __tablename__ = "monitor_indicator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    definition: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(20))
    aggregation: Mapped[str] = mapped_column(String(20))
    obtained: Mapped[str] = mapped_column(String(20))
    computation: Mapped[str | None] = mapped_column(String(CODE_MAX))
    source: Mapped[str] = mapped_column(String(SOURCE_MAX))


class Plan(Base):
    """A unit's policy plan: the document (themes, ambitions, approach, agreements) and its
    status (concept -> vastgesteld by the Regionaal Veiligheidsoverleg on a date)."""

    __tablename__ = "monitor_plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_MAX), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(NAME_MAX))
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(SOURCE_MAX))
    status: Mapped[str] = mapped_column(String(20))
    adopted_on: Mapped[date | None] = mapped_column(Date)
    adopted_by: Mapped[str | None] = mapped_column(String(USER_MAX))
    # the formation scenario adopted as the plan's formation (planning's saved scenario)
    scenario_id: Mapped[int | None] = mapped_column(
        ForeignKey("scenario.id", ondelete="SET NULL"), nullable=True
    )
    scenario_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    scenario_adopted_by: Mapped[str | None] = mapped_column(String(USER_MAX), nullable=True)
    scenario_adopted_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    document: Mapped[dict[str, object]] = mapped_column(JSON)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Target(Base):
    """A target of ``unit`` for ``indicator`` in ``year``: a number (streefwaarde) or a caveat
    kept as published (verbetering, nb, monitoring)."""

    __tablename__ = "monitor_target"
    __table_args__ = (UniqueConstraint("plan_id", "indicator_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("monitor_plan.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("monitor_indicator.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    theme: Mapped[str] = mapped_column(String(CODE_MAX))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[float | None] = mapped_column(Float)
    published: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(SOURCE_MAX))
    note: Mapped[str | None] = mapped_column(Text)


class Measurement(Base):
    """An actual of a period (a year, a quarter or a month: ``months`` from ``first_month``),
    entered or imported by a user or computed by korps: who, when and from which source."""

    __tablename__ = "monitor_measurement"
    __table_args__ = (UniqueConstraint("indicator_id", "unit_id", "year", "first_month", "months"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("monitor_indicator.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    first_month: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    months: Mapped[int] = mapped_column(Integer, default=12, server_default="12")
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(SOURCE_MAX))
    entered_by: Mapped[str] = mapped_column(String(USER_MAX))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @property
    def period(self) -> Period:
        return Period(self.year, self.first_month, self.months)
