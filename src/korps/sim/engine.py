"""From a scenario to arrays, replications through the kernel, and the raw results."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from korps.common.i18n import _
from korps.sim.demand import Incidents, default_profile, draw_incidents
from korps.sim.kernel import (
    SHIFT_END,
    SHIFT_START,
    draw_episodes,
    merge_duty_events,
    simulate,
)
from korps.sim.scenario import DAYS, SimScenario
from korps.sim.travel import ranking_planes
from korps.sim.travel import travel_planes as travel_planes  # re-exported (planning.roster)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class ScenarioError(ValueError):
    """A scenario that cannot be simulated; the message says why."""


@dataclass(frozen=True)
class Model:
    """Everything the kernel needs, except the incidents (drawn per replication)."""

    scenario: SimScenario
    keys: list[str]
    districts: list[str]
    atom_district: IntArray
    rates: FloatArray  # (areas, 3) per year
    profile: FloatArray
    travel: FloatArray  # (3, A, A) minutes the dispatch ranks by (the control room's)
    drive: FloatArray  # (4, A, A) minutes from dispatch to on scene, and the drive back
    unit_home: IntArray
    unit_shift: list[str]
    shift_start: FloatArray
    shift_end: FloatArray
    shift_unit: IntArray
    shift_events: tuple[FloatArray, IntArray, IntArray]  # time, kind, unit: sorted stream
    operators_by_hour: IntArray
    horizon: float
    on_duty_minutes: FloatArray  # per unit
    on_duty_by_how: FloatArray  # unit-minutes on duty per hour of the week


def _day_of_week(day: int) -> str:
    return DAYS[day % 7]


def _shifts(
    scenario: SimScenario, horizon: float
) -> tuple[IntArray, list[str], FloatArray, FloatArray, IntArray]:
    """Unit identities (their area and shift) and their duty windows, clipped to the
    horizon: units in the order of areas, then shifts; each unit's windows by day."""
    homes: list[int] = []
    names: list[str] = []
    days = math.ceil(horizon / 1440.0)
    blocks: dict[str, tuple[FloatArray, FloatArray]] = {}
    for shift in scenario.roster.shifts:
        begin, length = shift.minutes()
        day = np.array(
            [d for d in range(-1, days + 1) if _day_of_week(d) in shift.days], dtype=np.float64
        )
        start = day * 1440.0 + begin
        end = start + length
        keep = (end > 0) & (start < horizon)
        blocks[shift.name] = (np.maximum(start[keep], 0.0), np.minimum(end[keep], horizon))
    for a, area in enumerate(scenario.areas):
        counts = scenario.units_of(area.key)
        for shift in scenario.roster.shifts:
            homes.extend([a] * counts[shift.name])
            names.extend([shift.name] * counts[shift.name])
    if not homes:
        empty = np.zeros(0)
        return np.zeros(0, dtype=np.int64), names, empty, empty, np.zeros(0, dtype=np.int64)
    per_unit = [blocks[name] for name in names]
    sizes = np.array([len(b[0]) for b in per_unit])
    return (
        np.array(homes, dtype=np.int64),
        names,
        np.concatenate([b[0] for b in per_unit]),
        np.concatenate([b[1] for b in per_unit]),
        np.repeat(np.arange(len(names), dtype=np.int64), sizes),
    )


def _shift_events(
    starts: FloatArray, ends: FloatArray, owners: IntArray
) -> tuple[FloatArray, IntArray, IntArray]:
    """Starts and ends of all shift windows in the kernel's event order: by time, an end
    before a start at the same minute, then by window."""
    count = starts.shape[0]
    times = np.concatenate([starts, ends])
    kinds = np.concatenate([np.full(count, SHIFT_START), np.full(count, SHIFT_END)])
    windows = np.concatenate([2 * np.arange(count), 2 * np.arange(count) + 1])
    order = np.lexsort((windows, kinds, times))
    units = np.concatenate([owners, owners])
    return (
        np.ascontiguousarray(times[order]),
        np.ascontiguousarray(kinds[order]).astype(np.int64),
        np.ascontiguousarray(units[order]).astype(np.int64),
    )


def _coverage_by_how(starts: FloatArray, ends: FloatArray, horizon: float) -> FloatArray:
    """Unit-minutes on duty in each hour of the week (all units), over the horizon; per
    window its whole hours (a difference array) and its partial first and last hour (local
    sums, so that a sliver of an hour stays positive)."""
    hours = math.ceil(horizon / 60.0)
    size = hours + 2
    first = np.floor(starts / 60.0).astype(np.int64)
    last = np.floor(ends / 60.0).astype(np.int64)
    same = first == last
    per_hour = np.zeros(size)
    per_hour += np.bincount(first[same], weights=(ends - starts)[same], minlength=size)
    s, e, f, g = starts[~same], ends[~same], first[~same], last[~same]
    per_hour += np.bincount(f, weights=(f + 1) * 60.0 - s, minlength=size)
    per_hour += np.bincount(g, weights=e - g * 60.0, minlength=size)
    whole = np.zeros(size + 1)
    np.add.at(whole, f + 1, 1.0)
    np.add.at(whole, g, -1.0)
    per_hour += np.cumsum(whole)[:size] * 60.0
    by_how = np.zeros(168)
    np.add.at(by_how, np.arange(size) % 168, per_hour)
    return by_how


