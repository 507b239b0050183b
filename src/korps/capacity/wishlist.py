"""Wishes in the database (``capacity_wish``): a person's request for days off, no night
shifts or a preferred shift, entered by the team's ``teamchef`` or ``planner``; the roster
generator takes them as soft constraints (``korps.capacity.wishes`` says which it could
not honour and why)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.capacity import models as m
from korps.capacity import schemas
from korps.capacity.service import CapacityError, _check_edit, dated_rows, person_by_number
from korps.capacity.templates import shift_templates
from korps.identity.roles import Principal
from korps.organisation.models import Unit

LABELS = {"vrij": "vrij", "geen_nacht": "geen nachtdienst", "dienst": "voorkeur dienst"}


def add_wish(session: Session, *, principal: Principal | None, data: schemas.WishIn) -> m.Wish:
    """Store a wish; an unknown person or (for a preferred shift) a shift the person's team
    does not have is refused with the field named."""
    person = person_by_number(session, number=data.number)
    unit = session.get_one(Unit, person.unit_id)
    _check_edit(principal, unit)
    if data.shift is not None:
        names = [t.name for t in shift_templates(session, unit=unit)]
        if data.shift not in names:
            known = ", ".join(names)
            raise CapacityError("shift", f"{unit.slug} heeft geen dienst {data.shift!r} ({known})")
    row = m.Wish(
        person_id=person.id, kind=data.kind, shift=data.shift, starts=data.starts, ends=data.ends
    )
    session.add(row)
    session.flush()
    after = data.model_dump(mode="json")
    record(session, entity="capacity_wish", entity_id=row.id, action="wens vastgelegd", after=after)
    return row


def wishes_of(session: Session, *, person_ids: list[int], starts: date, ends: date) -> list[m.Wish]:
    return list(
        session.scalars(
            select(m.Wish)
            .where(m.Wish.person_id.in_(person_ids), m.Wish.starts <= ends, m.Wish.ends >= starts)
            .order_by(m.Wish.starts, m.Wish.id)
        )
    )


def team_wishes(
    session: Session, *, unit: Unit, starts: date, ends: date
) -> list[tuple[m.Wish, m.Person]]:
    """The wishes of the unit's people (and below) that touch the period."""
    return dated_rows(session, m.Wish, unit=unit, starts=starts, ends=ends)
