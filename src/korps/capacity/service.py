"""People, qualifications, absences, lending and sick leave: queries and rules.

Writes need ``teamchef`` or ``planner`` on the person's unit; the staff roles read. Names
are shown only to the team's chief and planners (and reading them is audited); everyone
else sees the personnel number. A refusal is a :class:`CapacityError` naming the field.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from korps.audit.service import record, record_read
from korps.capacity import models as m
from korps.capacity import schemas
from korps.capacity.sickleave import Employment, percentage, sick_leave
from korps.common import formatting
from korps.common.i18n import _
from korps.identity.errors import Forbidden
from korps.identity.roles import Principal, allows, unit_filter
from korps.organisation.models import Unit
from korps.organisation.service import NotFoundError

EDITORS = ("teamchef", "planner")
READERS = ("beheerder", "planner", "centralist", "teamchef", "medewerker", "gezag")


class CapacityError(ValueError):
    """Refused input (Dutch), with the field it is about."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def unit_by_slug(session: Session, *, slug: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.slug == slug))
    if unit is None:
        raise NotFoundError(_("onbekende eenheid {slug}", slug=repr(slug)))
    return unit


def _unit_field(session: Session, slug: str, field: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.slug == slug))
    if unit is None:
        raise CapacityError(field, _("onbekende eenheid {slug}", slug=repr(slug)))
    return unit


def _check_edit(principal: Principal | None, unit: Unit) -> None:
    if not allows(principal, EDITORS, unit.path):
        raise Forbidden(_("hiervoor is de rol teamchef of planner nodig op deze eenheid"))


def sees_names(principal: Principal | None, unit: Unit) -> bool:
    return allows(principal, EDITORS, unit.path)


def person_by_number(session: Session, *, number: str, field: str = "number") -> m.Person:
    person = session.scalar(select(m.Person).where(m.Person.number == number))
    if person is None:
        raise CapacityError(field, _("onbekend personeelsnummer {number}", number=repr(number)))
    return person


def _people_query(principal: Principal | None, unit: Unit) -> Select[m.Person, Unit]:
    return (
        select(m.Person, Unit)
        .join(Unit, Unit.id == m.Person.unit_id)
        .where(Unit.path.startswith(unit.path, autoescape=True))
        .where(unit_filter(principal, READERS, Unit.path))
    )


def people_count(session: Session, *, principal: Principal | None, slug: str) -> int:
    """How many people of the unit and below the caller may read."""
    query = _people_query(principal, unit_by_slug(session, slug=slug)).subquery()
    return session.scalar(select(func.count()).select_from(query)) or 0


def people(
    session: Session,
    *,
    principal: Principal | None,
    slug: str,
    limit: int | None = None,
    offset: int = 0,
) -> list[schemas.PersonOut]:
    """The people of a unit and the units below it that the caller may read, by personnel
    number (``limit`` of them from ``offset``; all when ``limit`` is None). A read of names
    is audited for the rows returned."""
    unit = unit_by_slug(session, slug=slug)
    query = _people_query(principal, unit).order_by(m.Person.number).offset(offset)
    rows = session.execute(query if limit is None else query.limit(limit)).all()
    quals: dict[int, list[schemas.QualificationIn]] = {}
    ids = [p.id for p, _u in rows]
    for q in session.scalars(select(m.Qualification).where(m.Qualification.person_id.in_(ids))):
        quals.setdefault(q.person_id, []).append(
            schemas.QualificationIn(name=q.name, valid_from=q.valid_from, valid_until=q.valid_until)
        )
    out = []
    named = False
    for person, home in rows:
        name = person.name if sees_names(principal, home) else None
        named = named or name is not None
        out.append(
            schemas.PersonOut(
                number=person.number,
                name=name,
                unit=home.slug,
                function=person.function,
                contract_hours=person.contract_hours,
                start_date=person.start_date,
                end_date=person.end_date,
                qualifications=quals.get(person.id, []),
            )
        )
    if named:
        record_read(session, entity="capacity_unit", entity_id=unit.id, what="namen personeel")
    return out


def check_person(session: Session, *, principal: Principal | None, data: schemas.PersonIn) -> Unit:
    """Refuse a new person (unknown team, no right on it, number taken); writes nothing."""
    unit = _unit_field(session, data.unit, "unit")
    if not allows(principal, EDITORS, unit.path):
        raise CapacityError("unit", _("geen rol teamchef of planner op {slug}", slug=unit.slug))
    if session.scalar(select(m.Person.id).where(m.Person.number == data.number)) is not None:
        raise CapacityError(
            "number", _("personeelsnummer {number} bestaat al", number=repr(data.number))
        )
    return unit


def add_person(
    session: Session, *, principal: Principal | None, data: schemas.PersonIn
) -> m.Person:
    unit = _unit_field(session, data.unit, "unit")
    _check_edit(principal, unit)
    check_person(session, principal=principal, data=data)
    person = m.Person(
        number=data.number,
        name=data.name,
        unit_id=unit.id,
        function=data.function,
        contract_hours=data.contract_hours,
        start_date=data.start_date,
        end_date=data.end_date,
    )
    session.add(person)
    session.flush()
    for q in data.qualifications:
        session.add(m.Qualification(person_id=person.id, **q.model_dump()))
    after = data.model_dump(mode="json", exclude={"name"})
    record(
        session,
        entity="capacity_person",
        entity_id=person.id,
        action="persoon toegevoegd",
        after=after,
    )
    return person


