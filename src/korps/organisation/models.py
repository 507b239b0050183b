"""Tables of the organisation registry: units, figures, municipalities, partnerships."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from korps.db.base import Base


class Dataset(Base):
    """A loaded dataset: what was loaded, from which file, and what the loader reported."""

    __tablename__ = "dataset"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    messages: Mapped[list[str]] = mapped_column(JSON, default=list)


class Unit(Base):
    """A node of the organisation tree. ``path`` is the materialised path of ids: ``/1/7/42/``."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str | None] = mapped_column(String(20))
    region_code: Mapped[str | None] = mapped_column(String(10))
    description: Mapped[str | None] = mapped_column(Text)
    tasks: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str | None] = mapped_column(String(300))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    path: Mapped[str] = mapped_column(String(400), index=True, default="")
    depth: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    dataset: Mapped[str] = mapped_column(ForeignKey("dataset.name", ondelete="RESTRICT"))

    figures: Mapped[list[UnitFigure]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="UnitFigure.id"
    )


class UnitFigure(Base):
    """A published figure of a unit: category (formatie, os, hbvs_2023 ...), period, value."""

    __tablename__ = "unit_figure"
    __table_args__ = (UniqueConstraint("unit_id", "category", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(20))
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    assumption: Mapped[str | None] = mapped_column(Text)
    dataset: Mapped[str] = mapped_column(ForeignKey("dataset.name", ondelete="RESTRICT"))

    unit: Mapped[Unit] = relationship(back_populates="figures")


class PublishedTotal(Base):
    """A total as published beside its rows; ``computed`` is the sum of the rows, if checkable."""

    __tablename__ = "published_total"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(
        ForeignKey("dataset.name", ondelete="RESTRICT"), index=True
    )
    label: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(20))
    published: Mapped[float] = mapped_column(Float)
    computed: Mapped[float | None] = mapped_column(Float)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    rows: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)


class Gemeente(Base):
    """A Dutch municipality (CBS code) with population, area, centroid and regions."""

    __tablename__ = "gemeente"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    province: Mapped[str] = mapped_column(String(60))
    population: Mapped[int] = mapped_column(Integer)
    population_year: Mapped[int] = mapped_column(Integer)
    population_2023: Mapped[int | None] = mapped_column(Integer)
    area_km2: Mapped[float] = mapped_column(Float)
    land_area_km2: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    veiligheidsregio_code: Mapped[str] = mapped_column(String(4))
    politie_eenheid_code: Mapped[str] = mapped_column(String(4), index=True)
    politie_eenheid: Mapped[str] = mapped_column(String(60))
    dataset: Mapped[str] = mapped_column(ForeignKey("dataset.name", ondelete="RESTRICT"))


class GemeenteCrime(Base):
    """Registered crime in a municipality in one year (police open data, summed from buurten)."""

    __tablename__ = "gemeente_crime"
    __table_args__ = (UniqueConstraint("gemeente_code", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gemeente_code: Mapped[str] = mapped_column(ForeignKey("gemeente.code", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    by_type: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    population: Mapped[int] = mapped_column(Integer)


class Coverage(Base):
    """Which basisteam serves which municipality, wholly (share 1) or in part."""

    __tablename__ = "coverage"
    __table_args__ = (
        UniqueConstraint("unit_id", "gemeente_code"),
        CheckConstraint("share > 0 AND share <= 1", name="share_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    gemeente_code: Mapped[str] = mapped_column(
        ForeignKey("gemeente.code", ondelete="RESTRICT"), index=True
    )
    share: Mapped[float] = mapped_column(Float, default=1.0)
    # centre of the part of the municipality this basisteam serves (split municipalities)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(300))
    assumption: Mapped[str | None] = mapped_column(Text)
    dataset: Mapped[str] = mapped_column(ForeignKey("dataset.name", ondelete="RESTRICT"))


class Partnership(Base):
    """A partnership across the police structure: veiligheidsregio, veiligheidshuis, RIEC."""

    __tablename__ = "partnership"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    code: Mapped[str | None] = mapped_column(String(10))
    source: Mapped[str | None] = mapped_column(String(300))
    assumption: Mapped[str | None] = mapped_column(Text)
    dataset: Mapped[str] = mapped_column(ForeignKey("dataset.name", ondelete="RESTRICT"))

    members: Mapped[list[PartnershipMember]] = relationship(
        back_populates="partnership", cascade="all, delete-orphan"
    )


class PartnershipMember(Base):
    __tablename__ = "partnership_member"
    __table_args__ = (UniqueConstraint("partnership_id", "gemeente_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), index=True
    )
    gemeente_code: Mapped[str] = mapped_column(
        ForeignKey("gemeente.code", ondelete="RESTRICT"), index=True
    )

    partnership: Mapped[Partnership] = relationship(back_populates="members")


class Authority(Base):
    """A person in an authority role: burgemeester, hoofdofficier, politiechef; RVO membership."""

    __tablename__ = "authority"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(30))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    gemeente_code: Mapped[str | None] = mapped_column(
        ForeignKey("gemeente.code", ondelete="RESTRICT")
    )
    published_as: Mapped[str | None] = mapped_column(String(200))
    regioburgemeester: Mapped[bool] = mapped_column(Boolean, default=False)
    rvo: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(300))
    dataset: Mapped[str] = mapped_column(ForeignKey("dataset.name", ondelete="RESTRICT"))
