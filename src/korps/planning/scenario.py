"""The allocation scenario file (docs/allocation.md): what to distribute, over whom, how."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from korps.common.datafile import parse_document, read_text
from korps.common.i18n import _
from korps.planning.models import NAME_LENGTH

Column = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
UnitKind = Literal["district", "basisteam", "team", "dienst", "afdeling", "eenheid"]

#: indicators korps can compute from the bundled municipalities, via basisteam coverage
GEMEENTE_INDICATORS = ("inwoners", "oppervlakte_km2", "misdrijven_2023", "misdrijven_2024")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Reserve(_Spec):
    name: str = Field(min_length=1)
    amount: NonNeg
    unit: str | None = None


class Fixed(_Spec):
    amount: NonNeg
    label: str = "vast"


class Transfer(_Spec):
    to: str
    amount: NonNeg
    label: str = "overheveling"


class Norm(_Spec):
    """At least ``population / ratio`` (the wijkagent norm: 1 per 5000 inhabitants)."""

    population: Column = "inwoners"
    ratio: float = Field(5000, gt=0, le=1_000_000, allow_inf_nan=False)
    level: Literal["team", "unit"] = "team"
    label: str = "wijkagentnorm"


class Level(_Spec):
    kind: UnitKind | None = None  # the units of this kind under the scenario's unit
    weights: dict[Column, NonNeg] = Field(min_length=1)
    minimum: dict[str, NonNeg] = Field(default_factory=dict)  # team key (or "*") -> fte
    maximum: dict[str, NonNeg] = Field(default_factory=dict)
    fixed: Fixed | None = None
    transfers: list[Transfer] = Field(default_factory=list)
    norm: Norm | None = None

    @model_validator(mode="after")
    def _some_weight(self) -> Level:
        if self.weights and all(w == 0 for w in self.weights.values()):
            raise ValueError(
                _(
                    "alle gewichten zijn 0: geef minstens één gewicht groter dan 0 (anders krijgt "
                    "elk team hetzelfde)"
                )
            )
        return self


class TeamRow(_Spec):
    key: str = Field(min_length=1)
    name: str | None = None
    group: str | None = None
    values: dict[Column, float] = Field(default_factory=dict)


class Scenario(_Spec):
    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    description: str | None = None
    source: str | None = None
    unit: str | None = None  # a unit in the database whose teams are distributed over
    total: NonNeg | None = None  # default: the sum of `total_from` over the first level
    total_from: Column | None = None
    step: float | None = Field(0.1, ge=0.001, le=1000, allow_inf_nan=False)
    solver: Literal["exact", "highs"] = "exact"  # closed form, or the same QP in HiGHS
    reserve: list[Reserve] = Field(default_factory=list)
    levels: list[Level] = Field(min_length=1, max_length=3)
    compare: Column | None = None  # the figure shown beside the result as "current"
    indicators: list[Column] = Field(default_factory=list)  # computed from gemeenten
    derive: dict[Column, list[Column]] = Field(default_factory=dict)  # product of columns
    teams: list[TeamRow] = Field(default_factory=list)  # inline input instead of `unit`
    fit: Column | None = None  # fit the first level's weights to this column (NNLS)
    # CSV/XLSX with a `team` column, relative to this file: read by the command line only
    workload: str | None = Field(None, max_length=500)
    # a workload table stored in the database (uploaded on /werklast or over the API)
    workload_table: int | None = Field(None, ge=1, le=2**31 - 1)

    @field_validator("indicators")
    @classmethod
    def _known_indicators(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in GEMEENTE_INDICATORS]
        if unknown:
            known = ", ".join(GEMEENTE_INDICATORS)
            raise ValueError(
                _(
                    "onbekende indicator {name} (bekend: {known})",
                    name=repr(unknown[0]),
                    known=known,
                )
            )
        return value

    @model_validator(mode="after")
    def _one_source_of_teams(self) -> Scenario:
        if self.unit is None and not self.teams:
            raise ValueError(_("geef `unit` (teams uit de database) of eigen `teams`"))
        if self.workload is not None and self.workload_table is not None:
            raise ValueError(
                _("geef `workload` (een bestand) of `workload_table` (een nummer), niet beide")
            )
        if self.total is None and self.total_from is None:
            raise ValueError(_("geef `total` of `total_from`"))
        if self.unit is not None and any(level.kind is None for level in self.levels):
            raise ValueError(_("met `unit` heeft elk niveau een `kind` nodig"))
        weighted = {c for level in self.levels for c in level.weights}
        normed = {level.norm.population for level in self.levels if level.norm}
        unused = [c for c in self.indicators if c not in weighted | normed]
        if unused:
            raise ValueError(
                _(
                    "indicator {name} komt in de gewichten van geen enkel niveau voor",
                    name=repr(unused[0]),
                )
            )
        return self


def parse_scenario(text: str, file: str) -> Scenario:
    scenario, _root = parse_document(text, file, Scenario)
    return scenario


def read_scenario(path: Path) -> Scenario:
    """Parse a scenario file; a relative ``workload`` path is taken relative to it."""
    scenario = parse_scenario(read_text(path), str(path))
    if scenario.workload is not None and not Path(scenario.workload).is_absolute():
        scenario = scenario.model_copy(update={"workload": str(path.parent / scenario.workload)})
    return scenario
