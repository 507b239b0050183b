"""A digital-twin scenario: areas, demand, control room, travel, roster, service, norms.

Validated when built (pydantic): bad input is refused with the YAML line and path. Defaults
are assumptions, each documented in docs/simulation.md with its reason.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from korps.common.datafile import DatasetError, Problem, parse_document
from korps.common.i18n import _

NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
DAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Area(_Spec):
    """An area (atom): a basisteam's, or a municipality's where the registry has no basisteam
    coverage (``kind``); where incidents happen and where its units are based.
    ``population`` (inhabitants) gives its density for the travel speeds
    (``travel.density``); without it the area drives at the plain speeds."""

    key: str = Field(min_length=1)
    name: str | None = None
    kind: str = "basisteam"
    district: str = "district"
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    area_km2: Positive = 10.0
    population: NonNeg | None = None
    incidents_per_year: dict[int, NonNeg]

    @field_validator("incidents_per_year")
    @classmethod
    def _priorities(cls, value: dict[int, float]) -> dict[int, float]:
        unknown = [p for p in value if p not in (1, 2, 3)]
        if unknown:
            raise ValueError(
                _("prioriteit moet 1, 2 of 3 zijn (gegeven: {value})", value=unknown[0])
            )
        return value


class Duration(_Spec):
    """A lognormal duration in minutes by its mean and coefficient of variation (cv = 1 with
    ``exponential: true`` gives an exponential distribution)."""

    mean: Positive
    cv: NonNeg = 0.8
    exponential: bool = False


class Norm(_Spec):
    minutes: Positive
    share: float = Field(gt=0, le=1)


class Shift(_Spec):
    name: str = Field(min_length=1)
    start: str
    end: str
    days: list[str] = Field(default_factory=lambda: list(DAYS))

    @field_validator("start", "end")
    @classmethod
    def _time(cls, value: str) -> str:
        if not TIME_RE.match(value):
            raise ValueError(_("tijd moet UU:MM zijn (gegeven: {value})", value=repr(value)))
        return value

    @field_validator("days")
    @classmethod
    def _days(cls, value: list[str]) -> list[str]:
        unknown = [d for d in value if d not in DAYS]
        if unknown:
            raise ValueError(
                _(
                    "onbekende dag {day} (gebruik {days})",
                    day=repr(unknown[0]),
                    days=", ".join(DAYS),
                )
            )
        return value

    def minutes(self) -> tuple[int, int]:
        """Start minute of the day and duration in minutes (a shift may cross midnight)."""
        h1, m1 = map(int, self.start.split(":"))
        h2, m2 = map(int, self.end.split(":"))
        start, end = h1 * 60 + m1, h2 * 60 + m2
        return start, (end - start) % 1440 or 1440


class Roster(_Spec):
    shifts: list[Shift] = Field(min_length=1)
    units: dict[str, dict[str, Annotated[int, Field(ge=0)]]]  # area key or "*" -> shift -> n


class ControlRoom(_Spec):
    """Intake-to-dispatch by a pool of operators; ``operators`` per shift name, or one number."""

    intake: dict[int, Duration] = Field(
        default_factory=lambda: {
            1: Duration(mean=1.5, cv=0.6),
            2: Duration(mean=2.5, cv=0.6),
            3: Duration(mean=4.0, cv=0.6),
        }
    )
    operators: int | dict[str, int] = 6


class DensitySpeeds(_Spec):
    """Urban areas drive slower than rural ones: an area's speed factor runs from
    ``urban_factor`` at ``urban_density`` inhabitants per km2 (and above) to
    ``rural_factor`` at ``rural_density`` (and below), linear in the logarithm of the
    density; a trip between two areas drives at the mean factor of the two. Defaults
    (assumptions, docs/simulation.md): 2,500 and 150 inhabitants per km2 (a city centre
    and a rural municipality), factors 0.75 and 1.2 (congestion, traffic lights and
    narrow streets against provincial roads)."""

    urban_density: Positive = 2500.0
    urban_factor: Positive = 0.75
    rural_density: Positive = 150.0
    rural_factor: Positive = 1.2

    @model_validator(mode="after")
    def _ordered(self) -> DensitySpeeds:
        if self.rural_density >= self.urban_density:
            raise ValueError(_("rural_density moet onder urban_density liggen"))
        return self


class Travel(_Spec):
    """Minutes from dispatch to on scene: ``turnout_minutes`` (uitruktijd: from the order to
    driving off; default 0, the plain model) plus the drive, from a CSV ``matrix`` or from
    distance x ``detour`` / speed (``speed_kmh`` per priority, times ``scale``, times the
    areas' density factors when ``density`` is set). The return to base drives at the
    prio-3 speed without turnout."""

    matrix: str | None = None  # CSV in minutes, relative to the scenario file
    detour: float = Field(1.3, ge=1)
    speed_kmh: dict[int, Positive] = Field(default_factory=lambda: {1: 70.0, 2: 55.0, 3: 45.0})
    scale: Positive = 1.0  # a factor on every speed (what ``korps sim calibrate`` fits)
    turnout_minutes: dict[int, NonNeg] = Field(default_factory=lambda: {1: 0.0, 2: 0.0, 3: 0.0})
    density: DensitySpeeds | None = None


class Availability(_Spec):
    """Units are not free for incidents all the time they are on duty (own work, transport
    of arrestees, breaks): each unit's shift alternates available and unavailable periods,
    exponential, ``share`` of the time available, unavailable periods of mean
    ``episode_minutes``. An unavailable period that starts during a job starts when the job
    is done (and ends when it would have); after it the unit is back at its base. Default
    share 1 (always available: the plain model); the defaults of a unit's scenario are
    fitted (docs/simulation.md)."""

    share: float = Field(1.0, gt=0, le=1)
    episode_minutes: Positive = 45.0


class SimScenario(_Spec):
    name: str = Field(min_length=1)
    description: str | None = None
    unit: str | None = None
    days: Positive = 365
    warmup_days: NonNeg = 7
    areas: list[Area] = Field(min_length=1)
    profile: list[NonNeg] | None = Field(None, min_length=168, max_length=168)
    control_room: ControlRoom | None = Field(default_factory=ControlRoom)
    travel: Travel = Field(default_factory=Travel)
    availability: Availability = Field(default_factory=Availability)
    service: dict[int, Duration] = Field(
        default_factory=lambda: {
            1: Duration(mean=50.0, cv=0.8),
            2: Duration(mean=45.0, cv=0.8),
            3: Duration(mean=35.0, cv=0.8),
        }
    )
    two_unit_share: float = Field(0.3, ge=0, le=1)
    divert: bool = False
    return_to_base: bool = True
    roster: Roster
    norms: dict[int, Norm] = Field(
        default_factory=lambda: {1: Norm(minutes=15, share=0.82), 2: Norm(minutes=30, share=0.77)}
    )

    @model_validator(mode="after")
    def _consistent(self) -> SimScenario:
        keys = [a.key for a in self.areas]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(_("dubbel gebied {area}", area=repr(duplicates[0])))
        shifts = {s.name for s in self.roster.shifts}
        for area, counts in self.roster.units.items():
            if area != "*" and area not in keys:
                raise ValueError(_("rooster noemt onbekend gebied {area}", area=repr(area)))
            unknown = [s for s in counts if s not in shifts]
            if unknown:
                raise ValueError(
                    _(
                        "rooster van {area} noemt onbekende dienst {shift}",
                        area=repr(area),
                        shift=repr(unknown[0]),
                    )
                )
        if isinstance(self.control_room, ControlRoom) and isinstance(
            self.control_room.operators, dict
        ):
            unknown = [s for s in self.control_room.operators if s not in shifts]
            if unknown:
                raise ValueError(
                    _("centralisten voor onbekende dienst {shift}", shift=repr(unknown[0]))
                )
        if self.warmup_days >= self.days:
            raise ValueError(_("warmup_days moet korter zijn dan days"))
        return self

    def units_of(self, area: str) -> dict[str, int]:
        default = self.roster.units.get("*", {})
        return {
            s.name: self.roster.units.get(area, {}).get(s.name, default.get(s.name, 0))
            for s in self.roster.shifts
        }


def parse_sim_scenario(text: str, file: str) -> SimScenario:
    scenario, _root = parse_document(text, file, SimScenario)
    return scenario


def read_sim_scenario(path: Path) -> SimScenario:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        unreadable = _("kan het bestand niet lezen: {error}", error=str(exc))
        raise DatasetError(str(path), [Problem("", unreadable)]) from exc
    scenario = parse_sim_scenario(text, str(path))
    if scenario.travel.matrix and not Path(scenario.travel.matrix).is_absolute():
        travel = scenario.travel.model_copy(
            update={"matrix": str(path.parent / scenario.travel.matrix)}
        )
        scenario = scenario.model_copy(update={"travel": travel})
    return scenario
