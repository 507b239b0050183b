"""Flexteam lending seen from a team: the lendings from and to it, and its deployable hours
per week (own contract hours, minus absences and hours lent out, plus hours lent in), so a
lending shows in both teams' tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from korps.capacity import models as m
from korps.organisation.models import Unit


@dataclass(frozen=True)
class LendingRow:
    number: str
    from_unit: str
    to_unit: str
    starts: date
    ends: date
    hours_per_week: float


@dataclass(frozen=True)
class WeekHours:
    monday: date
    own: float  # contract hours of the team's people employed that week
    absent: float  # hours lost to absences
    lent_out: float
    lent_in: float

    @property
    def deployable(self) -> float:
        return self.own - self.absent - self.lent_out + self.lent_in


def lendings(session: Session, *, unit: Unit) -> list[LendingRow]:
    """Every lending from or to ``unit``, by first day."""
    source, target = aliased(Unit), aliased(Unit)
    rows = session.execute(
        select(m.Lending, m.Person.number, source.slug, target.slug)
        .join(m.Person, m.Person.id == m.Lending.person_id)
        .join(source, source.id == m.Lending.from_unit_id)
        .join(target, target.id == m.Lending.to_unit_id)
        .where(or_(m.Lending.from_unit_id == unit.id, m.Lending.to_unit_id == unit.id))
        .order_by(m.Lending.starts, m.Person.number)
    ).all()
    return [
        LendingRow(number, src, dst, row.starts, row.ends, row.hours_per_week)
        for row, number, src, dst in rows
    ]


def _share(first: date, last: date | None, monday: date) -> float:
    """The part of the week from ``monday`` that ``first``..``last`` covers (0..1)."""
    sunday = monday + timedelta(days=6)
    lo, hi = max(first, monday), min(last or sunday, sunday)
    return max(0, (hi - lo).days + 1) / 7


def weekly_hours(session: Session, *, unit: Unit, starts: date, weeks: int) -> list[WeekHours]:
    """Deployable hours of ``unit``'s own people per week from the Monday of ``starts``."""
    first = starts - timedelta(days=starts.weekday())
    last = first + timedelta(days=7 * weeks - 1)
    people = session.scalars(
        select(m.Person).where(
            m.Person.unit_id == unit.id,
            m.Person.start_date <= last,
            (m.Person.end_date.is_(None)) | (m.Person.end_date >= first),
        )
    ).all()
    hours = {p.id: p.contract_hours for p in people}
    absences = session.scalars(
        select(m.Absence).where(
            m.Absence.person_id.in_(list(hours)), m.Absence.starts <= last, m.Absence.ends >= first
        )
    ).all()
    lent = session.scalars(
        select(m.Lending).where(
            or_(m.Lending.from_unit_id == unit.id, m.Lending.to_unit_id == unit.id),
            m.Lending.starts <= last,
            m.Lending.ends >= first,
        )
    ).all()
    out = []
    for w in range(weeks):
        monday = first + timedelta(days=7 * w)
        own = sum(p.contract_hours * _share(p.start_date, p.end_date, monday) for p in people)
        away = sum(hours[a.person_id] * _share(a.starts, a.ends, monday) for a in absences)
        out_ = sum(
            x.hours_per_week * _share(x.starts, x.ends, monday)
            for x in lent
            if x.from_unit_id == unit.id
        )
        in_ = sum(
            x.hours_per_week * _share(x.starts, x.ends, monday)
            for x in lent
            if x.to_unit_id == unit.id
        )
        out.append(WeekHours(monday, round(own, 1), round(away, 1), round(out_, 1), round(in_, 1)))
    return out
