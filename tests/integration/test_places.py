"""Where basisteams are: part centres of split municipalities, and the travel between them."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from korps.dispatch.travel import TravelModel, travel_matrices
from korps.organisation.models import Unit
from korps.organisation.places import basisteam_places
from tests.conftest import Db

CITY = [
    "rotterdam-b1-delfshaven",
    "rotterdam-d1-charlois",
    "rotterdam-d2-feijenoord",
    "rotterdam-d3-ijsselmonde",
]


def test_city_basisteams_have_their_own_centres(loaded_db: Db) -> None:
    with loaded_db.session() as session:
        ids = dict(session.execute(select(Unit.slug, Unit.id).where(Unit.slug.in_(CITY))).all())
        places = basisteam_places(session, unit_ids=ids.values())
    charlois = places[ids["rotterdam-d1-charlois"]]
    assert (charlois.lat, charlois.lon) == pytest.approx((51.880, 4.475))
    assert charlois.population == pytest.approx(0.1032 * 670_610)
    centres = {(round(p.lat, 3), round(p.lon, 3)) for p in places.values()}
    assert len(centres) == len(CITY)


def test_travel_between_areas_with_one_centre_is_not_zero() -> None:
    minutes = travel_matrices([51.9, 51.9], [4.4, 4.4], [16.0, 36.0], TravelModel())[0]
    within = np.diag(minutes)
    assert minutes[0, 1] == pytest.approx((within[0] + within[1]) / 2)
    assert minutes[0, 1] > within[0]
