"""Travel times between areas (atoms, e.g. basisteam areas) per priority.

Without a measured matrix, the time from area a to area b is the great-circle distance
between their centres x a detour factor / the speed of the priority; within one area it is
the mean distance between two random points of a square of the area's size
(0.5214 x sqrt(area)) x the detour factor / speed; between two areas never less than the
mean of their two within-area distances. Defaults are assumptions, documented in
docs/simulation.md: detour 1.3 (road vs straight line in Dutch regions), speeds 70 / 55 /
45 km/h for prio 1 / 2 / 3 (with and without optical and audible signals).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from korps.common.datafile import DatasetError, Problem
from korps.common.i18n import _

EARTH_RADIUS_KM = 6371.0088
MEAN_DISTANCE_IN_SQUARE = 0.5214  # E|XY| for X, Y uniform in the unit square
PRIORITIES = (1, 2, 3)


@dataclass(frozen=True)
class TravelModel:
    detour: float = 1.3
    speed_kmh: Mapping[int, float] = field(default_factory=lambda: {1: 70.0, 2: 55.0, 3: 45.0})

    def __post_init__(self) -> None:
        if self.detour < 1:
            raise ValueError("detour factor must be >= 1")
        for priority in PRIORITIES:
            if self.speed_kmh.get(priority, 0) <= 0:
                raise ValueError(f"speed for prio {priority} must be > 0")


def great_circle_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Haversine distance in km (broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(lon2) - np.radians(lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h)), dtype=np.float64)


def distance_matrix_km(
    lat: npt.ArrayLike, lon: npt.ArrayLike, area_km2: npt.ArrayLike, *, detour: float
) -> npt.NDArray[np.float64]:
    lat_a, lon_a = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    km = great_circle_km(lat_a[:, None], lon_a[:, None], lat_a[None, :], lon_a[None, :])
    within = MEAN_DISTANCE_IN_SQUARE * np.sqrt(np.asarray(area_km2, dtype=float))
    # another area is never nearer than the mean distance within the two areas (two areas
    # with the same centre, e.g. parts of one municipality without their own centre)
    km = np.maximum(km, (within[:, None] + within[None, :]) / 2)
    np.fill_diagonal(km, within)
    return np.asarray(km * detour, dtype=np.float64)


def travel_matrices(
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    area_km2: npt.ArrayLike,
    model: TravelModel,
    *,
    speed_factors: npt.ArrayLike | None = None,
) -> npt.NDArray[np.float64]:
    """Minutes, shape (3, A, A): ``[priority - 1, from, to]``. ``speed_factors`` (one per
    area, e.g. ``density_factors``): a trip drives at the speed times the mean factor of
    its two areas (within an area: the area's own)."""
    km = distance_matrix_km(lat, lon, area_km2, detour=model.detour)
    if speed_factors is not None:
        f = np.asarray(speed_factors, dtype=np.float64)
        km = km / ((f[:, None] + f[None, :]) / 2)
    return np.stack([km / model.speed_kmh[p] * 60.0 for p in PRIORITIES])


def density_factors(
    population: npt.ArrayLike,
    area_km2: npt.ArrayLike,
    *,
    urban_density: float,
    urban_factor: float,
    rural_density: float,
    rural_factor: float,
) -> npt.NDArray[np.float64]:
    """Speed factor per area from its inhabitants per km2: ``urban_factor`` at
    ``urban_density`` and above, ``rural_factor`` at ``rural_density`` and below, linear in
    log density between (``korps.sim.scenario.DensitySpeeds``)."""
    density = np.asarray(population, dtype=np.float64) / np.asarray(area_km2, dtype=np.float64)
    low, high = math.log(rural_density), math.log(urban_density)
    x = np.clip((np.log(np.maximum(density, 1e-9)) - low) / (high - low), 0.0, 1.0)
    return np.asarray(rural_factor + x * (urban_factor - rural_factor), dtype=np.float64)


def read_matrix(path: Path, keys: Sequence[str]) -> npt.NDArray[np.float64]:
    """A CSV travel matrix in minutes: header ``from,<key>,<key>...``, one row per key.

    Used for every priority (a measured matrix already reflects the roads). Every key must
    be present as a row and as a column; values must be numbers >= 0.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(
            str(path), [Problem("", _("bestand niet te lezen: {error}", error=exc))]
        ) from exc
    if not rows:
        raise DatasetError(str(path), [Problem("", _("het bestand is leeg"))])
    header = [h.strip() for h in rows[0][1:]]
    body = {r[0].strip(): (n, r[1:]) for n, r in enumerate(rows[1:], start=2) if r}
    missing = [k for k in keys if k not in header or k not in body]
    if missing:
        raise DatasetError(
            str(path),
            [Problem("", _("de reistijdmatrix mist gebied {area}", area=repr(k))) for k in missing],
        )
    matrix = np.zeros((len(keys), len(keys)))
    problems = []
    for i, origin in enumerate(keys):
        line, cells = body[origin]
        for j, target in enumerate(keys):
            column = header.index(target)
            try:
                value = float(cells[column])
            except (IndexError, ValueError):
                where = _("rij {number}, kolom {column}", number=line, column=repr(target))
                problems.append(Problem(where, _("geen getal"), line))
                continue
            if value < 0:
                where = _("rij {number}, kolom {column}", number=line, column=repr(target))
                problems.append(Problem(where, _("negatief"), line))
            matrix[i, j] = value
    if problems:
        raise DatasetError(str(path), problems[:25])
    return np.stack([matrix, matrix, matrix])
