"""Where an incident is: its municipality (and optional lat/lon) resolved to the covering
basisteam and district of the regional unit.

The data has no sub-municipal boundaries. For a municipality split over several basisteams
(the city of Rotterdam over nine), the operator may name the basisteam; otherwise the
basisteam with the largest share of the municipality is taken. A location outside the
unit's area is refused: a municipality no basisteam of the eenheid covers, or a lat/lon
farther than ``max_distance_km`` (reference data, 10 km) from every covered municipality's
centre.
"""

from __future__ import annotations

from dataclasses import dataclass

from korps.controlroom.areas import Areas
from korps.controlroom.errors import InputError
from korps.dispatch.travel import great_circle_km


@dataclass(frozen=True)
class Location:
    gemeente_code: str
    gemeente_name: str
    atom: int  # index into Areas
    basisteam_id: int
    district_id: int | None


def find_gemeente(areas: Areas, text: str) -> str | None:
    """A CBS code (``GM0599``) or a name (case-insensitive) among the covered municipalities."""
    wanted = text.strip()
    if wanted.upper() in areas.covers:
        return wanted.upper()
    lowered = wanted.casefold()
    return next((c for c, n in areas.gemeente_names.items() if n.casefold() == lowered), None)


def resolve(
    areas: Areas,
    *,
    gemeente: str,
    basisteam: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    max_distance_km: float,
) -> Location:
    """Resolve to basisteam and district; raise InputError naming the field otherwise."""
    code = find_gemeente(areas, gemeente)
    if code is None:
        raise InputError(
            "gemeente",
            f"{gemeente!r} is outside the area of {areas.eenheid_name}: "
            "no basisteam of this unit covers it",
        )
    covers = areas.covers[code]
    index = areas.index
    if basisteam:
        slug = basisteam.strip()
        chosen = next((c for c in covers if areas.slugs[index[c.basisteam_id]] == slug), None)
        if chosen is None:
            options = ", ".join(areas.slugs[index[c.basisteam_id]] for c in covers)
            raise InputError(
                "basisteam",
                f"basisteam {slug!r} does not cover {areas.gemeente_names[code]} "
                f"(covered by: {options})",
            )
    else:
        chosen = covers[0]  # largest share first (see build_areas)
    if (lat is None) != (lon is None):
        raise InputError("lat" if lat is None else "lon", "give both lat and lon, or neither")
    if lat is not None and lon is not None:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError("lat", "not a WGS84 coordinate")
        nearest = min(
            float(great_circle_km(lat, lon, c_lat, c_lon))
            for c_lat, c_lon in areas.gemeente_centres.values()
        )
        if nearest > max_distance_km:
            raise InputError(
                "lat",
                f"location ({lat:.5f}, {lon:.5f}) is outside the area of {areas.eenheid_name}: "
                f"{nearest:.1f} km from the nearest covered municipality "
                f"(at most {max_distance_km:g} km)",
            )
    atom = index[chosen.basisteam_id]
    return Location(
        gemeente_code=code,
        gemeente_name=areas.gemeente_names[code],
        atom=atom,
        basisteam_id=chosen.basisteam_id,
        district_id=areas.district_ids[atom],
    )
