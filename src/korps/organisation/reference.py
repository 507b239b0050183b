"""The ``gemeenten`` reference dataset: municipalities, registered crime, veiligheidsregio's.

Read from the CSV files bundled in ``korps/datasets`` (provenance in
``gemeenten.provenance.md``), validated row by row, written by the caller's transaction.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from korps.common.datafile import DatasetError, Problem, pydantic_reason
from korps.common.formatting import number
from korps.common.i18n import _
from korps.organisation.models import Gemeente, GemeenteCrime
from korps.organisation.partnerships import PartnershipRow, replace_partnerships

DATASET = "gemeenten"
SOURCE = "gemeenten.csv, misdrijven_per_gemeente.csv (provenance: gemeenten.provenance.md)"
CRIME_TYPES = (
    "diefstal_inbraak_woning",
    "diefstal_inbraak_bedrijven",
    "diefstal_motorvoertuigen",
    "diefstal_fietsen",
    "winkeldiefstal",
    "straatroof",
    "bedreiging",
    "mishandeling",
    "vernieling",
    "drugs_drankoverlast",
    "cybercrime",
    "horizontale_fraude",
)
NonNegInt = Annotated[int, Field(ge=0)]
M = TypeVar("M", bound=BaseModel)


class GemeenteRow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    cbs_code: str = Field(pattern=r"^GM[0-9]{4}$")
    name: str = Field(min_length=1)
    province: str
    population: NonNegInt
    population_year: int
    population_2023: NonNegInt | None = None
    area_km2: float = Field(gt=0)
    land_area_km2: float | None = Field(default=None, ge=0)
    lat: float = Field(ge=50.0, le=54.0)
    lon: float = Field(ge=3.0, le=7.5)
    veiligheidsregio_code: str = Field(pattern=r"^VR[0-9]{2}$")
    politie_eenheid_code: str = Field(pattern=r"^RE[0-9]{2}$")
    politie_eenheid: str


class CrimeRow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    cbs_code: str = Field(pattern=r"^GM[0-9]{4}$")
    year: int = Field(ge=1990, le=2100)
    misdrijven_totaal: NonNegInt
    inwoners_1jan: NonNegInt
    by_type: dict[str, NonNegInt]


class RegionRow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: str = Field(pattern=r"^VR[0-9]{2}$")
    name: str = Field(min_length=1)


@dataclass
class ReferenceData:
    gemeenten: list[GemeenteRow] = field(default_factory=list)
    crime: list[CrimeRow] = field(default_factory=list)
    regions: list[RegionRow] = field(default_factory=list)


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from enumerate(csv.DictReader(handle), start=2)


def _validate_csv(path: Path, model: type[M]) -> list[M]:
    problems: list[Problem] = []
    result: list[M] = []
    try:
        for line, row in _rows(path):
            data: dict[str, object] = dict(row)
            if model is CrimeRow:
                data["by_type"] = {name: row.get(name) for name in CRIME_TYPES}
            try:
                result.append(model.model_validate(data))
            except ValidationError as exc:
                for error in exc.errors():
                    column = ".".join(str(p) for p in error["loc"])
                    problems.append(
                        Problem(_("kolom {column}", column=column), pydantic_reason(error), line)
                    )
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        problems.append(Problem("", _("het CSV-bestand is niet te lezen: {error}", error=exc)))
    if problems:
        raise DatasetError(str(path), problems[:20])
    return result


def read_reference(directory: Path) -> ReferenceData:
    """Validate the bundled CSV files; raise DatasetError with file, line and column."""
    data = ReferenceData(
        gemeenten=_validate_csv(directory / "gemeenten.csv", GemeenteRow),
        crime=_validate_csv(directory / "misdrijven_per_gemeente.csv", CrimeRow),
        regions=_validate_csv(directory / "veiligheidsregios.csv", RegionRow),
    )
    codes = {row.cbs_code for row in data.gemeenten}
    counts = Counter(row.cbs_code for row in data.gemeenten)
    problems = [
        Problem("cbs_code", f"duplicate municipality {c}") for c, n in counts.items() if n > 1
    ]
    problems += [
        Problem("cbs_code", f"crime row for unknown municipality {row.cbs_code}")
        for row in data.crime
        if row.cbs_code not in codes
    ]
    if problems:
        raise DatasetError(str(directory), problems)
    return data


def region_slug(name: str) -> str:
    return "vr-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def write_reference(session: Session, data: ReferenceData) -> list[str]:
    """Upsert municipalities, replace crime rows and veiligheidsregio partnerships."""
    existing = {g.code: g for g in session.scalars(select(Gemeente))}
    for row in data.gemeenten:
        gemeente = existing.get(row.cbs_code) or Gemeente(code=row.cbs_code)
        gemeente.name = row.name
        gemeente.province = row.province
        gemeente.population = row.population
        gemeente.population_year = row.population_year
        gemeente.population_2023 = row.population_2023
        gemeente.area_km2 = row.area_km2
        gemeente.land_area_km2 = row.land_area_km2
        gemeente.lat, gemeente.lon = row.lat, row.lon
        gemeente.veiligheidsregio_code = row.veiligheidsregio_code
        gemeente.politie_eenheid_code = row.politie_eenheid_code
        gemeente.politie_eenheid = row.politie_eenheid
        gemeente.dataset = DATASET
        session.add(gemeente)
    session.flush()
    session.execute(delete(GemeenteCrime))
    session.add_all(
        GemeenteCrime(
            gemeente_code=row.cbs_code,
            year=row.year,
            total=row.misdrijven_totaal,
            by_type=row.by_type,
            population=row.inwoners_1jan,
        )
        for row in data.crime
    )
    replace_partnerships(
        session,
        dataset=DATASET,
        rows=(
            PartnershipRow(
                slug=region_slug(region.name),
                name=f"Veiligheidsregio {region.name}",
                kind="veiligheidsregio",
                code=region.code,
                source="veiligheidsregios.csv, gemeenten.csv (provenance: gemeenten.provenance.md)",
                assumption=None,
                members=tuple(
                    g.cbs_code for g in data.gemeenten if g.veiligheidsregio_code == region.code
                ),
            )
            for region in data.regions
        ),
    )
    population = sum(g.population for g in data.gemeenten)
    return [
        _(
            "{count} gemeenten ({population} inwoners op 1-1-2024)",
            count=len(data.gemeenten),
            population=number(population, 0),
        ),
        _("{count} rijen geregistreerde misdrijven", count=len(data.crime)),
        _("{count} veiligheidsregio's", count=len(data.regions)),
    ]
