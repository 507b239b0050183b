"""Where an incident is: its municipality (and optional lat/lon) resolved to the covering
basisteam and district of the regional unit.

The data has no sub-municipal boundaries (``/work/shared/data`` and the bundled datasets give
municipal centroids; the coverage of a split municipality gives the centre of each part).
For a municipality split over several basisteams (the city of Rotterdam over nine) the
basisteam is, in this order:

1. the one the operator names (it must cover the municipality);
2. with a point (lat/lon): the basisteam whose part centre lies nearest to the point
   (great-circle distance; a part without a centre of its own counts at the municipality's
   centroid), so 51.88, 4.47 south of the Maas lands in Charlois, not in Maas-Rotte;
3. without a point: the basisteam with the largest share of the municipality.

A location outside the unit's area is refused: a municipality no basisteam of the eenheid
covers, or a lat/lon farther than ``max_distance_km`` (reference data, 10 km) from every
covered municipality's centre. See docs/controlroom-locations.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from korps.common.formatting import number, short
from korps.common.i18n import _
from korps.controlroom.areas import Areas, Cover
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


def nearest_part(areas: Areas, code: str, lat: float, lon: float) -> Cover:
    """The covering basisteam of municipality ``code`` whose part centre is nearest to the
    point (ties: the larger share, as listed)."""
    centre = areas.gemeente_centres[code]

    def distance(cover: Cover) -> float:
        c_lat, c_lon = centre
        if cover.lat is not None and cover.lon is not None:
            c_lat, c_lon = cover.lat, cover.lon
        return float(great_circle_km(lat, lon, c_lat, c_lon))

    return min(areas.covers[code], key=distance)


def _named(areas: Areas, code: str, basisteam: str) -> Cover:
    slug = basisteam.strip()
    covers = areas.covers[code]
    index = areas.index
    chosen = next((c for c in covers if areas.slugs[index[c.basisteam_id]] == slug), None)
    if chosen is None:
        options = ", ".join(areas.slugs[index[c.basisteam_id]] for c in covers)
        raise InputError(
            "basisteam",
            _(
                "basisteam {slug} dekt {gemeente} niet (wel gedekt door: {options})",
                slug=repr(slug),
                gemeente=areas.gemeente_names[code],
                options=options,
            ),
        )
    return chosen


def _check_point(areas: Areas, lat: float, lon: float, max_distance_km: float) -> None:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InputError("lat", _("geen WGS84-coördinaat"))
    nearest = min(
        float(great_circle_km(lat, lon, c_lat, c_lon))
        for c_lat, c_lon in areas.gemeente_centres.values()
    )
    if nearest > max_distance_km:
        point = (f"{lat:.5f}", f"{lon:.5f}")  # coordinates as written, not localised
        raise InputError(
            "lat",
            _(
                "locatie ({lat}, {lon}) ligt buiten het gebied van {eenheid_name}: {nearest} km "
                "van de dichtstbijzijnde gedekte gemeente (hoogstens {max_distance_km} km)",
                lat=point[0],
                lon=point[1],
                eenheid_name=areas.eenheid_name,
                nearest=number(nearest, 1),
                max_distance_km=short(max_distance_km),
            ),
        )


def resolve(
    areas: Areas,
    *,
    gemeente: str,
    basisteam: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    max_distance_km: float,
) -> Location:
    """Resolve to basisteam and district (the rule in the module docstring); raise
    InputError naming the field otherwise."""
    code = find_gemeente(areas, gemeente)
    if code is None:
        raise InputError(
            "gemeente",
            _(
                "{gemeente} ligt buiten het gebied van {eenheid_name}: geen basisteam van deze "
                "eenheid dekt deze gemeente",
                gemeente=repr(gemeente),
                eenheid_name=areas.eenheid_name,
            ),
        )
    if (lat is None) != (lon is None):
        raise InputError(
            "lat" if lat is None else "lon", _("geef breedte- én lengtegraad, of geen")
        )
    if lat is not None and lon is not None:
        _check_point(areas, lat, lon, max_distance_km)
    if basisteam:
        chosen = _named(areas, code, basisteam)
    elif lat is not None and lon is not None:
        chosen = nearest_part(areas, code, lat, lon)
    else:
        chosen = areas.covers[code][0]  # largest share first (see build_areas)
    atom = areas.index[chosen.basisteam_id]
    return Location(
        gemeente_code=code,
        gemeente_name=areas.gemeente_names[code],
        atom=atom,
        basisteam_id=chosen.basisteam_id,
        district_id=areas.district_ids[atom],
    )
