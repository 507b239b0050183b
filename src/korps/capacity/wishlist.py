"""Wishes in the database (``capacity_wish``): a person's request for days off, no night
shifts or a preferred shift, entered by the team's ``teamchef`` or ``planner``; the roster
generator takes them as soft constraints (``korps.capacity.wishes`` says which it could
not honour and why)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.capacity import models as m
from korps.capacity import schemas
from korps.capacity.service import (
    CapacityError,
    _check_edit,
    dated_rows,
    person_by_number,
    unit_by_slug,
)
from korps.capacity.templates import shift_templates
from korps.common.i18n import _
from korps.common.labels import WISH_LABELS
from korps.identity.roles import Principal
from korps.organisation.models import Unit

LABELS = WISH_LABELS  # Dutch, shown through the catalogue ({{ labels[kind] | t }})


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
            raise CapacityError(
                "shift",
                _(
                    "{slug} heeft geen dienst {shift} ({known})",
                    slug=unit.slug,
                    shift=repr(data.shift),
                    known=known,
                ),
            )
    row = m.Wish(
        person_id=person.id, kind=data.kind, shift=data.shift, starts=data.starts, ends=data.ends
    )
    session.add(row)
    session.flush()
    after = data.model_dump(mode="json")
    record(session, entity="capacity_wish", entity_id=row.id, action="wens vastgelegd", after=after)
    return row


def remove_wish(session: Session, *, principal: Principal | None, slug: str, wish_id: int) -> None:
    """Remove a wish of a person of ``slug`` (or below); unknown ones are refused."""
    unit = unit_by_slug(session, slug=slug)
    found = session.execute(
        select(m.Wish, m.Person, Unit)
        .join(m.Person, m.Person.id == m.Wish.person_id)
        .join(Unit, Unit.id == m.Person.unit_id)
        .where(m.Wish.id == wish_id, Unit.path.startswith(unit.path, autoescape=True))
    ).first()
    if found is None:
        raise CapacityError(
            "wish", _("{slug} heeft geen wens {wish_id}", slug=unit.slug, wish_id=wish_id)
        )
    wish, person, home = found
    _check_edit(principal, home)
    before = {"number": person.number, "kind": wish.kind, "shift": wish.shift}
    before |= {"starts": wish.starts.isoformat(), "ends": wish.ends.isoformat()}
    session.execute(delete(m.Wish).where(m.Wish.id == wish.id))
    record(
        session, entity="capacity_wish", entity_id=wish_id, action="wens verwijderd", before=before
    )


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
