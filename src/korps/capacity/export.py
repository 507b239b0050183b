"""A roster out: the team's wall schedule (XLSX, people by day) and iCalendar per person."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.capacity import models as m

ABBREVIATION = {"vroeg": "V", "laat": "L", "nacht": "N"}


def _shifts(session: Session, roster: m.Roster) -> list[tuple[m.RosterShift, m.Person]]:
    return [
        (s, p)
        for s, p in session.execute(
            select(m.RosterShift, m.Person)
            .join(m.Person, m.Person.id == m.RosterShift.person_id)
            .where(m.RosterShift.roster_id == roster.id)
            .order_by(m.Person.number, m.RosterShift.day)
        ).all()
    ]


def wall_schedule(session: Session, *, roster: m.Roster, names: bool) -> bytes:
    """Rows: people (number, or name when the reader may see it); columns: days."""
    days = [roster.starts + timedelta(days=d) for d in range(roster.days)]
    grid: dict[str, dict[object, str]] = {}
    for shift, person in _shifts(session, roster):
        label = f"{person.number} {person.name}" if names and person.name else person.number
        grid.setdefault(label, {})[shift.day] = ABBREVIATION.get(shift.shift, shift.shift)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "rooster"
    sheet.append(["medewerker", *[f"{d:%a %d-%m}" for d in days], "uren"])
    for label in sorted(grid):
        row = grid[label]
        cells = [row.get(d, "") for d in days]
        sheet.append([label, *cells, 8 * sum(1 for c in cells if c)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def calendar(session: Session, *, roster: m.Roster, number: str) -> bytes | None:
    """One person's shifts as iCalendar (local times), or None if they have none."""
    cal = Calendar()
    cal.add("prodid", "-//korps//rooster//NL")
    cal.add("version", "2.0")
    found = False
    for shift, person in _shifts(session, roster):
        if person.number != number:
            continue
        found = True
        event = Event()
        event.add("uid", f"korps-rooster-{roster.id}-{shift.id}@korps")
        event.add("summary", f"Dienst {shift.shift}")
        event.add("dtstart", shift.starts)
        event.add("dtend", shift.ends)
        event.add("dtstamp", datetime.now(UTC))
        cal.add_component(event)
    return cal.to_ical() if found else None
