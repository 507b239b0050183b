"""Tables of the formation domain: occupancy (bezetting) per unit, category and period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from korps.db.base import Base


class Occupancy(Base):
    """Filled fte (bezetting) of a unit for a category and period, as imported from a file.

    The category and period are those of the formation figure it is compared with
    (``UnitFigure``: formatie, wijkagenten, os ... and e.g. ``2023-2026``). ``imported_at``
    is when the value or source last changed: re-importing the same row leaves it alone.
    """

    __tablename__ = "occupancy"
    __table_args__ = (
        UniqueConstraint("unit_id", "category", "period"),
        CheckConstraint("value >= 0", name="value_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(20))
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(300))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
