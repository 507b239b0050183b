"""The default digital-twin scenario of a unit in the registry (``korps sim run --unit``).

Built from the database, so that ``korps.sim`` itself reads no database. Every default is an
assumption with its reason, here and in docs/simulation.md:

- **areas**: where the registry has basisteams with municipality coverage (Rotterdam,
  Oost-Nederland), those basisteams; elsewhere the unit's municipalities (CBS: population,
  area, centre), marked ``kind: gemeente``, with the veiligheidsregio as district. For
  ``politie``: the ten regional units together (the Landelijke Eenheid has no area of its
  own and is left out).
- **demand**: prio 1 is ``PRIO1_PER_INHABITANT`` per inhabitant, the national figure
  (309,824 prio-1 meldingen in 2014 for 16.83 million inhabitants, shared/data/README.md
  "Prio-1 reference figures"); prio 2 and 3 keep the crime-based rule (0.10 per inhabitant
  plus 1.0 per registered crime of 2023, of which 35 % prio 2 and 40 % prio 3).
- **roster**: shifts 07-15, 15-23, 23-07; per area enough noodhulp units for a utilisation
  of about 55 % of their time on duty at the shift's mean demand (at least one), the rule of
  the earlier default; it does not depend on the fitted availability, which then takes
  capacity away as own work does.
- **control room**: intake operators per shift for a utilisation of about 60 % at the
  shift's mean demand (at least 2); the intake times are the ``ControlRoom`` defaults.
- **availability, speeds, turnout**: ``TWIN_DEFAULTS``, fitted jointly to the national
  reference (the share within 15 minutes and "most" responses in 3-10 minutes) by
  ``korps sim calibrate --unit politie --target-share 0.855 --fit joint`` (method and
  residuals in docs/simulation.md).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.common.i18n import _
from korps.organisation.models import Coverage, Gemeente, GemeenteCrime, Unit
from korps.organisation.places import basisteam_places as organisation_places
from korps.organisation.service import get_unit
from korps.organisation.tree import subtree_query
from korps.sim.calibrate import Place
from korps.sim.demand import default_profile
from korps.sim.scenario import SimScenario

PRIO1_PER_INHABITANT = 309_824 / 16_829_289  # 2014: prio-1 meldingen / inhabitants (CBS)
PER_INHABITANT = 0.10  # prio 2 and 3 (with the crimes): all incidents, the old rule
PER_CRIME = 1.0
PRIORITY_SPLIT = {2: 0.35, 3: 0.40}  # of the crime-based total, as before
SHIFTS = (("D", "07:00", "15:00"), ("A", "15:00", "23:00"), ("N", "23:00", "07:00"))
TARGET_UTILISATION = 0.55
BUSY_MINUTES = 65.0  # mean on-scene time + travel out and back (defaults), per unit-job
TWO_UNIT_SHARE = 0.3
INTAKE_MINUTES = {1: 1.5, 2: 2.5, 3: 4.0}  # the ControlRoom defaults
OPERATOR_UTILISATION = 0.6  # intake operators per shift: busy about 60 % at its mean demand


@dataclass(frozen=True)
class TwinDefaults:
    """The free parameters of a unit's twin; the values fitted to the national reference
    (docs/simulation.md, "Calibration to the national prio-1 picture")."""

    availability: float = 0.425  # share of on-duty time free for incidents (fitted)
    episode_minutes: float = 45.0  # mean unavailable period (own work, transport, break)
    speed_scale: float = 1.2  # on the speeds 70 / 55 / 45 km/h (fitted)
    turnout_minutes: float = 0.5  # uitruktijd, every priority (fitted)
    density: bool = True  # urban and rural speeds (korps.sim.scenario.DensitySpeeds)

    def scenario_parts(self) -> dict[str, Any]:
        travel: dict[str, Any] = {
            "scale": self.speed_scale,
            "turnout_minutes": {p: self.turnout_minutes for p in (1, 2, 3)},
        }
        if self.density:
            travel["density"] = {}
        return {
            "travel": travel,
            "availability": {"share": self.availability, "episode_minutes": self.episode_minutes},
        }


TWIN_DEFAULTS = TwinDefaults()


def _shift_factor(start: str, end: str) -> float:
    """Mean of the default hour-of-week profile over the hours of a daily shift."""
    profile = default_profile()
    first, last = int(start[:2]), int(end[:2])
    hours = [(first + k) % 24 for k in range((last - first) % 24 or 24)]
    return float(sum(profile[d * 24 + h] for d in range(7) for h in hours) / (7 * len(hours)))


@dataclass(frozen=True)
class _Area:
    key: str
    name: str
    kind: str
    district: str
    lat: float
    lon: float
    area_km2: float
    population: float
    crimes: float


def _crime(session: Session) -> dict[str, float]:
    query = select(GemeenteCrime.gemeente_code, GemeenteCrime.total)
    return {
        code: float(total)
        for code, total in session.execute(query.where(GemeenteCrime.year == 2023))
    }


def _basisteam_areas(session: Session, root: Unit, prefix: str) -> list[_Area]:
    units = session.scalars(subtree_query(root)).all()
    parents = {u.id: u.slug for u in units}
    teams = [u for u in units if u.kind == "basisteam"]
    places = organisation_places(session, unit_ids=[u.id for u in teams])
    crime = _crime(session)
    crimes: dict[int, float] = defaultdict(float)
    query = select(Coverage.unit_id, Coverage.share, Coverage.gemeente_code)
    for unit_id, share, code in session.execute(query.where(Coverage.unit_id.in_(places))):
        crimes[unit_id] += share * crime.get(code, 0.0)
    areas = []
    for team in teams:
        place = places.get(team.id)
        if place is None or place.population <= 0:
            continue  # e.g. the port: no municipality, no modelled demand
        areas.append(
            _Area(
                key=team.slug,
                name=team.name,
                kind="basisteam",
                district=prefix + parents.get(team.parent_id or -1, "district"),
                lat=place.lat,
                lon=place.lon,
                area_km2=place.area_km2,
                population=place.population,
                crimes=crimes[team.id],
            )
        )
    return areas


def _municipality_areas(session: Session, region_code: str, prefix: str) -> list[_Area]:
    crime = _crime(session)
    query = select(Gemeente).where(Gemeente.politie_eenheid_code == region_code)
    return [
        _Area(
            key=f"gm-{g.code.lower()}",
            name=g.name,
            kind="gemeente",
            district=prefix + (g.veiligheidsregio_code or "district"),
            lat=g.lat,
            lon=g.lon,
            area_km2=g.land_area_km2 or g.area_km2,
            population=float(g.population),
            crimes=crime.get(g.code, 0.0),
        )
        for g in session.scalars(query.order_by(Gemeente.code))
        if g.population > 0
    ]


def _areas_of(session: Session, unit: Unit, prefix: str = "") -> list[_Area]:
    areas = _basisteam_areas(session, unit, prefix)
    if areas or not unit.region_code:
        return areas
    return _municipality_areas(session, unit.region_code, prefix)


def regional_units(session: Session, root: Unit) -> list[Unit]:
    """The regional units (with a region code) in ``root``'s subtree, or ``root`` itself."""
    if root.region_code:
        return [root]
    units = session.scalars(subtree_query(root, max_depth=1)).all()
    return [u for u in units if u.region_code and u.id != root.id]


