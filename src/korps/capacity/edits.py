"""Edits of a roster by hand, checked against the same working-time rules as the generator
(``korps.capacity.rules``): a change that breaks a rule is refused with the rule named."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.capacity import models as m
from korps.capacity.problem import ShiftTemplate
from korps.capacity.rules import Worked, WorkingTimeRules, check
from korps.capacity.service import CapacityError, _check_edit, person_by_number
from korps.common.i18n import _
from korps.identity.roles import Principal
from korps.organisation.models import Unit

FREE = "vrij"


def edit_shift(
    session: Session,
    *,
    principal: Principal | None,
    roster_id: int,
    number: str,
    day: date,
    shift: str,
    rules: WorkingTimeRules | None = None,
) -> None:
    """Set ``number``'s shift on ``day`` to ``shift`` (a template name) or ``vrij``."""
    roster = session.get(m.Roster, roster_id)
    if roster is None:
        raise CapacityError("roster", _("onbekend rooster"))
    _check_edit(principal, session.get_one(Unit, roster.unit_id))
    person = person_by_number(session, number=number)
    last = roster.starts.toordinal() + roster.days - 1
    if not roster.starts <= day <= date.fromordinal(last):
        raise CapacityError("day", _("deze dag valt buiten het rooster"))
    templates = {t["name"]: ShiftTemplate.from_json(t) for t in roster.templates}
    if shift != FREE and shift not in templates:
        raise CapacityError("shift", _("onbekende dienst {shift}", shift=repr(shift)))
    rows = session.scalars(
        select(m.RosterShift).where(
            m.RosterShift.roster_id == roster.id, m.RosterShift.person_id == person.id
        )
    ).all()
    kept = [r for r in rows if r.day != day]
    before = {"day": day.isoformat(), "shift": next((r.shift for r in rows if r.day == day), FREE)}
    worked = [Worked(number, r.starts, r.ends) for r in kept]
    if shift != FREE:
        starts, ends = templates[shift].bounds(day)
        worked.append(Worked(number, starts, ends))
        limits = rules or WorkingTimeRules()
        violations = check(worked, limits)
        if violations:
            raise CapacityError("shift", violations[0].message(limits))
    for row in rows:
        if row.day == day:
            session.delete(row)
    if shift != FREE:
        session.add(
            m.RosterShift(
                roster_id=roster.id,
                person_id=person.id,
                day=day,
                shift=shift,
                starts=starts,
                ends=ends,
            )
        )
    record(
        session,
        entity="capacity_roster",
        entity_id=roster.id,
        action="dienst met de hand gewijzigd",
        before={"number": number, **before},
        after={"number": number, "day": day.isoformat(), "shift": shift},
    )
