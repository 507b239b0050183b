"""Where a basisteam is: the centre and size of the area it serves, from its coverage.

A basisteam's centre is the mean of the centres of the municipalities (or parts of a
municipality) it covers, weighted by the inhabitants it serves there (share x population);
a coverage row with its own ``lat``/``lon`` (the part of a split municipality the team
serves, e.g. a borough of Rotterdam) uses that point instead of the municipality's
centroid. Its size is the covered area (area x share). One function, used by the
simulation and the control room alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.organisation.models import Coverage, Gemeente


@dataclass(frozen=True)
class Place:
    unit_id: int
    lat: float
    lon: float
    area_km2: float
    population: float  # inhabitants served (shares applied)


def basisteam_places(session: Session, *, unit_ids: Iterable[int]) -> dict[int, Place]:
    """The place of every unit in ``unit_ids`` that covers at least one municipality."""
    ids = list(unit_ids)
    sums: dict[int, list[float]] = {}  # weight, lat x weight, lon x weight, area, people
    query = (
        select(Coverage.unit_id, Coverage.share, Coverage.lat, Coverage.lon, Gemeente)
        .join(Gemeente, Coverage.gemeente_code == Gemeente.code)
        .where(Coverage.unit_id.in_(ids))
    )
    for unit_id, share, lat, lon, gemeente in session.execute(query):
        people = share * gemeente.population
        weight = max(people, 1e-9)
        row = sums.setdefault(unit_id, [0.0, 0.0, 0.0, 0.0, 0.0])
        row[0] += weight
        row[1] += (gemeente.lat if lat is None else lat) * weight
        row[2] += (gemeente.lon if lon is None else lon) * weight
        row[3] += share * gemeente.area_km2
        row[4] += people
    return {
        unit_id: Place(unit_id, row[1] / row[0], row[2] / row[0], row[3], row[4])
        for unit_id, row in sums.items()
    }