def _operators(scenario: SimScenario, hours: int) -> IntArray:
    room = scenario.control_room
    if room is None:
        return np.full(max(hours, 1), -1, dtype=np.int64)
    if isinstance(room.operators, int):
        return np.full(hours, room.operators, dtype=np.int64)
    result = np.zeros(hours, dtype=np.int64)
    for shift in scenario.roster.shifts:
        count = room.operators.get(shift.name, 0)
        begin, length = shift.minutes()
        for day in range(-1, hours // 24 + 2):
            if _day_of_week(day) not in shift.days:
                continue
            first = (day * 1440 + begin) // 60
            for h in range(first, first + math.ceil(length / 60)):
                if 0 <= h < hours:
                    result[h] += count
    return result


def _check_cover(
    scenario: SimScenario,
    model_profile: FloatArray,
    on_duty_by_how: FloatArray,
    rates: FloatArray,
    operators: IntArray,
) -> None:
    if rates.sum() <= 0:
        return
    for shift in scenario.roster.shifts:
        total = sum(scenario.units_of(a.key)[shift.name] for a in scenario.areas)
        if total == 0:
            raise ScenarioError(
                _(
                    "rooster: nergens een eenheid in dienst {shift} ({start}-{end}), terwijl "
                    "er dan meldingen zijn",
                    shift=repr(shift.name),
                    start=shift.start,
                    end=shift.end,
                )
            )
    seen = min(168, math.ceil(scenario.days * 24))  # hours of the week the horizon reaches
    uncovered = [h for h in range(seen) if model_profile[h] > 0 and on_duty_by_how[h] <= 0]
    if uncovered:
        day, hour = divmod(uncovered[0], 24)
        raise ScenarioError(
            _(
                "rooster: geen eenheid in dienst op {day} {hour}:00 terwijl er dan meldingen zijn",
                day=DAYS[day],
                hour=str(hour).zfill(2),
            )
        )
    if (operators == 0).any():
        hour = int(np.argmax(operators == 0))
        raise ScenarioError(_("meldkamer: geen centralist in uur {hour} van de periode", hour=hour))


def build_model(scenario: SimScenario) -> Model:
    keys = [a.key for a in scenario.areas]
    districts = sorted({a.district for a in scenario.areas})
    atom_district = np.array([districts.index(a.district) for a in scenario.areas], np.int64)
    rates = np.array(
        [[a.incidents_per_year.get(p, 0.0) for p in (1, 2, 3)] for a in scenario.areas],
        dtype=np.float64,
    )
    profile = (
        np.asarray(scenario.profile, dtype=np.float64)
        if scenario.profile is not None
        else default_profile()
    )
    if profile.mean() <= 0:
        raise ScenarioError(_("profiel: alle 168 factoren zijn 0"))
    profile = profile / profile.mean()
    drive = travel_planes(scenario)
    travel = ranking_planes(scenario)
    horizon = scenario.days * 1440.0
    homes, names, starts, ends, owners = _shifts(scenario, horizon)
    if homes.shape[0] == 0 and rates.sum() > 0:
        raise ScenarioError(_("rooster: helemaal geen eenheden"))
    on_duty = np.zeros(homes.shape[0])
    np.add.at(on_duty, owners, ends - starts)
    by_how = _coverage_by_how(starts, ends, horizon)
    operators = _operators(scenario, math.ceil(horizon / 60.0))
    _check_cover(scenario, profile, by_how, rates, operators)
    return Model(
        scenario=scenario,
        keys=keys,
        districts=districts,
        atom_district=atom_district,
        rates=rates,
        profile=profile,
        travel=travel,
        drive=drive,
        unit_home=homes,
        unit_shift=names,
        shift_start=starts,
        shift_end=ends,
        shift_unit=owners,
        shift_events=_shift_events(starts, ends, owners),
        operators_by_hour=operators,
        horizon=horizon,
        on_duty_minutes=on_duty,
        on_duty_by_how=by_how,
    )


@dataclass(frozen=True)
class Replication:
    incidents: Incidents
    intake_start: FloatArray
    ready: FloatArray
    dispatched: FloatArray
    on_scene: FloatArray
    cleared: FloatArray
    unit_busy: FloatArray
    busy_by_how: FloatArray
    diversions: int
    log_incident: IntArray  # one row per unit assignment
    log_unit: IntArray
    log_times: FloatArray  # [dispatched, on scene, free again (nan: at horizon), travel]


def draw(model: Model, rng: np.random.Generator) -> Incidents:
    """The incidents of one replication and, when units are not always available, their
    unavailable periods (drawn after the incidents: availability 1 draws the very same
    incidents as before there was availability)."""
    scenario = model.scenario
    incidents = draw_incidents(
        rng,
        rates=model.rates,
        profile=model.profile,
        days=scenario.days,
        two_unit_share=scenario.two_unit_share,
        intake=scenario.control_room.intake if scenario.control_room else None,
        service=scenario.service,
    )
    spec = scenario.availability
    if spec.share >= 1.0 or model.shift_start.shape[0] == 0:
        return incidents
    away = spec.episode_minutes
    begin, end, unit = draw_episodes(
        model.shift_start,
        model.shift_end,
        model.shift_unit,
        away * spec.share / (1.0 - spec.share),
        away,
        int(rng.integers(2**32)),
    )
    duty = merge_duty_events(*model.shift_events, begin, end, unit)
    return replace(
        incidents,
        away_start=begin,
        away_end=end,
        away_unit=unit,
        duty_time=duty[0],
        duty_kind=duty[1],
        duty_unit=duty[2],
    )


def shift_stream(model: Model, incidents: Incidents) -> tuple[FloatArray, IntArray, IntArray]:
    """The kernel's stream of duty events: the shift windows' starts and ends (by time, an
    end before a start at the same minute, then by window) and, merged in by ``draw``, the
    units' unavailable periods (an end of duty where one begins, a start where it ends)."""
    if incidents.away_start.shape[0] == 0:
        return model.shift_events
    return incidents.duty_time, incidents.duty_kind, incidents.duty_unit


def run_incidents(model: Model, incidents: Incidents) -> Replication:
    out = simulate(
        incidents.time,
        incidents.atom,
        incidents.priority,
        incidents.units,
        incidents.intake,
        incidents.service,
        model.operators_by_hour,
        model.unit_home,
        *shift_stream(model, incidents),
        model.atom_district,
        model.travel,
        model.drive,
        model.horizon,
        model.scenario.divert,
        model.scenario.return_to_base,
    )
    (
        intake_start,
        ready,
        dispatched,
        on_scene,
        cleared,
        busy,
        by_how,
        diversions,
        log_incident,
        log_unit,
        log_times,
    ) = out
    return Replication(
        incidents,
        intake_start,
        ready,
        dispatched,
        on_scene,
        cleared,
        busy,
        by_how,
        int(diversions),
        # the kernel returns views of a log sized for the worst case (3 rows an incident,
        # about 3 times what is used): copies let that capacity go
        log_incident.copy(),
        log_unit.copy(),
        log_times.copy(),
    )


_NONE_F: FloatArray = np.zeros(0)
_NONE_I: IntArray = np.zeros(0, dtype=np.int64)


def compact(rep: Replication) -> Replication:
    """What the KPIs, plots and the monthly table read of a replication, and nothing more:
    per incident its time, area (int32), priority (int8), intake start, ready, dispatched and
    on-scene times (the kernel's float64 values, unchanged); the durations drawn, the units'
    own-work periods, the clearing times and the assignment log are dropped (about a fifth
    of the memory of a full replication)."""
    inc = rep.incidents
    kept = Incidents(
        time=inc.time,
        atom=inc.atom.astype(np.int32),
        priority=inc.priority.astype(np.int8),
        units=_NONE_I,
        intake=_NONE_F,
        service=_NONE_F,
    )
    return replace(
        rep,
        incidents=kept,
        cleared=_NONE_F,
        log_incident=_NONE_I,
        log_unit=_NONE_I,
        log_times=np.zeros((0, 4)),
    )


def replicate(
    model: Model,
    *,
    replications: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
    keep: Callable[[Replication], Replication] | None = None,
) -> list[Replication]:
    """Independent replications from one seed: same seed, same results. ``keep`` (e.g.
    ``compact``) is applied to each replication as soon as it has run, so that only what it
    keeps stays in memory while the next one runs."""
    if replications < 1:
        raise ScenarioError(_("het aantal replicaties moet >= 1 zijn"))
    streams = np.random.SeedSequence(seed).spawn(replications)
    results = []
    for k, stream in enumerate(streams):
        rep = run_incidents(model, draw(model, np.random.default_rng(stream)))
        results.append(rep if keep is None else keep(rep))
        del rep
        if progress is not None:
            progress(k + 1)
    return results
