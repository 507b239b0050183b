"""Shift templates per team (``capacity_shift_template``): listed by every staff reader,
saved and removed by the team's ``teamchef`` or ``planner``; a team without templates of its
own rosters the three standard shifts (vroeg, laat, nacht)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.capacity import models as m
from korps.capacity import schemas
from korps.capacity.problem import ShiftTemplate
from korps.capacity.service import CapacityError, _check_edit, _unit_field, unit_by_slug
from korps.capacity.synthetic import THREE_SHIFTS
from korps.common.i18n import _
from korps.identity.errors import Forbidden
from korps.identity.roles import Principal
from korps.organisation.models import Unit


def _template(row: m.TeamShift) -> ShiftTemplate:
    return ShiftTemplate(
        name=row.name,
        start_minute=row.start_minute,
        minutes=row.minutes,
        night=row.night,
        weekdays=tuple(int(c) for c in row.weekdays),
        crews=row.crews,
    )


def shift_templates(session: Session, *, unit: Unit) -> tuple[ShiftTemplate, ...]:
    """The team's templates by start time, or the three standard shifts."""
    rows = session.scalars(
        select(m.TeamShift)
        .where(m.TeamShift.unit_id == unit.id)
        .order_by(m.TeamShift.start_minute, m.TeamShift.name)
    ).all()
    return tuple(_template(r) for r in rows) if rows else THREE_SHIFTS


def own_templates(session: Session, *, unit: Unit) -> bool:
    found = session.scalar(select(m.TeamShift.id).where(m.TeamShift.unit_id == unit.id).limit(1))
    return found is not None


def _store(session: Session, unit: Unit, data: schemas.TeamShiftIn) -> m.TeamShift:
    template = data.template()
    row = session.scalar(
        select(m.TeamShift).where(m.TeamShift.unit_id == unit.id, m.TeamShift.name == data.name)
    )
    before = None if row is None else _template(row).as_json()
    if row is None:
        row = m.TeamShift(unit_id=unit.id, name=data.name)
        session.add(row)
    row.start_minute = template.start_minute
    row.minutes = template.minutes
    row.night = template.night
    row.weekdays = "".join(str(d) for d in template.weekdays)
    row.crews = template.crews
    session.flush()
    action = "diensttemplate toegevoegd" if before is None else "diensttemplate gewijzigd"
    record(
        session,
        entity="capacity_template",
        entity_id=row.id,
        action=action,
        before=before,
        after={"unit": unit.slug, **template.as_json()},
    )
    return row


def save_template(
    session: Session, *, principal: Principal | None, data: schemas.TeamShiftIn
) -> m.TeamShift:
    """Add or change (by name) a template of ``data.unit``."""
    unit = _unit_field(session, data.unit, "unit")
    _check_edit(principal, unit)
    return _store(session, unit, data)


def remove_template(session: Session, *, principal: Principal | None, slug: str, name: str) -> None:
    unit = unit_by_slug(session, slug=slug)
    _check_edit(principal, unit)
    row = session.scalar(
        select(m.TeamShift).where(m.TeamShift.unit_id == unit.id, m.TeamShift.name == name)
    )
    if row is None:
        raise CapacityError(
            "name", _("{slug} heeft geen dienst {name}", slug=unit.slug, name=repr(name))
        )
    before = _template(row).as_json()
    session.execute(delete(m.TeamShift).where(m.TeamShift.id == row.id))
    record(
        session,
        entity="capacity_template",
        entity_id=row.id,
        action="diensttemplate verwijderd",
        before=before,
    )


def import_templates(
    session: Session, *, principal: Principal | None, rows: list[schemas.TeamShiftIn]
) -> list[tuple[int, CapacityError]]:
    """Save every row, or none: returns the refusals (row index, error) and writes nothing
    when there is one (the caller rolls back)."""
    refused: list[tuple[int, CapacityError]] = []
    units: dict[str, Unit] = {}
    for index, data in enumerate(rows):
        try:
            units[data.unit] = units.get(data.unit) or _unit_field(session, data.unit, "unit")
            _check_edit(principal, units[data.unit])
        except CapacityError as exc:
            refused.append((index, exc))
        except Forbidden as exc:
            refused.append((index, CapacityError("unit", str(exc))))
    if refused:
        return refused
    for data in rows:
        _store(session, units[data.unit], data)
    return []
