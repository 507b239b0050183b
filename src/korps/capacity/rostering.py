"""Rosters from the database: the problem of a team (its people, people lent to it, their
absences and qualifications), storing the generator's result, and deployable capacity
(rostered minus absent, against the crews required) per day and shift."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.capacity import models as m
from korps.capacity.generator import Progress, SolveOptions, solve
from korps.capacity.problem import (
    WISH_SHIFT,
    Person,
    Qualification,
    RosterProblem,
    ShiftTemplate,
    Wish,
    shortfall_text,
    wish_text,
)
from korps.capacity.rules import check
from korps.capacity.service import READERS, CapacityError, _check_edit, unit_by_slug
from korps.capacity.templates import shift_templates
from korps.capacity.wishlist import wishes_of
from korps.common.i18n import _
from korps.identity.errors import Forbidden
from korps.identity.roles import Principal, allows
from korps.organisation.models import Unit

ROSTERED_FUNCTIONS = ("noodhulp", "flex", "wijkagent")


def crews_from_plan(plan: dict[str, Any], *, area: str, shifts: tuple[str, ...]) -> tuple[int, ...]:
    """Cars per shift of one area from ``korps plan roster --json`` output."""
    units = plan.get("units")
    if not isinstance(units, dict) or area not in units:
        raise CapacityError("crews", _("het plan noemt team {area} niet", area=repr(area)))
    row = units[area]
    try:
        return tuple(int(row[name]) for name in shifts)
    except (KeyError, TypeError, ValueError) as exc:
        raise CapacityError(
            "crews", _("het plan heeft geen auto's per dienst {shifts}", shifts=shifts)
        ) from exc


def _team(session: Session, unit: Unit, starts: date, ends: date) -> list[tuple[m.Person, float]]:
    """Home people (working functions, employed in the period) and people lent in."""
    home = session.scalars(
        select(m.Person)
        .where(m.Person.unit_id == unit.id, m.Person.function.in_(ROSTERED_FUNCTIONS))
        .where(m.Person.start_date <= ends)
        .where((m.Person.end_date.is_(None)) | (m.Person.end_date >= starts))
        .order_by(m.Person.number)
    ).all()
    lent_out: dict[int, float] = {}
    for person_id, hours in session.execute(
        select(m.Lending.person_id, m.Lending.hours_per_week).where(
            m.Lending.from_unit_id == unit.id,
            m.Lending.starts <= ends,
            m.Lending.ends >= starts,
        )
    ).all():
        lent_out[person_id] = max(lent_out.get(person_id, 0.0), hours)
    # a person lent out keeps the rest of their contract hours at home
    remaining = [(p, p.contract_hours - lent_out.get(p.id, 0.0)) for p in home]
    team = [(p, hours) for p, hours in remaining if hours > 0]
    lent_in: dict[int, tuple[m.Person, float]] = {}
    for lending, person in session.execute(
        select(m.Lending, m.Person)
        .join(m.Person, m.Person.id == m.Lending.person_id)
        .where(m.Lending.to_unit_id == unit.id, m.Lending.starts <= ends, m.Lending.ends >= starts)
    ).all():
        # two lendings of one person in the period: once, with the larger hours
        hours = max(lending.hours_per_week, lent_in.get(person.id, (person, 0.0))[1])
        lent_in[person.id] = (person, hours)
    return team + list(lent_in.values())


def _cars(
    templates: tuple[ShiftTemplate, ...], cars: tuple[int, ...] | None, start: date, days: int
) -> tuple[tuple[int, ...], ...]:
    """Cars per day and template: the given numbers (or each template's default) on the
    days of the week a template is worked, 0 on the others."""
    wanted = cars if cars is not None else tuple(t.crews for t in templates)
    if len(wanted) != len(templates) or any(c < 0 or c > 50 for c in wanted):
        names = ", ".join(t.name for t in templates)
        raise CapacityError(
            "cars",
            _(
                "auto's per dienst: {length} getallen van 0 tot 50 ({names})",
                length=len(templates),
                names=names,
            ),
        )
    rows = []
    for d in range(days):
        day = start + timedelta(days=d)
        rows.append(tuple(c if t.on(day) else 0 for c, t in zip(wanted, templates, strict=True)))
    return tuple(rows)


def build_problem(
    session: Session, *, unit: Unit, starts: date, weeks: int, cars: tuple[int, ...] | None
) -> tuple[RosterProblem, list[m.Person]]:
    if not 1 <= weeks <= 8:
        raise CapacityError("weeks", _("een rooster beslaat 1 tot 8 weken"))
    templates = shift_templates(session, unit=unit)
    days = weeks * 7
    matrix = _cars(templates, cars, starts, days)
    ends = starts + timedelta(days=days - 1)
    team = _team(session, unit, starts, ends)
    ids = [p.id for p, _h in team]
    quals: dict[int, list[Qualification]] = {}
    for q in session.scalars(select(m.Qualification).where(m.Qualification.person_id.in_(ids))):
        quals.setdefault(q.person_id, []).append(Qualification(q.name, q.valid_from, q.valid_until))
    absent: dict[int, set[int]] = {}
    for a in session.scalars(
        select(m.Absence).where(
            m.Absence.person_id.in_(ids), m.Absence.starts <= ends, m.Absence.ends >= starts
        )
    ):
        absent.setdefault(a.person_id, set()).update(_days(a.starts, a.ends, starts, ends))
    people = tuple(
        Person(p.number, hours, tuple(quals.get(p.id, [])), frozenset(absent.get(p.id, set())))
        for p, hours in team
    )
    index = {p.id: i for i, (p, _h) in enumerate(team)}
    shift_index = {t.name: s for s, t in enumerate(templates)}
    wishes = [
        Wish(index[w.person_id], d, w.kind, shift_index.get(w.shift or ""))
        for w in wishes_of(session, person_ids=ids, starts=starts, ends=ends)
        if w.kind != WISH_SHIFT or w.shift in shift_index
        for d in _days(w.starts, w.ends, starts, ends)
    ]
    problem = RosterProblem(
        start=starts,
        days=days,
        shifts=templates,
        people=people,
        cars=matrix,
        wishes=tuple(wishes),
    )
    return problem, [p for p, _h in team]


def _days(first: date, last: date, starts: date, ends: date) -> range:
    """Day indexes of ``first``..``last`` within the roster ``starts``..``ends``."""
    lo, hi = max(first, starts), min(last, ends)
    return range((lo - starts).days, (hi - starts).days + 1)


def generate(
    session: Session,
    *,
    principal: Principal | None,
    slug: str,
    starts: date,
    weeks: int,
    cars: tuple[int, ...] | None,
    options: SolveOptions | None = None,
    progress: Progress | None = None,
) -> m.Roster:
    """Generate, re-check with the independent rule checker, store and audit a roster."""
    unit = unit_by_slug(session, slug=slug)
    _check_edit(principal, unit)
    problem, persons = build_problem(session, unit=unit, starts=starts, weeks=weeks, cars=cars)
    result = solve(problem, options, progress)
    violations = check(result.worked(problem), problem.rules)
    if violations:  # never store a roster that breaks the law
        raise CapacityError("roster", violations[0].message(problem.rules))
    roster = m.Roster(
        unit_id=unit.id,
        starts=starts,
        days=problem.days,
        status=result.status,
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        seconds=result.seconds,
        templates=[t.as_json() for t in problem.shifts],
        cars=[list(row) for row in problem.cars],
        shortfalls=[shortfall_text(problem, s) for s in result.shortfalls],
        unmet_wishes=[wish_text(problem, u) for u in result.unmet],
        created_by=(principal.username if principal else "systeem")[: m.ACTOR_LEN],
        created_at=datetime.now(UTC),
    )
    session.add(roster)
    session.flush()
    for index, day, shift in result.assignments:
        begin, end = problem.shifts[shift].bounds(problem.day(day))
        session.add(
            m.RosterShift(
                roster_id=roster.id,
                person_id=persons[index].id,
                day=problem.day(day),
                shift=problem.shifts[shift].name,
                starts=begin,
                ends=end,
            )
        )
    after = {
        "unit": slug,
        "starts": starts.isoformat(),
        "weeks": weeks,
        "gap": round(result.gap, 4),
    }
    record(
        session,
        entity="capacity_roster",
        entity_id=roster.id,
        action="rooster gemaakt",
        after=after,
    )
    return roster


@dataclass(frozen=True)
class Cell:
    day: date
    shift: str
    required: int  # people: cars x crew
    rostered: int
    absent: int
    drivers: int  # prio-1 drivers deployable
    drivers_rostered: int = 0  # prio-1 drivers rostered (before absences)

    @property
    def deployable(self) -> int:
        return self.rostered - self.absent

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.deployable)


def valid(lo: date | None, hi: date | None, day: date) -> bool:
    return (lo is None or lo <= day) and (hi is None or day <= hi)


def latest_roster(session: Session, *, principal: Principal | None, slug: str) -> m.Roster | None:
    unit = unit_by_slug(session, slug=slug)
    if not allows(principal, READERS, unit.path):
        raise Forbidden(_("hiervoor is een medewerkersrol op deze eenheid nodig"))
    return session.scalar(
        select(m.Roster).where(m.Roster.unit_id == unit.id).order_by(m.Roster.id.desc()).limit(1)
    )


def deployable(session: Session, *, roster: m.Roster, crew: int = 2) -> list[Cell]:
    """Per day and shift: rostered, absent now (absences entered after the roster was made
    count), deployable and the crews required."""
    ends = roster.starts + timedelta(days=roster.days - 1)
    shifts = session.execute(
        select(m.RosterShift.day, m.RosterShift.shift, m.RosterShift.person_id).where(
            m.RosterShift.roster_id == roster.id
        )
    ).all()
    ids = {pid for _d, _s, pid in shifts}
    away = session.scalars(
        select(m.Absence).where(
            m.Absence.person_id.in_(ids), m.Absence.starts <= ends, m.Absence.ends >= roster.starts
        )
    ).all()
    drivers = {
        (q.person_id, q.valid_from, q.valid_until)
        for q in session.scalars(
            select(m.Qualification).where(
                m.Qualification.person_id.in_(ids), m.Qualification.name == "prio1"
            )
        )
    }
    names = [t["name"] for t in roster.templates]
    cells = []
    for d in range(roster.days):
        day = roster.starts + timedelta(days=d)
        for s, name in enumerate(names):
            here = [pid for dd, ss, pid in shifts if dd == day and ss == name]
            gone = {a.person_id for a in away if a.starts <= day <= a.ends}
            present = [pid for pid in here if pid not in gone]
            on_duty = [
                {pid for pid, lo, hi in drivers if valid(lo, hi, day)} & set(group)
                for group in (present, here)
            ]
            cells.append(
                Cell(
                    day,
                    name,
                    roster.cars[d][s] * crew,
                    len(here),
                    len(here) - len(present),
                    len(on_duty[0]),
                    len(on_duty[1]),
                )
            )
    return cells
