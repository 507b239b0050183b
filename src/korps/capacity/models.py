"""Tables of the capacity domain: people, qualifications, absences, lending, rosters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from korps.db.base import Base

NUMBER_LEN = 20  # personnel number
NAME_LEN = 200
FUNCTION_LEN = 20
QUALIFICATION_LEN = 20
ABSENCE_LEN = 20
SHIFT_LEN = 20
ACTOR_LEN = 80
STATUS_LEN = 20
WEEKDAYS_LEN = 7  # the ISO days a template is worked, as digits: "0123456" (0 = Monday)
WISH_LEN = 20


class Person(Base):
    """A member of staff, known by personnel number; the name is optional and shown only to
    the team's chief and planners."""

    __tablename__ = "capacity_person"
    __table_args__ = (CheckConstraint("contract_hours >= 0", name="contract_non_negative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(NUMBER_LEN), unique=True)
    name: Mapped[str | None] = mapped_column(String(NAME_LEN))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    function: Mapped[str] = mapped_column(String(FUNCTION_LEN))
    contract_hours: Mapped[float] = mapped_column(Float)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


class Qualification(Base):
    __tablename__ = "capacity_qualification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("capacity_person.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(QUALIFICATION_LEN))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)


class Absence(Base):
    """ziek, verlof, opleiding or detachering, from ``starts`` to ``ends`` (both included)."""

    __tablename__ = "capacity_absence"
    __table_args__ = (CheckConstraint("ends >= starts", name="ends_after_starts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("capacity_person.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(ABSENCE_LEN))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)


class Lending(Base):
    """A flexteam member lent to a basisteam: dates (both included) and hours a week."""

    __tablename__ = "capacity_lending"
    __table_args__ = (
        CheckConstraint("ends >= starts", name="ends_after_starts"),
        CheckConstraint("hours_per_week > 0", name="hours_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("capacity_person.id", ondelete="CASCADE"), index=True
    )
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)
    hours_per_week: Mapped[float] = mapped_column(Float)


class Roster(Base):
    """A generated roster of a team: what was asked (cars per shift, templates) and how good
    the solution is (objective, bound, gap), with the shortfalls the generator explained."""

    __tablename__ = "capacity_roster"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    starts: Mapped[date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(STATUS_LEN))
    objective: Mapped[float] = mapped_column(Float)
    bound: Mapped[float] = mapped_column(Float)
    gap: Mapped[float] = mapped_column(Float)
    seconds: Mapped[float] = mapped_column(Float)
    templates: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    cars: Mapped[list[list[int]]] = mapped_column(JSON)
    shortfalls: Mapped[list[str]] = mapped_column(JSON)
    unmet_wishes: Mapped[list[str] | None] = mapped_column(JSON)  # wish, shift worked, why
    created_by: Mapped[str] = mapped_column(String(ACTOR_LEN))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RosterShift(Base):
    __tablename__ = "capacity_roster_shift"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    roster_id: Mapped[int] = mapped_column(
        ForeignKey("capacity_roster.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("capacity_person.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    shift: Mapped[str] = mapped_column(String(SHIFT_LEN))
    starts: Mapped[datetime] = mapped_column(DateTime)
    ends: Mapped[datetime] = mapped_column(DateTime)


class TeamShift(Base):
    """A shift template of a team: name, start and length, night flag, the days of the week
    it is worked and the cars it needs by default. The generator rosters these shifts."""

    __tablename__ = "capacity_shift_template"
    __table_args__ = (
        UniqueConstraint("unit_id", "name"),
        CheckConstraint("minutes > 0 AND minutes <= 1440", name="minutes_in_a_day"),
        CheckConstraint("start_minute >= 0 AND start_minute < 1440", name="start_in_a_day"),
        CheckConstraint("crews >= 0", name="crews_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(SHIFT_LEN))
    start_minute: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[int] = mapped_column(Integer)
    night: Mapped[bool] = mapped_column(Boolean)
    weekdays: Mapped[str] = mapped_column(String(WEEKDAYS_LEN))
    crews: Mapped[int] = mapped_column(Integer)


class Wish(Base):
    """A person's request from ``starts`` to ``ends`` (both included): ``vrij`` (no shift),
    ``geen_nacht`` (no night shift) or ``dienst`` (the named shift when working)."""

    __tablename__ = "capacity_wish"
    __table_args__ = (CheckConstraint("ends >= starts", name="ends_after_starts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("capacity_person.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(WISH_LEN))
    shift: Mapped[str | None] = mapped_column(String(SHIFT_LEN))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)
