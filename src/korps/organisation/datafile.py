"""The dataset YAML schema (docs/datasets.md) and its parser with file/line/path errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from korps.common.datafile import (
    CATEGORY_RE,
    SLUG_RE,
    Problem,
    format_path,
    line_of,
    parse_document,
    read_text,
)

GEMEENTE_RE = r"^GM[0-9]{4}$"

UnitKind = Literal[
    "korps", "eenheid", "dienst", "afdeling", "district", "basisteam", "team", "zone", "directie"
]
AuthorityRole = Literal["burgemeester", "hoofdofficier", "politiechef"]
PartnershipKind = Literal["veiligheidsregio", "veiligheidshuis", "riec"]

Slug = Annotated[str, Field(pattern=SLUG_RE, max_length=120)]
Category = Annotated[str, Field(pattern=CATEGORY_RE, max_length=40)]
GemeenteCode = Annotated[str, Field(pattern=GEMEENTE_RE)]
Fte = Annotated[float, Field(ge=0, allow_inf_nan=False)]
# the lengths of the columns these fields are stored in (korps.organisation.models)
SOURCE_MAX = 300
PERIOD_MAX = 20
DATASET_MAX = 80


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)


class FigureSpec(_Strict):
    value: Fte
    period: str | None = Field(default=None, max_length=PERIOD_MAX)
    source: str | None = Field(default=None, max_length=SOURCE_MAX)
    note: str | None = None
    assumption: str | None = None


class UnitSpec(_Strict):
    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    kind: UnitKind
    parent: Slug | None = None
    code: str | None = Field(default=None, max_length=20)
    region_code: str | None = Field(default=None, pattern=r"^RE[0-9]{2}$")
    description: str | None = None
    tasks: list[str] = Field(default_factory=list)
    source: str | None = Field(default=None, max_length=SOURCE_MAX)
    figures: dict[Category, FigureSpec] = Field(default_factory=dict)

    @field_validator("figures", mode="before")
    @classmethod
    def _number_is_value(cls, value: object) -> object:
        if isinstance(value, dict):
            return {
                key: {"value": item} if not isinstance(item, dict) else item
                for key, item in value.items()
            }
        return value

    @field_validator("code", mode="before")
    @classmethod
    def _code_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int | float) else value


class ExtraFigureSpec(FigureSpec):
    unit: Slug
    category: Category


class TotalSpec(_Strict):
    label: str = Field(min_length=1, max_length=300)
    category: Category
    published: Fte
    period: str | None = Field(default=None, max_length=PERIOD_MAX)
    rows: list[Slug] | None = None
    children_of: Slug | None = None
    of_kind: UnitKind | None = None
    source: str | None = Field(default=None, max_length=SOURCE_MAX)
    note: str | None = None


class CoverageSpec(_Strict):
    unit: Slug
    gemeente: GemeenteCode
    share: float = Field(default=1.0, gt=0, le=1)
    lat: float | None = Field(default=None, ge=50.0, le=54.0)  # centre of the part served
    lon: float | None = Field(default=None, ge=3.0, le=7.5)
    source: str | None = Field(default=None, max_length=SOURCE_MAX)
    assumption: str | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> CoverageSpec:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both `lat` and `lon` of the part served, or neither")
        return self


class AuthoritySpec(_Strict):
    name: str = Field(min_length=1, max_length=200)
    role: AuthorityRole
    unit: Slug | None = None
    gemeente: GemeenteCode | None = None
    published_as: str | None = Field(default=None, max_length=200)
    regioburgemeester: bool = False
    rvo: bool = False
    note: str | None = None
    source: str | None = Field(default=None, max_length=SOURCE_MAX)


class PartnershipSpec(_Strict):
    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    kind: PartnershipKind
    code: str | None = Field(default=None, max_length=10)
    members: list[GemeenteCode] = Field(default_factory=list)
    members_of_eenheid: str | None = Field(default=None, pattern=r"^RE[0-9]{2}$")
    source: str | None = Field(default=None, max_length=SOURCE_MAX)
    assumption: str | None = None


class DatasetFile(_Strict):
    dataset: Annotated[str, Field(pattern=SLUG_RE, max_length=DATASET_MAX)]
    title: str = Field(min_length=1, max_length=200)
    description: str | None = None
    source: str | None = Field(default=None, max_length=SOURCE_MAX)
    period: str = "onbekend"
    requires: list[Slug] = Field(default_factory=list)
    units: list[UnitSpec] = Field(default_factory=list)
    figures: list[ExtraFigureSpec] = Field(default_factory=list)
    totals: list[TotalSpec] = Field(default_factory=list)
    coverage: list[CoverageSpec] = Field(default_factory=list)
    authorities: list[AuthoritySpec] = Field(default_factory=list)
    partnerships: list[PartnershipSpec] = Field(default_factory=list)

    @field_validator("period", mode="before")
    @classmethod
    def _period_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value


@dataclass(frozen=True)
class ParsedFile:
    spec: DatasetFile
    root: yaml.Node | None
    file: str

    def problem(self, loc: Sequence[str | int], reason: str) -> Problem:
        return Problem(format_path(loc), reason, line_of(self.root, loc))


def parse_text(text: str, file: str) -> ParsedFile:
    """Parse and validate a dataset document; raise DatasetError naming file, line and path."""
    spec, root = parse_document(text, file, DatasetFile)
    return ParsedFile(spec=spec, root=root, file=file)


def parse_file(path: Path) -> ParsedFile:
    return parse_text(read_text(path), str(path))
