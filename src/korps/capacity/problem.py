"""The roster problem as plain data (no database): shifts, people, crews required.

``korps.capacity.generator`` solves it with CP-SAT; ``korps.capacity.rules`` checks a
result independently; ``korps.capacity.explain`` finds shortfalls before solving.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from korps.capacity.rules import Worked, WorkingTimeRules, is_night

PRIO1 = "prio1"  # qualification: driving with priority (prio 1)
HOVJ = "hovj"  # qualification: hulpofficier van justitie


@dataclass(frozen=True)
class ShiftTemplate:
    name: str
    start_minute: int  # minutes after midnight
    minutes: int

    def bounds(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, time()) + timedelta(minutes=self.start_minute)
        return start, start + timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class Qualification:
    name: str
    valid_from: date | None = None
    valid_until: date | None = None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


@dataclass(frozen=True)
class Person:
    key: str  # personnel number (pseudonymous)
    contract_hours: float  # per week
    qualifications: tuple[Qualification, ...] = ()
    absent: frozenset[int] = frozenset()  # day indexes (ziek, verlof, opleiding, ...)
    wishes_off: frozenset[int] = frozenset()  # day indexes asked off (soft)

    def qualified(self, name: str, day: date) -> bool:
        return any(q.name == name and q.valid_on(day) for q in self.qualifications)


@dataclass(frozen=True)
class Weights:
    shortfall: int = 1000  # per missing person, driver or HOvJ in a shift
    hours: int = 1  # per hour away from contract hours over the horizon
    nights: int = 4  # per night above a person's fair share
    weekends: int = 2  # per weekend shift above a person's fair share
    wish: int = 3  # per wish (day off) not granted


@dataclass(frozen=True)
class RosterProblem:
    start: date  # a Monday is usual; any day works
    days: int
    shifts: tuple[ShiftTemplate, ...]
    people: tuple[Person, ...]
    cars: tuple[tuple[int, ...], ...]  # [day][shift] noodhulp cars required
    crew_size: int = 2
    hovj_per_shift: int = 1
    weekly_tolerance_hours: float = 8.0  # a week's hours at most contract + this
    rules: WorkingTimeRules = field(default_factory=WorkingTimeRules)
    weights: Weights = field(default_factory=Weights)

    def __post_init__(self) -> None:
        if not 1 <= self.days <= 112:
            raise ValueError("een rooster beslaat 1 tot 112 dagen")
        if len(self.cars) != self.days or any(len(row) != len(self.shifts) for row in self.cars):
            raise ValueError("auto's per dienst: een rij per dag met een getal per dienst")
        if len({p.key for p in self.people}) != len(self.people):
            raise ValueError("personeelsnummers in het rooster moeten uniek zijn")

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)

    def night(self, shift: int) -> bool:
        start, end = self.shifts[shift].bounds(self.start)
        return is_night(start, end, self.rules)

    def weekend(self, day: int) -> bool:
        return self.day(day).weekday() >= 5


@dataclass(frozen=True)
class Shortfall:
    day: int
    shift: int
    what: str  # mensen | prio1 | hovj
    missing: int
    rule: str  # the requirement or working-time rule that leaves it short (Dutch)
    reason: str  # why (Dutch)


@dataclass
class RosterResult:
    status: str  # OPTIMAL | FEASIBLE | UNKNOWN
    assignments: list[tuple[int, int, int]]  # (person index, day, shift)
    objective: float
    bound: float
    gap: float  # relative: (objective - bound) / max(1, objective)
    seconds: float
    shortfalls: list[Shortfall]
    hours: dict[str, float]  # person -> hours rostered
    targets: dict[str, float]  # person -> contract hours over the available days

    def worked(self, problem: RosterProblem) -> list[Worked]:
        out = []
        for person, day, shift in self.assignments:
            start, end = problem.shifts[shift].bounds(problem.day(day))
            out.append(Worked(problem.people[person].key, start, end))
        return out


def describe_shift(problem: RosterProblem, day: int, shift: int) -> str:
    names = ("ma", "di", "wo", "do", "vr", "za", "zo")
    when = problem.day(day)
    return f"{names[when.weekday()]} {when:%d-%m-%Y} {problem.shifts[shift].name}"


def shortfall_text(problem: RosterProblem, item: Shortfall) -> str:
    return (
        f"{describe_shift(problem, item.day, item.shift)}: {item.missing} {_noun(item)} "
        f"te weinig; regel: {item.rule} ({item.reason})"
    )


def _noun(item: Shortfall) -> str:
    if item.what == PRIO1:
        return "prio-1-chauffeur" if item.missing == 1 else "prio-1-chauffeurs"
    if item.what == HOVJ:
        return "HOvJ"
    return "medewerker" if item.missing == 1 else "medewerkers"
