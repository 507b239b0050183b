"""The monitor's bundled YAML files (docs/monitor.md): indicators, and one plan per unit with
its themes, ambitions, approach lines, agreements and targets. Parsed with file:line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from korps.common.datafile import SLUG_RE, DatasetError, Problem, parse_document
from korps.common.i18n import _

CODE_MAX = 60
NAME_MAX = 200
SOURCE_MAX = 300
SLUG_MAX = 120
USER_MAX = 80
Code = Annotated[str, Field(pattern=SLUG_RE, max_length=CODE_MAX)]
Year = Annotated[int, Field(ge=2000, le=2100)]

Measure = Literal["procent", "aantal", "euro", "score", "dagen"]
Direction = Literal["hoger", "lager"]
Aggregation = Literal["aandeel", "aantal", "som", "percentage", "mediaan", "gemiddelde"]
Obtained = Literal["berekend", "ingevoerd"]
Computation = Literal[
    "aanrijdtijd-prio-1",
    "aanrijdtijd-prio-2",
    "bezetting-wijkagenten",
    "formatie-bezetting",
    "ziekteverzuim",
    "tevredenheid-aangifte",
    "doorlooptijd-mediaan",
    "doorlooptijd-gemiddeld",
]
TargetKind = Literal["streefwaarde", "verbetering", "nb", "monitoring"]
PlanStatus = Literal["concept", "vastgesteld"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IndicatorSpec(_Strict):
    code: Code
    name: str = Field(min_length=1, max_length=NAME_MAX)
    definition: str = Field(min_length=1)
    measure: Measure
    direction: Direction
    aggregation: Aggregation
    obtained: Obtained
    computation: Computation | None = None
    source: str = Field(min_length=1, max_length=SOURCE_MAX)

    @model_validator(mode="after")
    def _computed_says_how(self) -> IndicatorSpec:
        if (self.obtained == "berekend") != (self.computation is not None):
            raise ValueError(
                _(
                    "een berekende indicator noemt zijn berekening (computation), een ingevoerde "
                    "niet"
                )
            )
        return self


class IndicatorFile(_Strict):
    kind: Literal["indicatoren"]
    indicators: list[IndicatorSpec] = Field(min_length=1)


class TargetSpec(_Strict):
    indicator: Code
    kind: TargetKind
    value: float | None = Field(default=None, allow_inf_nan=False)
    values: dict[Year, float] | None = None
    years: list[Year] | None = None
    published: str = Field(min_length=1)
    source: str = Field(min_length=1, max_length=SOURCE_MAX)
    note: str | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _figures_fit_kind(self) -> TargetSpec:
        numbered = self.value is not None or self.values is not None
        if self.value is not None and self.values is not None:
            raise ValueError(_("geef value (elk jaar) of values (per jaar), niet beide"))
        if self.kind == "streefwaarde" and not numbered:
            raise ValueError(_("een streefwaarde heeft een getal (value of values)"))
        if self.kind != "streefwaarde" and numbered:
            raise ValueError(_("een doel van soort {kind} heeft geen getal", kind=repr(self.kind)))
        if self.values is not None and self.years is not None:
            raise ValueError(_("values noemt de jaren al; laat years weg"))
        return self


class ApproachSpec(_Strict):
    line: str = Field(min_length=1)
    result: str = Field(min_length=1)


class AgreementSpec(_Strict):
    text: str = Field(min_length=1)
    source: str = Field(min_length=1, max_length=SOURCE_MAX)


class ThemeSpec(_Strict):
    code: Code
    title: str = Field(min_length=1, max_length=NAME_MAX)
    section: str = Field(min_length=1, max_length=SOURCE_MAX)
    ambitions: list[str] = Field(default_factory=list)
    approach: list[ApproachSpec] = Field(default_factory=list)
    agreements: list[AgreementSpec] = Field(default_factory=list)
    note: str | None = None
    targets: list[TargetSpec] = Field(default_factory=list)


class PlanFile(_Strict):
    kind: Literal["plan"]
    code: Code
    unit: Annotated[str, Field(pattern=SLUG_RE, max_length=SLUG_MAX)]
    title: str = Field(min_length=1, max_length=NAME_MAX)
    first_year: Year
    last_year: Year
    source: str = Field(min_length=1, max_length=SOURCE_MAX)
    status: PlanStatus = "concept"
    assumption: str | None = None
    themes: list[ThemeSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _years_in_order(self) -> PlanFile:
        if self.last_year < self.first_year:
            raise ValueError(_("last_year ligt voor first_year"))
        return self


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(
            str(path), [Problem("", _("bestand niet te lezen: {exc}", exc=exc))]
        ) from exc


def parse_indicators(text: str, file: str) -> IndicatorFile:
    spec, _root = parse_document(text, file, IndicatorFile)
    return spec


def parse_plan(text: str, file: str) -> tuple[PlanFile, object]:
    """The plan and its YAML root node (for the line of a problem found later)."""
    return parse_document(text, file, PlanFile)
