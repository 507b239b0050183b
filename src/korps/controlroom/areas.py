"""The areas (atoms) the dispatch policy works on, built from the organisation registry.

An area is a basisteam of the regional unit (eenheid) that covers at least one municipality
(``Coverage``); its centre and size come from :mod:`korps.organisation.places`. Travel
times between areas come from :func:`korps.dispatch.travel.travel_matrices` with the default
:class:`TravelModel`, exactly as the simulation computes them. Basisteams without
coverage (e.g. the Zeehavenpolitie's Havens) have no location and are not areas.

Built areas are cached per database and eenheid; the cache key includes a fingerprint of the
coverage, so reloading the organisation data rebuilds them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import URL, func, select
from sqlalchemy.orm import Session

from korps.common.i18n import _
from korps.dispatch.travel import TravelModel, travel_matrices
from korps.organisation.models import Coverage, Dataset, Gemeente, Unit
from korps.organisation.places import basisteam_places
from korps.organisation.service import NotFoundError


@dataclass(frozen=True)
class Cover:
    """A basisteam's part of a municipality: its share and, for a split municipality, the
    centre of the part it serves (``coverage.lat``/``lon``; None: the municipality's)."""

    basisteam_id: int
    share: float
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Areas:
    """The atoms of one eenheid, in a fixed order (by district, then basisteam position)."""

    eenheid_id: int
    eenheid_slug: str
    eenheid_name: str
    unit_ids: list[int]
    slugs: list[str]
    names: list[str]
    district_ids: list[int | None]
    district_slugs: list[str | None]
    district_names: list[str | None]
    atom_district: npt.NDArray[np.int64]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    area_km2: npt.NDArray[np.float64]
    travel: npt.NDArray[np.float64]
    covers: dict[str, list[Cover]] = field(default_factory=dict)  # gemeente code -> basisteams
    gemeente_names: dict[str, str] = field(default_factory=dict)
    gemeente_centres: dict[str, tuple[float, float]] = field(default_factory=dict)
    country: str = "NL"  # NL: a Dutch eenheid; BE: a Belgian police zone (its channels)

    @cached_property
    def index(self) -> dict[int, int]:
        """Unit id of a basisteam -> its position (atom)."""
        return {unit_id: i for i, unit_id in enumerate(self.unit_ids)}

    @cached_property
    def refs(self) -> dict[int, tuple[str, str]]:
        """Unit id -> (slug, name) of the eenheid, its districts and its areas."""
        refs = {self.eenheid_id: (self.eenheid_slug, self.eenheid_name)}
        for ids, slugs, names in (
            (self.unit_ids, self.slugs, self.names),
            (self.district_ids, self.district_slugs, self.district_names),
        ):
            for unit_id, slug, name in zip(ids, slugs, names, strict=True):
                if unit_id is not None and slug is not None and name is not None:
                    refs[unit_id] = (slug, name)
        return refs


def get_eenheid(session: Session, *, slug: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.slug == slug))
    if unit is None or unit.kind not in ("eenheid", "zone"):
        raise NotFoundError(_("onbekende eenheid {slug}", slug=repr(slug[:120])))
    return unit


def _district_of(unit: Unit, by_id: dict[int, Unit]) -> Unit | None:
    """The nearest ancestor of kind district (else the parent, e.g. the Zeehavenpolitie)."""
    node = by_id.get(unit.parent_id) if unit.parent_id is not None else None
    first = node
    while node is not None:
        if node.kind == "district":
            return node
        node = by_id.get(node.parent_id) if node.parent_id is not None else None
    return first


