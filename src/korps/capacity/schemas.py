"""Pydantic shapes of the capacity domain; lengths are the columns' (``models``)."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from korps.capacity import models as m
from korps.capacity.explain import template_problem
from korps.capacity.problem import ShiftTemplate
from korps.capacity.rules import WorkingTimeRules
from korps.common.i18n import _

FUNCTIONS = ("noodhulp", "wijkagent", "opsporing", "leiding", "flex", "overig")
QUALIFICATIONS = ("prio1", "hovj", "ovd", "opsporing", "wapen", "rijbewijs_c")
ABSENCES = ("ziek", "verlof", "opleiding", "detachering")

Number = Annotated[str, Field(min_length=1, max_length=m.NUMBER_LEN, pattern=r"^[A-Za-z0-9-]+$")]
Name = Annotated[str, Field(min_length=1, max_length=m.NAME_LEN)]
Function = Literal["noodhulp", "wijkagent", "opsporing", "leiding", "flex", "overig"]
QualificationName = Literal["prio1", "hovj", "ovd", "opsporing", "wapen", "rijbewijs_c"]
AbsenceKind = Literal["ziek", "verlof", "opleiding", "detachering"]
Hours = Annotated[float, Field(ge=0, le=60, allow_inf_nan=False)]


class QualificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: QualificationName
    valid_from: date | None = None
    valid_until: date | None = None

    @model_validator(mode="after")
    def _order(self) -> QualificationIn:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError(_("geldig tot ligt voor geldig vanaf"))
        return self


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    number: Number
    name: Name | None = None
    unit: Annotated[str, Field(min_length=1, max_length=120)]
    function: Function
    contract_hours: Hours
    start_date: date
    end_date: date | None = None
    qualifications: list[QualificationIn] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _dates(self) -> PersonIn:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError(_("de einddatum ligt voor de begindatum"))
        return self


class AbsenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: Number
    kind: AbsenceKind
    starts: date
    ends: date

    @model_validator(mode="after")
    def _dates(self) -> AbsenceIn:
        if self.ends < self.starts:
            raise ValueError(_("een afwezigheid kan niet eindigen voordat ze begint"))
        return self


class LendingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: Number
    from_unit: Annotated[str, Field(min_length=1, max_length=120)]
    to_unit: Annotated[str, Field(min_length=1, max_length=120)]
    starts: date
    ends: date
    hours_per_week: Annotated[float, Field(gt=0, le=60, allow_inf_nan=False)]

    @model_validator(mode="after")
    def _dates(self) -> LendingIn:
        if self.ends < self.starts:
            raise ValueError(_("een uitlening kan niet eindigen voordat ze begint"))
        if self.from_unit == self.to_unit:
            raise ValueError(_("uitlenen aan de eigen eenheid kan niet"))
        return self


class PersonOut(BaseModel):
    number: str
    name: str | None  # None unless the reader is the team's chief or a planner
    unit: str
    function: str
    contract_hours: float
    start_date: date
    end_date: date | None
    qualifications: list[QualificationIn]


class SickLeave(BaseModel):
    unit: str
    starts: date
    ends: date
    days_available: float
    days_lost: float
    percentage: float


WishKind = Literal["vrij", "geen_nacht", "dienst"]
ShiftName = Annotated[
    str, Field(min_length=1, max_length=m.SHIFT_LEN, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _-]*$")
]
DAY_NAMES = ("ma", "di", "wo", "do", "vr", "za", "zo")


def parse_weekdays(text: str) -> tuple[int, ...]:
    """``ma,di,wo`` or ``ma-vr`` (or a mix: ``ma-vr,zo``) -> (0, 1, 2, ...); Dutch errors."""
    days: set[int] = set()
    for part in filter(None, (p.strip().lower() for p in text.replace(";", ",").split(","))):
        first, _dash, last = part.partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            raise ValueError(
                _("onbekende dag {part}: gebruik ma, di, wo, do, vr, za, zo", part=repr(part))
            )
        lo, hi = DAY_NAMES.index(first), DAY_NAMES.index(last or first)
        if hi < lo:
            raise ValueError(_("{part}: de laatste dag ligt voor de eerste", part=repr(part)))
        days.update(range(lo, hi + 1))
    if not days:
        raise ValueError(_("noem minstens een dag van de week"))
    return tuple(sorted(days))


def weekday_text(days: tuple[int, ...]) -> str:
    return ",".join(DAY_NAMES[d] for d in days)


class TeamShiftIn(BaseModel):
    """A shift template of a team; refused when it breaks a working-time rule by itself."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit: Annotated[str, Field(min_length=1, max_length=120)]
    name: ShiftName
    start: time
    end: time
    night: bool = False
    days: Annotated[str, Field(min_length=1, max_length=40)] = "ma-zo"
    crews: Annotated[int, Field(ge=0, le=50)] = 1

    @model_validator(mode="after")
    def _valid(self) -> TeamShiftIn:
        if self.name.lower() == "vrij":
            raise ValueError(_("'vrij' is geen dienst: kies een andere naam"))
        parse_weekdays(self.days)
        if self.minutes() == 0:
            raise ValueError(_("begin en einde van de dienst zijn gelijk"))
        problem = template_problem(self.template(), WorkingTimeRules())
        if problem is not None:
            raise ValueError(problem)
        return self

    def minutes(self) -> int:
        begin = self.start.hour * 60 + self.start.minute
        return (self.end.hour * 60 + self.end.minute - begin) % (24 * 60)

    def template(self) -> ShiftTemplate:
        return ShiftTemplate(
            name=self.name,
            start_minute=self.start.hour * 60 + self.start.minute,
            minutes=self.minutes(),
            night=self.night,
            weekdays=parse_weekdays(self.days),
            crews=self.crews,
        )


class WishIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    number: Number
    kind: WishKind
    shift: ShiftName | None = None
    starts: date
    ends: date

    @model_validator(mode="after")
    def _valid(self) -> WishIn:
        if self.ends < self.starts:
            raise ValueError(_("een wens kan niet eindigen voordat ze begint"))
        if (self.ends - self.starts).days > 365:
            raise ValueError(_("een wens beslaat hoogstens een jaar"))
        if self.kind == "dienst" and not self.shift:
            raise ValueError(_("een voorkeur voor een dienst noemt de dienst"))
        if self.kind != "dienst":
            self.shift = None
        return self
