"""A default digital-twin scenario for a unit in the database (``korps sim run --unit``).

Every default is an assumption, documented here and in docs/simulation.md:
- areas: the unit's basisteams that cover municipalities; centre and size from
  ``korps.organisation.places`` (inhabitant-weighted centre of the covered municipalities or
  parts of them, covered area);
- demand: 0.10 incidents per inhabitant per year plus 1.0 per registered crime (2023),
  25 % prio 1, 35 % prio 2, 40 % prio 3 (a Rotterdam-sized unit gets ~300,000 a year);
- roster: shifts 07-15, 15-23, 23-07 with, per basisteam, enough noodhulp units for a
  utilisation of about 55 % at the shift's mean demand (at least one unit);
- the rest: the defaults of ``SimScenario`` (service, intake, travel, norms).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.organisation.models import Coverage, GemeenteCrime, Unit
from korps.organisation.places import basisteam_places as organisation_places
from korps.organisation.service import get_unit
from korps.organisation.tree import subtree_query
from korps.sim.calibrate import Place
from korps.sim.demand import default_profile
from korps.sim.scenario import SimScenario

PER_INHABITANT = 0.10
PER_CRIME = 1.0
PRIORITY_SPLIT = {1: 0.25, 2: 0.35, 3: 0.40}
SHIFTS = (("D", "07:00", "15:00"), ("A", "15:00", "23:00"), ("N", "23:00", "07:00"))
TARGET_UTILISATION = 0.55
BUSY_MINUTES = 65.0  # mean on-scene time + travel out and back (defaults), per unit-job


def _shift_factor(start: str, end: str) -> float:
    """Mean of the default hour-of-week profile over the hours of a daily shift."""
    profile = default_profile()
    first, last = int(start[:2]), int(end[:2])
    hours = [(first + k) % 24 for k in range((last - first) % 24 or 24)]
    return float(sum(profile[d * 24 + h] for d in range(7) for h in hours) / (7 * len(hours)))


def scenario_for_unit(session: Session, *, slug: str, days: float = 365) -> SimScenario:
    root = get_unit(session, slug=slug)
    units = session.scalars(subtree_query(root)).all()
    parents = {u.id: u.slug for u in units}
    teams = [u for u in units if u.kind == "basisteam"]
    places = organisation_places(session, unit_ids=[u.id for u in teams])
    crime = {
        code: total
        for code, total in session.execute(
            select(GemeenteCrime.gemeente_code, GemeenteCrime.total).where(
                GemeenteCrime.year == 2023
            )
        )
    }
    crimes: dict[int, float] = defaultdict(float)
    query = select(Coverage.unit_id, Coverage.share, Coverage.gemeente_code)
    for unit_id, share, code in session.execute(query.where(Coverage.unit_id.in_(places))):
        crimes[unit_id] += share * crime.get(code, 0)
    areas = []
    roster: dict[str, dict[str, int]] = {}
    factors = {name: _shift_factor(start, end) for name, start, end in SHIFTS}
    for team in teams:
        place = places.get(team.id)
        if place is None or place.population <= 0:
            continue  # e.g. the port: no municipality, no modelled demand
        per_year = PER_INHABITANT * place.population + PER_CRIME * crimes[team.id]
        areas.append(
            {
                "key": team.slug,
                "name": team.name,
                "district": parents.get(team.parent_id or -1, "district"),
                "lat": round(place.lat, 5),
                "lon": round(place.lon, 5),
                "area_km2": round(place.area_km2, 2),
                "incidents_per_year": {
                    p: round(per_year * f, 1) for p, f in PRIORITY_SPLIT.items()
                },
            }
        )
        load = per_year / (365 * 24 * 60) * BUSY_MINUTES * (1 + 0.3 * PRIORITY_SPLIT[1])
        roster[team.slug] = {
            name: max(1, math.ceil(load * factors[name] / TARGET_UTILISATION))
            for name, _, _ in SHIFTS
        }
    return SimScenario.model_validate(
        {
            "name": f"{root.name} (standaardscenario)",
            "description": "Afgeleid uit de database: basisteams, inwoners en misdrijven 2023; "
            "aannames in docs/simulation.md",
            "unit": slug,
            "days": days,
            "areas": areas,
            "roster": {
                "shifts": [{"name": n, "start": s, "end": e} for n, s, e in SHIFTS],
                "units": roster,
            },
        }
    )


def basisteam_places(
    session: Session, slugs: Iterable[str]
) -> tuple[dict[str, Place], dict[str, str]]:
    """Centre, covered area and district of each basisteam slug (``korps.organisation
    .places``), for ``korps sim calibrate``; and, per slug that has no place, the reason."""
    wanted = sorted(set(slugs))
    units = {u.slug: u for u in session.scalars(select(Unit).where(Unit.slug.in_(wanted)))}
    parent_ids = {u.parent_id for u in units.values() if u.parent_id is not None}
    query_parents = select(Unit.id, Unit.slug).where(Unit.id.in_(parent_ids))
    parents = {unit_id: slug for unit_id, slug in session.execute(query_parents)}
    located = organisation_places(session, unit_ids=[u.id for u in units.values()])
    places: dict[str, Place] = {}
    unplaced: dict[str, str] = {}
    for slug in wanted:
        unit = units.get(slug)
        if unit is None:
            unplaced[slug] = "not in the database"
        elif unit.kind != "basisteam":
            unplaced[slug] = f"a {unit.kind}, not a basisteam"
        elif unit.id not in located or located[unit.id].population <= 0:
            unplaced[slug] = "covers no municipality in the database, so it has no location"
        else:
            place = located[unit.id]
            places[slug] = Place(
                key=slug,
                name=unit.name,
                district=parents.get(unit.parent_id or -1, "district"),
                lat=round(place.lat, 5),
                lon=round(place.lon, 5),
                area_km2=round(place.area_km2, 2),
            )
    return places, unplaced
