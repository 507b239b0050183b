"""A roster out: the team's wall schedule (XLSX, people by day) and iCalendar per person."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.capacity import models as m
from korps.capacity.problem import ShiftTemplate
from korps.common.formatting import day as short_day
from korps.common.i18n import _

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


@dataclass(frozen=True)
class WallSchedule:
    """The team's wall schedule: people (rows) by days (columns), a shift code per cell."""

    days: list[date]
    rows: list[tuple[str, list[str], float]]  # label, code per day ('' = free), hours
    legend: list[tuple[str, str, str]]  # code, shift name, times
    named: bool  # labels carry names


def _code(name: str) -> str:
    return ABBREVIATION.get(name, name)


def schedule(session: Session, *, roster: m.Roster, names: bool) -> WallSchedule:
    """Rows by personnel number (with the name when the reader may see it)."""
    days = [roster.starts + timedelta(days=d) for d in range(roster.days)]
    grid: dict[str, dict[date, str]] = {}
    hours: dict[str, float] = {}
    named = False
    for shift, person in _shifts(session, roster):
        label = f"{person.number} {person.name}" if names and person.name else person.number
        named = named or label != person.number
        grid.setdefault(label, {})[shift.day] = _code(shift.shift)
        hours[label] = hours.get(label, 0.0) + (shift.ends - shift.starts).total_seconds() / 3600
    rows = [(label, [grid[label].get(d, "") for d in days], hours[label]) for label in sorted(grid)]
    legend = []
    for template in roster.templates:
        t = ShiftTemplate.from_json(template)
        start, end = t.bounds(roster.starts)
        legend.append((_code(t.name), t.name, f"{start:%H:%M}-{end:%H:%M}"))
    return WallSchedule(days, rows, legend, named)


def wall_schedule(session: Session, *, roster: m.Roster, names: bool) -> bytes:
    """The wall schedule as XLSX."""
    table = schedule(session, roster=roster, names=names)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("rooster")
    # ma 04-01 in Dutch, Mon, 1/4 in English (strftime wrote English day names in both)
    sheet.append([_("Medewerker"), *[short_day(d) for d in table.days], _("Uren")])
    for label, cells, hours in table.rows:
        sheet.append([label, *cells, hours])
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
        event.add("summary", _("Dienst {name}", name=shift.shift))
        event.add("dtstart", shift.starts)
        event.add("dtend", shift.ends)
        event.add("dtstamp", datetime.now(UTC))
        cal.add_component(event)
    return cal.to_ical() if found else None