def build_areas(session: Session, *, eenheid: Unit, model: TravelModel | None = None) -> Areas:
    """The eenheid's areas and travel matrices, read from the database (no cache)."""
    units = session.scalars(
        select(Unit)
        .where(Unit.path.startswith(eenheid.path, autoescape=True))
        .order_by(Unit.depth, Unit.position, Unit.name)
    ).all()
    by_id = {u.id: u for u in units}
    rows = session.execute(
        select(Coverage.unit_id, Coverage.share, Coverage.lat, Coverage.lon, Gemeente)
        .join(Gemeente, Coverage.gemeente_code == Gemeente.code)
        .where(Coverage.unit_id.in_([u.id for u in units if u.kind == "basisteam"]))
        .order_by(Coverage.gemeente_code, Coverage.share.desc(), Coverage.unit_id)
    ).all()
    covers: dict[str, list[Cover]] = {}
    names: dict[str, str] = {}
    centres: dict[str, tuple[float, float]] = {}
    for unit_id, share, part_lat, part_lon, gemeente in rows:
        covers.setdefault(gemeente.code, []).append(Cover(unit_id, share, part_lat, part_lon))
        names[gemeente.code] = gemeente.name
        centres[gemeente.code] = (gemeente.lat, gemeente.lon)
    places = basisteam_places(session, unit_ids=[u.id for u in units if u.kind == "basisteam"])
    atoms = [u for u in units if u.id in places]
    districts = [_district_of(u, by_id) for u in atoms]
    order = sorted(
        range(len(atoms)),
        key=lambda i: (
            districts[i].position if districts[i] is not None else 10**6,  # type: ignore[union-attr]
            districts[i].name if districts[i] is not None else "",  # type: ignore[union-attr]
            atoms[i].position,
            atoms[i].name,
        ),
    )
    atoms = [atoms[i] for i in order]
    districts = [districts[i] for i in order]
    district_index: dict[int | None, int] = {}
    for district in districts:
        district_index.setdefault(district.id if district else None, len(district_index))
    lat = np.array([places[u.id].lat for u in atoms], dtype=np.float64)
    lon = np.array([places[u.id].lon for u in atoms], dtype=np.float64)
    size = np.array([places[u.id].area_km2 for u in atoms], dtype=np.float64)
    return Areas(
        eenheid_id=eenheid.id,
        eenheid_slug=eenheid.slug,
        eenheid_name=eenheid.name,
        unit_ids=[u.id for u in atoms],
        slugs=[u.slug for u in atoms],
        names=[u.name for u in atoms],
        district_ids=[d.id if d else None for d in districts],
        district_slugs=[d.slug if d else None for d in districts],
        district_names=[d.name if d else None for d in districts],
        atom_district=np.array(
            [district_index[d.id if d else None] for d in districts], dtype=np.int64
        ),
        lat=lat,
        lon=lon,
        area_km2=size,
        travel=travel_matrices(lat, lon, size, model or TravelModel()),
        covers=covers,
        gemeente_names=names,
        gemeente_centres=centres,
        country="BE" if eenheid.kind == "zone" else "NL",
    )


_CACHE: dict[Any, Areas] = {}  # (url, eenheid id, fingerprint) -> areas
_BY_SLUG: dict[Any, Areas] = {}  # (url, slug, fingerprint) -> areas
_CHECKED: dict[URL, tuple[float, tuple[object, ...]]] = {}  # url -> (when, fingerprint)
_LOCK = threading.Lock()
RECHECK_SECONDS = 5.0  # how long a fingerprint is trusted before it is read again


def _fingerprint(session: Session) -> tuple[object, ...]:
    loaded = session.execute(select(func.max(Dataset.loaded_at), func.count(Dataset.name))).one()
    covered = session.execute(select(func.count(Coverage.id), func.sum(Coverage.share))).one()
    return (str(loaded[0]), loaded[1], covered[0], round(float(covered[1] or 0), 9))


def _checked_fingerprint(session: Session) -> tuple[URL, tuple[object, ...]]:
    """The database's URL and its coverage fingerprint, read at most every RECHECK_SECONDS."""
    url = session.get_bind().engine.url
    with _LOCK:
        checked = _CHECKED.get(url)
    if checked is None or time.monotonic() - checked[0] > RECHECK_SECONDS:
        checked = (time.monotonic(), _fingerprint(session))
        with _LOCK:
            _CHECKED[url] = checked
    return url, checked[1]


def _memo(
    session: Session, table: dict[Any, Areas], ident: object, build: Callable[[], Areas]
) -> Areas:
    """``build()``, cached in ``table`` per database, ``ident`` and coverage fingerprint."""
    url, fingerprint = _checked_fingerprint(session)
    key = (url, ident, fingerprint)
    with _LOCK:
        cached = table.get(key)
    if cached is not None:
        return cached
    built = build()
    with _LOCK:
        if len(table) > 64:
            table.clear()
        table[key] = built
    return built


def areas_for(session: Session, *, eenheid: Unit) -> Areas:
    """The eenheid's areas, cached per database, eenheid and coverage fingerprint (read
    again at most every RECHECK_SECONDS, so a reload of the data is seen within seconds)."""
    return _memo(session, _CACHE, eenheid.id, lambda: build_areas(session, eenheid=eenheid))


def areas_of(session: Session, *, slug: str) -> Areas:
    """The areas of the eenheid with this slug, without reading the eenheid again while
    the fingerprint holds (the hot path of intake and the board). Unknown: NotFoundError."""
    return _memo(
        session,
        _BY_SLUG,
        slug,
        lambda: areas_for(session, eenheid=get_eenheid(session, slug=slug)),
    )


def _eenheid_by_id(session: Session, eenheid_id: int) -> Unit:
    eenheid = session.get(Unit, eenheid_id)
    if eenheid is None:
        raise NotFoundError(_("onbekende eenheid {eenheid_id}", eenheid_id=eenheid_id))
    return eenheid


def areas_by_id(session: Session, *, eenheid_id: int) -> Areas:
    """The areas of the eenheid with this id: the cache of :func:`areas_for`, without
    reading the eenheid while it holds (see :func:`areas_of`)."""
    return _memo(
        session,
        _CACHE,
        eenheid_id,
        lambda: build_areas(session, eenheid=_eenheid_by_id(session, eenheid_id)),
    )