def scenario_for_unit(
    session: Session,
    *,
    slug: str,
    days: float = 365,
    defaults: TwinDefaults = TWIN_DEFAULTS,
) -> SimScenario:
    """The default twin of ``slug``: a regional unit, or ``politie`` (all ten)."""
    root = get_unit(session, slug=slug)
    regions = regional_units(session, root)
    if len(regions) == 1 and regions[0].id == root.id:
        areas = _areas_of(session, root)
    else:
        areas = [a for unit in regions for a in _areas_of(session, unit, f"{unit.slug}/")]
    if not areas:
        raise ValueError(
            _(
                "{slug} heeft geen gebied om te simuleren: geen basisteam dat gemeenten dekt en "
                "geen eigen gemeenten (een regionale eenheid of politie heeft die wel)",
                slug=slug,
            )
        )
    factors = {name: _shift_factor(start, end) for name, start, end in SHIFTS}
    specs: list[dict[str, Any]] = []
    roster: dict[str, dict[str, int]] = {}
    total = {1: 0.0, 2: 0.0, 3: 0.0}
    for area in areas:
        crime_based = PER_INHABITANT * area.population + PER_CRIME * area.crimes
        rates = {1: PRIO1_PER_INHABITANT * area.population}
        rates |= {p: crime_based * share for p, share in PRIORITY_SPLIT.items()}
        specs.append(
            {
                "key": area.key,
                "name": area.name,
                "kind": area.kind,
                "district": area.district,
                "lat": round(area.lat, 5),
                "lon": round(area.lon, 5),
                "area_km2": round(area.area_km2, 2),
                "population": round(area.population),
                "incidents_per_year": {p: round(r, 1) for p, r in rates.items()},
            }
        )
        for p, rate in rates.items():
            total[p] += rate
        per_year = sum(rates.values())
        load = per_year / (365 * 24 * 60) * BUSY_MINUTES
        load *= 1 + TWO_UNIT_SHARE * rates[1] / per_year if per_year else 1
        roster[area.key] = {
            name: max(1, math.ceil(load * factors[name] / TARGET_UTILISATION))
            for name, _, _ in SHIFTS
        }
    intake = sum(total[p] * INTAKE_MINUTES[p] for p in total) / (365 * 24 * 60)
    operators = {
        name: max(2, math.ceil(intake * factors[name] / OPERATOR_UTILISATION))
        for name, _, _ in SHIFTS
    }
    kinds = {a.kind for a in areas}
    described = " en ".join(
        {"basisteam": "basisteams", "gemeente": "gemeenten (geen basisteamdekking)"}[k]
        for k in sorted(kinds)
    )
    return SimScenario.model_validate(
        {
            "name": f"{root.name} (standaardscenario)",
            "description": f"Afgeleid uit de database: {described}, inwoners en misdrijven "
            "2023; prio 1 naar het landelijke cijfer per inwoner; aannames in "
            "docs/simulation.md",
            "unit": slug,
            "days": days,
            "warmup_days": min(7.0, days / 5),
            "areas": specs,
            "two_unit_share": TWO_UNIT_SHARE,
            "control_room": {"operators": operators},
            "roster": {
                "shifts": [{"name": n, "start": s, "end": e} for n, s, e in SHIFTS],
                "units": roster,
            },
            **defaults.scenario_parts(),
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
            unplaced[slug] = _("niet in de database")
        elif unit.kind != "basisteam":
            unplaced[slug] = _("een {kind}, geen basisteam", kind=unit.kind)
        elif unit.id not in located or located[unit.id].population <= 0:
            unplaced[slug] = _("dekt geen gemeente in de database en heeft dus geen plaats")
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
