"""Pydantic shapes the API, CLI and pages return."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class FigureOut(_Out):
    category: str
    period: str
    value: float
    source: str | None = None
    note: str | None = None
    assumption: str | None = None


class UnitRef(_Out):
    slug: str
    name: str
    kind: str
    code: str | None = None


class UnitSummary(UnitRef):
    parent_name: str | None = Field(None, description="name of the unit above it")
    fte: float | None = Field(None, description="published formatie, else operationele sterkte")
    wijkagenten: float | None = Field(None, description="wijkagenten, else minimum wijkagenten")
    dataset: str


class UnitNode(UnitSummary):
    children: list[UnitNode] = Field(default_factory=list)


class TotalOut(_Out):
    label: str
    category: str
    period: str
    published: float
    computed: float | None = None
    rows: list[str] = Field(default_factory=list)
    source: str | None = None

    @property
    def difference(self) -> float | None:
        return None if self.computed is None else round(self.computed - self.published, 6)


class GemeenteRef(_Out):
    code: str
    name: str
    population: int


class CoverageOut(_Out):
    gemeente: GemeenteRef
    unit: UnitRef
    share: float
    assumption: str | None = None
    source: str | None = None


class PartnershipRef(_Out):
    slug: str
    name: str
    kind: str
    code: str | None = None


class PartnershipOut(PartnershipRef):
    source: str | None = None
    assumption: str | None = None
    members: list[GemeenteRef] = Field(default_factory=list)


class AuthorityOut(_Out):
    name: str
    role: str
    gemeente_code: str | None = None
    published_as: str | None = None
    regioburgemeester: bool
    rvo: bool
    note: str | None = None


class UnitDetail(UnitSummary):
    description: str | None = None
    tasks: list[str] = Field(default_factory=list)
    source: str | None = None
    region_code: str | None = None
    parent: UnitRef | None = None
    breadcrumbs: list[UnitRef] = Field(default_factory=list)
    children: list[UnitSummary] = Field(default_factory=list)
    figures: list[FigureOut] = Field(default_factory=list)
    totals: list[TotalOut] = Field(default_factory=list)
    coverage: list[CoverageOut] = Field(default_factory=list)
    population: int | None = Field(None, description="inhabitants of the covered municipalities")
    partnerships: list[PartnershipRef] = Field(default_factory=list)
    authorities: list[AuthorityOut] = Field(default_factory=list)


class CrimeOut(_Out):
    year: int
    total: int
    population: int
    by_type: dict[str, int]


class GemeenteDetail(_Out):
    code: str
    name: str
    province: str
    population: int
    population_year: int
    area_km2: float
    lat: float
    lon: float
    veiligheidsregio_code: str
    politie_eenheid_code: str
    politie_eenheid: str
    basisteams: list[CoverageOut] = Field(default_factory=list)
    districts: list[UnitRef] = Field(default_factory=list)
    eenheid: UnitRef | None = None
    partnerships: list[PartnershipRef] = Field(default_factory=list)
    authorities: list[AuthorityOut] = Field(default_factory=list)
    crime: list[CrimeOut] = Field(default_factory=list)


class DatasetOut(_Out):
    name: str
    title: str
    source: str | None = None
    messages: list[str] = Field(default_factory=list)


class ErrorOut(BaseModel):
    detail: str
