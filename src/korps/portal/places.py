"""Where a reported event happened: a municipality (name or CBS code) and/or a map point,
resolved to the municipality, the covering basisteam, its district and its eenheid.

The municipality is looked up among all Dutch municipalities of the registry; a point is
taken to lie in the municipality with the nearest centre (the data has no boundaries) and
must be in the Netherlands. The basisteam and district come from the control room's
resolution (:func:`korps.controlroom.locations.resolve` on the eenheid's areas: the
basisteam with the largest share of a split municipality). A municipality no loaded
basisteam covers goes to the regional unit of its politie-eenheid code.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.common.i18n import _
from korps.controlroom.areas import areas_by_id
from korps.controlroom.errors import InputError
from korps.controlroom.locations import resolve
from korps.controlroom.reference import bundled_reference
from korps.dispatch.travel import great_circle_km
from korps.organisation.models import Coverage, Gemeente, Unit
from korps.portal.errors import PortalInputError

#: a generous box around the European Netherlands (WGS84)
NL_LAT = (50.70, 53.60)
NL_LON = (3.30, 7.25)
MAX_KM_FROM_CENTRE = 25.0  # a point farther from every municipality's centre is not in NL


@dataclass(frozen=True)
class Place:
    gemeente_code: str
    gemeente_name: str
    basisteam_id: int | None
    district_id: int | None
    eenheid_id: int | None
    lat: float | None
    lon: float | None


def _gemeente_by_text(session: Session, text: str) -> Gemeente | None:
    wanted = text.strip()
    if not wanted:
        return None
    found = session.get(Gemeente, wanted.upper()[:6]) if len(wanted) <= 6 else None
    if found is not None:
        return found
    folded = wanted.casefold()
    for gemeente in session.scalars(select(Gemeente).where(Gemeente.name.ilike(wanted[:120]))):
        if gemeente.name.casefold() == folded:
            return gemeente
    return None


def _nearest(session: Session, lat: float, lon: float) -> tuple[Gemeente, float, int | None]:
    """The municipality whose centre, or the centre of one of its basisteams' parts (split
    municipalities), is nearest the point; with that basisteam when a part was nearest."""
    best: tuple[str, float, int | None] | None = None
    centres = session.execute(select(Gemeente.code, Gemeente.lat, Gemeente.lon)).all()
    parts = session.execute(
        select(Coverage.gemeente_code, Coverage.lat, Coverage.lon, Coverage.unit_id).where(
            Coverage.lat.is_not(None), Coverage.lon.is_not(None)
        )
    ).all()
    candidates: list[tuple[str, float, float, int | None]] = [
        (c, la, lo, None) for c, la, lo in centres
    ]
    candidates += [(c, la, lo, u) for c, la, lo, u in parts if la is not None and lo is not None]
    for code, c_lat, c_lon, unit_id in candidates:
        km = float(great_circle_km(lat, lon, c_lat, c_lon))
        if best is None or km < best[1]:
            best = (code, km, unit_id)
    gemeente = session.get(Gemeente, best[0]) if best is not None else None
    if best is None or gemeente is None:
        raise PortalInputError.one("gemeente", _("er zijn geen gemeenten geladen in het register"))
    return gemeente, best[1], best[2]


def _ancestors(session: Session, unit: Unit) -> list[Unit]:
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    return list(session.scalars(select(Unit).where(Unit.id.in_(ids))))


def resolve_place(
    session: Session, *, gemeente: str, lat: float | None, lon: float | None
) -> Place:
    """Resolve the form's location; raise PortalInputError naming the field otherwise."""
    if (lat is None) != (lon is None):
        raise PortalInputError.one(
            "locatie", _("geef zowel breedte- als lengtegraad, of geen van beide")
        )
    found: Gemeente | None = None
    part: int | None = None
    if lat is not None and lon is not None:
        inside = NL_LAT[0] <= lat <= NL_LAT[1] and NL_LON[0] <= lon <= NL_LON[1]
        nearest, km, part = _nearest(session, lat, lon) if inside else (None, 0.0, None)
        if nearest is None or km > MAX_KM_FROM_CENTRE:
            raise PortalInputError.one(
                "locatie",
                _("deze plek ligt buiten Nederland; doe aangifte in het land waar het gebeurde"),
            )
        found = nearest
    if gemeente.strip():
        named = _gemeente_by_text(session, gemeente)
        if named is None:
            raise PortalInputError.one(
                "gemeente",
                _(
                    "onbekende gemeente {gemeente}: kies een Nederlandse gemeente uit de lijst",
                    gemeente=repr(gemeente.strip()[:60]),
                ),
            )
        if found is not None and named.code != found.code:
            part = None  # the named municipality wins over the point's nearest one
        found = named
    if found is None:
        raise PortalInputError.one("gemeente", _("vul de gemeente in of kies een punt op de kaart"))
    return _covered(session, found, lat, lon, part)


def _covered(
    session: Session, gemeente: Gemeente, lat: float | None, lon: float | None, part: int | None
) -> Place:
    """The basisteam of the nearest part (a point in a split municipality), else the one
    with the largest share, its district and eenheid."""
    basisteam = session.scalar(
        select(Unit)
        .join(Coverage, Coverage.unit_id == Unit.id)
        .where(Coverage.gemeente_code == gemeente.code, Unit.kind == "basisteam")
        .order_by((Coverage.unit_id == (part or 0)).desc(), Coverage.share.desc(), Unit.id)
        .limit(1)
    )
    if basisteam is not None:
        eenheid = next(
            (u for u in _ancestors(session, basisteam) if u.kind in ("eenheid", "zone")), None
        )
        if eenheid is not None:
            try:
                areas = areas_by_id(session, eenheid_id=eenheid.id)
                where = resolve(
                    areas,
                    gemeente=gemeente.code,
                    basisteam=basisteam.slug if part == basisteam.id else None,
                    max_distance_km=bundled_reference().location.max_distance_km,
                )
                return Place(
                    gemeente.code, gemeente.name, where.basisteam_id, where.district_id,
                    eenheid.id, lat, lon,
                )  # fmt: skip
            except (InputError, KeyError):
                pass  # a basisteam without a place: fall back to the direct coverage below
        district = next((u for u in _ancestors(session, basisteam) if u.kind == "district"), None)
        return Place(
            gemeente.code, gemeente.name, basisteam.id, district.id if district else None,
            eenheid.id if eenheid else None, lat, lon,
        )  # fmt: skip
    eenheid = session.scalar(
        select(Unit)
        .where(Unit.region_code == gemeente.politie_eenheid_code, Unit.kind == "eenheid")
        .limit(1)
    )
    if eenheid is None:
        raise PortalInputError.one(
            "gemeente", _("het register kent geen politie-eenheid voor {name}", name=gemeente.name)
        )
    return Place(gemeente.code, gemeente.name, None, None, eenheid.id, lat, lon)