def add_qualification(
    session: Session, *, principal: Principal | None, number: str, data: schemas.QualificationIn
) -> m.Qualification:
    person = person_by_number(session, number=number)
    _check_edit(principal, session.get_one(Unit, person.unit_id))
    row = m.Qualification(person_id=person.id, **data.model_dump())
    session.add(row)
    session.flush()
    after = data.model_dump(mode="json")
    record(
        session,
        entity="capacity_person",
        entity_id=person.id,
        action="kwalificatie toegevoegd",
        after=after,
    )
    return row


def add_absence(
    session: Session, *, principal: Principal | None, data: schemas.AbsenceIn
) -> m.Absence:
    person = person_by_number(session, number=data.number)
    _check_edit(principal, session.get_one(Unit, person.unit_id))
    clash = session.scalar(
        select(m.Absence).where(
            m.Absence.person_id == person.id,
            m.Absence.starts <= data.ends,
            m.Absence.ends >= data.starts,
        )
    )
    if clash is not None:
        raise CapacityError(
            "starts",
            _(
                "overlapt met {kind} van {starts} tot {ends}",
                kind=clash.kind,
                starts=formatting.date(clash.starts, "short"),
                ends=formatting.date(clash.ends, "short"),
            ),
        )
    row = m.Absence(person_id=person.id, kind=data.kind, starts=data.starts, ends=data.ends)
    session.add(row)
    session.flush()
    after = data.model_dump(mode="json")
    record(
        session,
        entity="capacity_absence",
        entity_id=row.id,
        action=f"afwezigheid: {data.kind}",
        after=after,
    )
    return row


def add_lending(
    session: Session, *, principal: Principal | None, data: schemas.LendingIn
) -> m.Lending:
    person = person_by_number(session, number=data.number)
    source = _unit_field(session, data.from_unit, "from_unit")
    target = _unit_field(session, data.to_unit, "to_unit")
    _check_edit(principal, source)
    if person.unit_id != source.id:
        raise CapacityError(
            "from_unit", _("{number} hoort niet bij {slug}", number=data.number, slug=source.slug)
        )
    clash = session.scalar(
        select(m.Lending).where(
            m.Lending.person_id == person.id,
            m.Lending.starts <= data.ends,
            m.Lending.ends >= data.starts,
        )
    )
    if clash is not None:
        raise CapacityError(
            "starts",
            _(
                "overlapt met een uitlening van {starts} tot {ends}",
                starts=formatting.date(clash.starts, "short"),
                ends=formatting.date(clash.ends, "short"),
            ),
        )
    row = m.Lending(
        person_id=person.id,
        from_unit_id=source.id,
        to_unit_id=target.id,
        starts=data.starts,
        ends=data.ends,
        hours_per_week=data.hours_per_week,
    )
    session.add(row)
    session.flush()
    after = data.model_dump(mode="json")
    record(session, entity="capacity_lending", entity_id=row.id, action="uitgeleend", after=after)
    return row


Dated = TypeVar("Dated", m.Absence, m.Wish)


def dated_rows(
    session: Session, model: type[Dated], *, unit: Unit, starts: date, ends: date
) -> list[tuple[Dated, m.Person]]:
    """Absences or wishes of the people of ``unit`` (and below) that touch the period."""
    rows = session.execute(
        select(model, m.Person)
        .join(m.Person, m.Person.id == model.person_id)
        .join(Unit, Unit.id == m.Person.unit_id)
        .where(Unit.path.startswith(unit.path, autoescape=True))
        .where(model.starts <= ends, model.ends >= starts)
        .order_by(model.starts, m.Person.number)
    ).all()
    return [(a, p) for a, p in rows]


def absences(
    session: Session, *, unit: Unit, starts: date, ends: date
) -> list[tuple[m.Absence, m.Person]]:
    return dated_rows(session, m.Absence, unit=unit, starts=starts, ends=ends)


def sick_leave_of(
    session: Session, *, principal: Principal | None, slug: str, starts: date, ends: date
) -> schemas.SickLeave:
    """Sick leave of a unit and the units below it: days lost / days available."""
    if ends < starts:
        raise CapacityError("ends", _("de periode eindigt voordat ze begint"))
    unit = unit_by_slug(session, slug=slug)
    if not allows(principal, READERS, unit.path):
        raise Forbidden(_("hiervoor is een medewerkersrol op deze eenheid nodig"))
    persons = session.scalars(
        select(m.Person)
        .join(Unit, Unit.id == m.Person.unit_id)
        .where(Unit.path.startswith(unit.path, autoescape=True))
    ).all()
    sick: dict[int, list[tuple[date, date]]] = {}
    for absence, person in absences(session, unit=unit, starts=starts, ends=ends):
        if absence.kind == "ziek":
            sick.setdefault(person.id, []).append((absence.starts, absence.ends))
    employed = [
        Employment(p.contract_hours, p.start_date, p.end_date, tuple(sick.get(p.id, [])))
        for p in persons
    ]
    available, lost = sick_leave(employed, starts, ends)
    return schemas.SickLeave(
        unit=unit.slug,
        starts=starts,
        ends=ends,
        days_available=round(available, 2),
        days_lost=round(lost, 2),
        percentage=round(percentage(available, lost), 2),
    )
