"""Pydantic shapes of the capacity domain; lengths are the columns' (``models``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from korps.capacity import models as m

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
            raise ValueError("geldig tot ligt voor geldig vanaf")
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
            raise ValueError("de einddatum ligt voor de begindatum")
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
            raise ValueError("een afwezigheid kan niet eindigen voordat ze begint")
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
            raise ValueError("een uitlening kan niet eindigen voordat ze begint")
        if self.from_unit == self.to_unit:
            raise ValueError("uitlenen aan de eigen eenheid kan niet")
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
