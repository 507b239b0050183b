"""Fit a scenario to an incident history (``korps sim calibrate``).

From a history (``korps.sim.history``) this fits, documented in docs/simulation.md:
- demand: incidents per year per basisteam and priority = count / observed span in years
  (first to last ``received_at``; a year is 365 days, as in the simulation);
- the hour-of-week profile: incidents per local hour of the week (Monday 00:00 first) divided
  by how often that hour occurs in the observed span, normalised to mean 1;
- on-scene time per priority (``cleared_at - arrived_at``) and intake-to-dispatch per priority
  (``dispatched_at - received_at``): lognormal by the method of moments (mean and cv of the
  sample); two-unit incidents are left out of on-scene time where the priority has
  single-unit ones, since for them it includes the second unit's later arrival;
- the two-unit share of prio 1 (``units >= 2``).

Areas (location, size, district) come from the database (``Place`` per basisteam, see
``korps.planning.twin.basisteam_places``) or from a base scenario, which then also gives the
roster, operators, travel and norms. Without a base, the roster is sized like the database
default scenario: shifts 07-15, 15-23, 23-07 with enough units per basisteam for about
55 % utilisation at the shift's mean demand.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from korps.common.datafile import DatasetError, Problem
from korps.common.formatting import number
from korps.common.i18n import _, ngettext
from korps.sim.engine import build_model
from korps.sim.history import History, format_time, replacing
from korps.sim.scenario import DAYS, ControlRoom, Duration, SimScenario, parse_sim_scenario

YEAR_SECONDS = 365.0 * 86400.0
MIN_OBSERVATIONS = 2  # a mean and a cv need two
# the database default scenario's roster rules (korps.planning.twin), applied to fitted demand
SHIFTS = (("D", "07:00", "15:00"), ("A", "15:00", "23:00"), ("N", "23:00", "07:00"))
TARGET_UTILISATION = 0.55
TRAVEL_MINUTES = 15.0  # assumption: travel out and back per unit-job (build.py: 65 = 50 + 15)


class CalibrationError(ValueError):
    """A history that cannot be turned into a scenario; the message says why."""


@dataclass(frozen=True)
class Place:
    """Where a basisteam is: centre, area and district (from the database or a scenario)."""

    key: str
    name: str | None
    district: str
    lat: float
    lon: float
    area_km2: float


@dataclass(frozen=True)
class DurationFit:
    priority: int
    observations: int
    mean: float  # minutes
    cv: float
    fitted: bool  # False: too few observations, the default was kept


@dataclass(frozen=True)
class Calibration:
    scenario: SimScenario
    file: str
    incidents: int
    first: str
    last: str
    span_days: float
    areas_from: str
    rates: dict[str, dict[int, float]]  # per year
    service: list[DurationFit]
    intake: list[DurationFit]
    two_unit_share: float
    two_unit_fitted: bool
    profile_peak: tuple[str, float]  # "vr 22:00", factor
    profile_low: tuple[str, float]


def _field_default(name: str) -> Any:
    return SimScenario.model_fields[name].get_default(call_default_factory=True)


def _hour_label(how: int) -> str:
    day, hour = divmod(how, 24)
    return f"{DAYS[day]} {hour:02d}:00"


def fit_profile(history: History) -> np.ndarray[Any, np.dtype[np.float64]]:
    """168 factors with mean 1: incidents per local hour of the week / its exposure."""
    hours = history.local_hours()
    counts = np.bincount(np.floor(hours).astype(np.int64) % 168, minlength=168)
    first, last = math.floor(hours.min()), math.floor(hours.max())
    exposure = np.bincount(np.arange(first, last + 1) % 168, minlength=168)
    if (exposure == 0).any():
        raise CalibrationError(_("de historie dekt niet elk uur van de week"))
    rate = counts / exposure
    return np.asarray(rate / rate.mean(), dtype=np.float64)


def fit_duration(
    minutes: np.ndarray[Any, np.dtype[np.float64]], priority: int, default: Duration
) -> DurationFit:
    """Lognormal by the method of moments: the sample mean and cv (std with ddof 1 / mean)."""
    data = minutes[~np.isnan(minutes)]
    n = int(data.size)
    mean = float(data.mean()) if n else math.nan
    if n < MIN_OBSERVATIONS or not mean > 0:
        return DurationFit(priority, n, default.mean, default.cv, False)
    cv = float(data.std(ddof=1) / mean)
    return DurationFit(priority, n, round(mean, 3), round(cv, 3), True)


def _places(
    history: History,
    base: SimScenario | None,
    places: Mapping[str, Place] | None,
    unplaced: Mapping[str, str],
) -> dict[str, Place]:
    if base is not None:
        known = {
            a.key: Place(a.key, a.name, a.district, a.lat, a.lon, a.area_km2) for a in base.areas
        }
        where = _("geen gebied van het scenario van --roster-from")
    else:
        known = dict(places or {})
        where = _("geen basisteam in de database")
    counts: dict[str, int] = {}
    for team in history.basisteam:
        counts[team] = counts.get(team, 0) + 1
    problems = [
        Problem(
            _("kolom {column}", column=repr("basisteam")),
            _(
                "onbekend basisteam {team}: {reason} ({incidents}, eerst op deze regel)",
                team=repr(team),
                reason=unplaced.get(team, where),
                incidents=ngettext("{count} melding", "{count} meldingen", count).format(
                    count=number(count, 0)
                ),
            ),
            history.firstline_of("basisteam", team),
        )
        for team, count in counts.items()
        if team not in known
    ]
    if problems:
        raise DatasetError(history.file, problems[:25])
    if base is not None:
        return known
    return {key: known[key] for key in sorted(counts)}


def _default_roster(
    rates: dict[str, dict[int, float]],
    profile: np.ndarray[Any, np.dtype[np.float64]],
    service: list[DurationFit],
    two_unit_share: float,
) -> dict[str, Any]:
    units: dict[str, dict[str, int]] = {}
    for key, per_priority in rates.items():
        total = sum(per_priority.values())
        if total <= 0:
            units[key] = {name: 1 for name, _, _ in SHIFTS}
            continue
        busy = sum(per_priority[f.priority] * f.mean for f in service) / total + TRAVEL_MINUTES
        jobs = total / (365 * 1440) * (1 + two_unit_share * per_priority[1] / total)
        counts = {}
        for name, start, end in SHIFTS:
            first, last = int(start[:2]), int(end[:2])
            hours = [(first + k) % 24 for k in range((last - first) % 24 or 24)]
            factor = float(np.mean([profile[d * 24 + h] for d in range(7) for h in hours]))
            counts[name] = max(1, math.ceil(jobs * busy * factor / TARGET_UTILISATION))
        units[key] = counts
    return {
        "shifts": [{"name": n, "start": s, "end": e} for n, s, e in SHIFTS],
        "units": units,
    }


def calibrate_history(
    history: History,
    *,
    base: SimScenario | None = None,
    places: Mapping[str, Place] | None = None,
    unplaced: Mapping[str, str] | None = None,
) -> Calibration:
    """Fit a scenario to ``history``; areas from ``base`` (a scenario) or ``places``.

    ``unplaced`` gives, per basisteam slug that has no place, the reason (for the error).
    Raises DatasetError (unknown basisteam, with its first line) or CalibrationError; the
    scenario returned loads and builds (``build_model``)."""
    span = history.span_seconds()
    areas = _places(history, base, places, unplaced or {})
    try:
        profile = fit_profile(history)
    except CalibrationError:
        raise CalibrationError(
            _(
                "de historie beslaat {days} dagen; het profiel per uur van de week vraagt "
                "minstens één volle week",
                days=number(span / 86400.0),
            )
        ) from None
    years = span / YEAR_SECONDS
    teams = np.array(history.basisteam, dtype=object)
    rates = {
        key: {
            p: round(float(((teams == key) & (history.priority == p)).sum()) / years, 2)
            for p in (1, 2, 3)
        }
        for key in areas
    }
    room = base.control_room if base is not None else None
    default_intake: Mapping[int, Duration] = (
        room.intake if room is not None else ControlRoom().intake
    )
    default_service: Mapping[int, Duration] = (
        base.service if base is not None else _field_default("service")
    )
    on_scene = history.on_scene_minutes()
    intake_minutes = history.intake_minutes()
    service, intake = [], []
    for p in (1, 2, 3):
        mask = history.priority == p
        single = mask & (history.units == 1)
        use = single if (single & ~np.isnan(on_scene)).sum() >= MIN_OBSERVATIONS else mask
        service.append(fit_duration(on_scene[use], p, default_service[p]))
        intake.append(fit_duration(intake_minutes[mask], p, default_intake[p]))
    prio1 = history.priority == 1
    two_fitted = bool(prio1.any())
    if two_fitted:
        two_unit = round(float((history.units[prio1] >= 2).mean()), 4)
    else:
        two_unit = base.two_unit_share if base is not None else _field_default("two_unit_share")
    roster: Any = (
        base.roster.model_dump()
        if base is not None
        else _default_roster(rates, profile, service, two_unit)
    )
    operators = room.operators if room is not None else 6
    first = int(np.argmin(history.received))
    last = int(np.argmax(history.received))
    first_text = format_time(float(history.received[first]), int(history.offset[first]))
    last_text = format_time(float(history.received[last]), int(history.offset[last]))
    name = Path(history.file).name
    data: dict[str, Any] = {
        "name": _("{base} (gekalibreerd op {file})", base=base.name, file=name)
        if base
        else _("Gekalibreerd op {file}", file=name),
        "description": _(
            "korps sim calibrate {file}: {count} meldingen, {first} .. {last} ({days} dagen)",
            file=name,
            count=number(len(history), 0),
            first=first_text,
            last=last_text,
            days=number(span / 86400.0),
        ),
        "areas": [
            {
                "key": place.key,
                **({"name": place.name} if place.name else {}),
                "district": place.district,
                "lat": place.lat,
                "lon": place.lon,
                "area_km2": place.area_km2,
                "incidents_per_year": rates.get(place.key, {1: 0.0, 2: 0.0, 3: 0.0}),
            }
            for place in areas.values()
        ],
        "profile": [round(float(f), 4) for f in profile],
        "control_room": {
            "intake": {f.priority: {"mean": f.mean, "cv": f.cv} for f in intake},
            "operators": operators,
        },
        "service": {f.priority: {"mean": f.mean, "cv": f.cv} for f in service},
        "two_unit_share": two_unit,
        "roster": roster,
    }
    if base is not None:
        data |= base.model_dump(
            include={"unit", "days", "warmup_days", "travel", "divert", "return_to_base", "norms"}
        )
    scenario = SimScenario.model_validate(data)
    build_model(scenario)  # refuses a scenario that cannot run (ScenarioError)
    peak, low = int(np.argmax(profile)), int(np.argmin(profile))
    return Calibration(
        scenario=scenario,
        file=history.file,
        incidents=len(history),
        first=first_text,
        last=last_text,
        span_days=span / 86400.0,
        areas_from="scenario" if base is not None else "database",
        rates=rates,
        service=service,
        intake=intake,
        two_unit_share=two_unit,
        two_unit_fitted=two_fitted,
        profile_peak=(_hour_label(peak), round(float(profile[peak]), 3)),
        profile_low=(_hour_label(low), round(float(profile[low]), 3)),
    )


def scenario_yaml(calibration: Calibration, *, out: Path | None = None) -> str:
    """The scenario as YAML with a provenance header; a travel matrix path is made relative
    to ``out``'s folder where it can be."""
    scenario = calibration.scenario
    matrix = scenario.travel.matrix
    if matrix and out is not None and Path(matrix).is_absolute():
        travel = scenario.travel.model_copy(
            update={"matrix": os.path.relpath(matrix, out.resolve().parent)}
        )
        scenario = scenario.model_copy(update={"travel": travel})
    data = scenario.model_dump(exclude_none=True)
    source = {"scenario": _("het scenario"), "database": _("de database")}
    header = _(
        "# Gekalibreerd door `korps sim calibrate` uit {file}:\n"
        "# {count} meldingen, {first} .. {last} ({days} dagen); gebieden uit {source}.\n"
        "# Vraag = aantal / periode; profiel = meldingen per lokaal uur van de week /\n"
        "# blootstelling; duur ter plaatse en van aanname tot uitgifte: lognormaal volgens\n"
        "# de momentenmethode. Zie docs/simulation.md (Calibration from a history).\n",
        file=Path(calibration.file).name,
        count=number(calibration.incidents, 0),
        first=calibration.first,
        last=calibration.last,
        days=number(calibration.span_days),
        source=source.get(calibration.areas_from, calibration.areas_from),
    )
    text = header + yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=96, default_flow_style=None
    )
    parse_sim_scenario(text, str(out or "<calibrated>"))  # it must load as written
    return text


def write_scenario(calibration: Calibration, path: Path) -> None:
    """Write the scenario YAML; a failed write leaves no file behind."""
    text = scenario_yaml(calibration, out=path)
    with replacing(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def calibration_json(calibration: Calibration) -> dict[str, Any]:
    """The fitted figures (and the scenario) as JSON-ready data."""
    data = asdict(calibration)
    data["scenario"] = calibration.scenario.model_dump(mode="json", exclude_none=True)
    data["profile_peak"] = {
        "hour": calibration.profile_peak[0],
        "factor": calibration.profile_peak[1],
    }
    data["profile_low"] = {"hour": calibration.profile_low[0], "factor": calibration.profile_low[1]}
    data["fit"] = "lognormal, method of moments (sample mean and cv)"
    return data
