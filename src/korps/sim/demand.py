"""Incidents drawn for one replication: Poisson arrivals shaped by an hour-of-week profile.

Time 0 is Monday 00:00; times are minutes. Every draw goes through the ``numpy.random
.Generator`` passed in: same seed, same incidents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from korps.sim.scenario import Duration

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# assumption: relative demand by hour of day (police call-outs are lowest around 05:00 and
# highest in the evening); Friday and Saturday nights (22:00-05:00) x 1.4 for nightlife.
DIURNAL = np.array(
    [
        0.90,
        0.75,
        0.60,
        0.50,
        0.42,
        0.40,
        0.50,
        0.70,
        0.85,
        0.95,
        1.00,
        1.05,
        1.10,
        1.10,
        1.10,
        1.15,
        1.20,
        1.25,
        1.30,
        1.30,
        1.30,
        1.25,
        1.15,
        1.00,
    ]
)
NIGHTLIFE = 1.4


def default_profile() -> FloatArray:
    """168 factors with mean 1 (Monday 00:00 first)."""
    week = np.tile(DIURNAL, 7)
    for day in (4, 5):  # Friday and Saturday evening into the next morning
        week[day * 24 + 22 : day * 24 + 24] *= NIGHTLIFE
        week[(day + 1) * 24 : (day + 1) * 24 + 5] *= NIGHTLIFE
    return np.asarray(week / week.mean(), dtype=np.float64)


def _empty_float() -> FloatArray:
    return np.zeros(0)


def _empty_int() -> IntArray:
    return np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Incidents:
    """One replication's draw: the incidents, and the units' unavailable periods (own work;
    ``away_end`` inf: until the shift ends), empty when every unit is always available."""

    time: FloatArray
    atom: IntArray
    priority: IntArray
    units: IntArray
    intake: FloatArray
    service: FloatArray
    away_start: FloatArray = field(default_factory=_empty_float)
    away_end: FloatArray = field(default_factory=_empty_float)
    away_unit: IntArray = field(default_factory=_empty_int)
    # the kernel's stream of duty events with these periods merged in (``korps.sim.engine
    # .draw``); empty: the model's shift events
    duty_time: FloatArray = field(default_factory=_empty_float)
    duty_kind: IntArray = field(default_factory=_empty_int)
    duty_unit: IntArray = field(default_factory=_empty_int)

    def __len__(self) -> int:
        return int(self.time.shape[0])


def draw_durations(rng: np.random.Generator, spec: Duration, size: int) -> FloatArray:
    """Lognormal with the given mean and cv (or exponential); minutes, > 0."""
    if spec.exponential:
        return rng.exponential(spec.mean, size)
    if spec.cv == 0:
        return np.full(size, spec.mean)
    sigma2 = np.log1p(spec.cv**2)
    mu = np.log(spec.mean) - sigma2 / 2
    return rng.lognormal(mu, np.sqrt(sigma2), size)


def draw_incidents(
    rng: np.random.Generator,
    *,
    rates: FloatArray,  # incidents per year, shape (areas, 3)
    profile: FloatArray,
    days: float,
    two_unit_share: float,
    intake: Mapping[int, Duration] | None,
    service: Mapping[int, Duration],
) -> Incidents:
    if rates.sum() <= 0:
        empty_f, empty_i = np.zeros(0), np.zeros(0, dtype=np.int64)
        return Incidents(empty_f, empty_i, empty_i, empty_i, empty_f, empty_f)
    hours = int(np.ceil(days * 24))
    per_hour = rates.sum() / (365.0 * 24.0)
    expected = per_hour * profile[np.arange(hours) % 168]
    counts = rng.poisson(expected)
    total = int(counts.sum())
    start = np.repeat(np.arange(hours, dtype=np.float64) * 60.0, counts)
    time = start + rng.random(total) * 60.0
    order = np.argsort(time, kind="stable")
    time = time[order]
    keep = time < days * 1440.0
    time = time[keep]
    total = int(time.shape[0])
    p = rates.ravel() / rates.sum()
    cell = rng.choice(p.shape[0], size=total, p=p)
    atom = (cell // 3).astype(np.int64)
    priority = (cell % 3 + 1).astype(np.int64)
    units = np.where((priority == 1) & (rng.random(total) < two_unit_share), 2, 1).astype(np.int64)
    intake_minutes = np.zeros(total)
    service_minutes = np.zeros(total)
    for prio in (1, 2, 3):
        mask = priority == prio
        k = int(mask.sum())
        if intake is not None:
            intake_minutes[mask] = draw_durations(rng, intake[prio], k)
        service_minutes[mask] = draw_durations(rng, service[prio], k)
    return Incidents(time, atom, priority, units, intake_minutes, service_minutes)
