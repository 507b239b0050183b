"""The location rule of the control room (issue #14 item 8), on a made-up unit with one
municipality split in three parts (North and South have a part centre, West has none and
counts at the municipality's centroid) and one whole municipality."""

from __future__ import annotations

import numpy as np
import pytest

from korps.controlroom.areas import Areas, Cover
from korps.controlroom.errors import InputError
from korps.controlroom.locations import nearest_part, resolve

CITY = (52.00, 4.40)  # the split municipality's centroid


def _areas() -> Areas:
    n = 4
    return Areas(
        eenheid_id=1,
        eenheid_slug="proef",
        eenheid_name="Eenheid Proef",
        unit_ids=[10, 11, 12, 13],
        slugs=["noord", "zuid", "west", "dorp"],
        names=["Noord", "Zuid", "West", "Dorp"],
        district_ids=[2, 2, 3, 3],
        district_slugs=["d-a", "d-a", "d-b", "d-b"],
        district_names=["A", "A", "B", "B"],
        atom_district=np.array([0, 0, 1, 1], dtype=np.int64),
        lat=np.zeros(n),
        lon=np.zeros(n),
        area_km2=np.ones(n),
        travel=np.zeros((3, n, n)),
        covers={
            "GM0001": [  # largest share first, as build_areas orders them
                Cover(11, 0.5, 51.95, 4.45),
                Cover(10, 0.3, 52.05, 4.45),
                Cover(12, 0.2, None, None),
            ],
            "GM0002": [Cover(13, 1.0)],
        },
        gemeente_names={"GM0001": "Stad", "GM0002": "Dorp"},
        gemeente_centres={"GM0001": CITY, "GM0002": (52.10, 4.60)},
    )


@pytest.mark.parametrize(
    ("lat", "lon", "team"),
    [
        (52.05, 4.45, "noord"),  # on North's centre
        (52.03, 4.47, "noord"),
        (51.95, 4.45, "zuid"),  # on South's centre
        (51.96, 4.50, "zuid"),
        (52.00, 4.38, "west"),  # near the centroid, where West counts
    ],
)
def test_a_point_lands_in_the_part_whose_centre_is_nearest(
    lat: float, lon: float, team: str
) -> None:
    areas = _areas()
    where = resolve(areas, gemeente="Stad", lat=lat, lon=lon, max_distance_km=20)
    assert areas.slugs[where.atom] == team
    assert where.basisteam_id == nearest_part(areas, "GM0001", lat, lon).basisteam_id


def test_without_a_point_the_largest_share_and_a_named_team_wins_over_the_point() -> None:
    areas = _areas()
    assert areas.slugs[resolve(areas, gemeente="stad", max_distance_km=20).atom] == "zuid"
    named = resolve(
        areas, gemeente="GM0001", basisteam="west", lat=52.05, lon=4.45, max_distance_km=20
    )
    assert (areas.slugs[named.atom], named.district_id) == ("west", 3)
    whole = resolve(areas, gemeente="Dorp", lat=51.95, lon=4.45, max_distance_km=20)
    assert areas.slugs[whole.atom] == "dorp"  # a whole municipality: its one team


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"gemeente": "Elders"}, "gemeente", "ligt buiten het gebied van Eenheid Proef"),
        ({"basisteam": "dorp"}, "basisteam", "basisteam 'dorp' dekt Stad niet"),
        ({"lat": 52.0}, "lon", "geef breedte- én lengtegraad, of geen"),
        ({"lat": 53.0, "lon": 6.0}, "lat", "ligt buiten het gebied van Eenheid Proef"),
    ],
)
def test_refusals_name_the_field_in_dutch(
    fields: dict[str, object], field: str, message: str
) -> None:
    arguments: dict[str, object] = {"gemeente": "Stad", "max_distance_km": 20, **fields}
    with pytest.raises(InputError) as refused:
        resolve(_areas(), **arguments)  # type: ignore[arg-type]
    assert refused.value.field == field and message in refused.value.message
