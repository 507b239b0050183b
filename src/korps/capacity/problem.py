"""The roster problem as plain data (no database): shifts, people, crews required.

``korps.capacity.generator`` solves it with CP-SAT; ``korps.capacity.rules`` checks a
result independently; ``korps.capacity.explain`` finds shortfalls before solving.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from korps.capacity.rules import Worked, WorkingTimeRules, is_night
from korps.common.i18n import _

PRIO1 = "prio1"  # qualification: driving with priority (prio 1)
HOVJ = "hovj"  # qualification: hulpofficier van justitie


ALL_WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)  # Monday .. Sunday
WEEKDAY_NAMES = ("ma", "di", "wo", "do", "vr", "za", "zo")


@dataclass(frozen=True)
class ShiftTemplate:
    name: str
    start_minute: int  # minutes after midnight
    minutes: int
    night: bool = False  # marked a night shift (the times may also make it one)
    weekdays: tuple[int, ...] = ALL_WEEKDAYS  # the days (0 = Monday) the shift is worked
    crews: int = 1  # cars required by default

    def bounds(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, time()) + timedelta(minutes=self.start_minute)
        return start, start + timedelta(minutes=self.minutes)

    def on(self, day: date) -> bool:
        return day.weekday() in self.weekdays

    def as_json(self) -> dict[str, object]:
        """The template as stored with a roster (``from_json`` reads it back)."""
        return {
            "name": self.name,
            "start_minute": self.start_minute,
            "minutes": self.minutes,
            "night": self.night,
            "weekdays": list(self.weekdays),
            "crews": self.crews,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ShiftTemplate:
        """Also reads rosters stored before templates had days, a night flag and crews."""
        return cls(
            name=str(data["name"]),
            start_minute=int(data["start_minute"]),
            minutes=int(data["minutes"]),
            night=bool(data.get("night", False)),
            weekdays=tuple(int(d) for d in data.get("weekdays", ALL_WEEKDAYS)),
            crews=int(data.get("crews", 1)),
        )


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
    wish: int = 3  # per shift that goes against a wish (day off, no night, preferred shift)


WISH_OFF = "vrij"  # no shift that day
WISH_NO_NIGHT = "geen_nacht"  # no night shift that day
WISH_SHIFT = "dienst"  # if working that day, this shift
WISH_KINDS = (WISH_OFF, WISH_NO_NIGHT, WISH_SHIFT)


@dataclass(frozen=True)
class Wish:
    """A person's request for one day (soft: honoured unless coverage or hours need more)."""

    person: int  # index into ``RosterProblem.people``
    day: int
    kind: str  # WISH_OFF | WISH_NO_NIGHT | WISH_SHIFT
    shift: int | None = None  # the preferred shift (WISH_SHIFT)

    def breaks(self, problem: RosterProblem, shift: int) -> bool:
        """Does working ``shift`` on the wish's day go against it?"""
        if self.kind == WISH_OFF:
            return True
        if self.kind == WISH_NO_NIGHT:
            return problem.night(shift)
        return shift != self.shift


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
    wishes: tuple[Wish, ...] = ()

    def __post_init__(self) -> None:
        if not 1 <= self.days <= 112:
            raise ValueError(_("een rooster beslaat 1 tot 112 dagen"))
        if len(self.cars) != self.days or any(len(row) != len(self.shifts) for row in self.cars):
            raise ValueError(_("auto's per dienst: een rij per dag met een getal per dienst"))
        if len({p.key for p in self.people}) != len(self.people):
            raise ValueError(_("personeelsnummers in het rooster moeten uniek zijn"))
        for wish in self.wishes:
            if not (0 <= wish.person < len(self.people) and 0 <= wish.day < self.days):
                raise ValueError(_("een wens hoort bij een medewerker en een dag van het rooster"))
            if wish.kind not in WISH_KINDS:
                raise ValueError(_("onbekende soort wens {kind}", kind=repr(wish.kind)))
            if wish.kind == WISH_SHIFT and not (
                wish.shift is not None and 0 <= wish.shift < len(self.shifts)
            ):
                raise ValueError(_("een voorkeur voor een dienst noemt een dienst van het rooster"))

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)

    def night(self, shift: int) -> bool:
        template = self.shifts[shift]
        start, end = template.bounds(self.start)
        return template.night or is_night(start, end, self.rules)

    def works(self, day: int, shift: int) -> bool:
        """Is ``shift`` worked on ``day`` (its template's days of the week)?"""
        return self.shifts[shift].on(self.day(day))

    def all_wishes(self) -> tuple[Wish, ...]:
        """The wishes, with each person's ``wishes_off`` days as day-off wishes."""
        extra = tuple(
            Wish(i, d, WISH_OFF)
            for i, person in enumerate(self.people)
            for d in sorted(person.wishes_off)
            if 0 <= d < self.days
        )
        return self.wishes + extra

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
    unmet: list[UnmetWish] = field(default_factory=list)  # wishes not honoured, with why

    def worked(self, problem: RosterProblem) -> list[Worked]:
        out = []
        for person, day, shift in self.assignments:
            start, end = problem.shifts[shift].bounds(problem.day(day))
            out.append(Worked(problem.people[person].key, start, end))
        return out


@dataclass(frozen=True)
class UnmetWish:
    wish: Wish
    shift: int  # the shift worked against the wish
    reason: str  # why (Dutch)


def wish_text(problem: RosterProblem, item: UnmetWish) -> str:
    wish = item.wish
    who = problem.people[wish.person].key
    when = describe_day(problem, wish.day)
    worked = problem.shifts[item.shift].name
    if wish.kind == WISH_OFF:
        asked = "vrij"
    elif wish.kind == WISH_NO_NIGHT:
        asked = "geen nachtdienst"
    else:
        asked = f"dienst {problem.shifts[wish.shift or 0].name}"
    return f"{who} {when}: wens {asked}, ingeroosterd {worked}; {item.reason}"


def describe_day(problem: RosterProblem, day: int) -> str:
    when = problem.day(day)
    return f"{WEEKDAY_NAMES[when.weekday()]} {when:%d-%m-%Y}"


def describe_shift(problem: RosterProblem, day: int, shift: int) -> str:
    return f"{describe_day(problem, day)} {problem.shifts[shift].name}"


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
