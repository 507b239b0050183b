"""Invariants of the twin's rules, checked on every incident of random small scenarios
(hypothesis), from the kernel's output alone (times and the assignment log):

- work conservation: no incident waits for a unit while a unit it may have is free;
- order: a dispatch never passes over a waiting incident of a higher priority, and within
  one queue (prio 1, prio 2, prio 3 of one basisteam) the first to be ready goes first; the
  operators take calls highest priority first, first come first served;
- prio 3 is served only by its own basisteam's units;
- every incident is served (its first unit on scene, within the horizon) or reported
  unserved (in the KPIs), and the two add up;
- a travel-matrix file is what the units drive.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from korps.sim.engine import Model, Replication, build_model, replicate
from korps.sim.kpi import summarize
from korps.sim.scenario import SimScenario, read_sim_scenario

FloatArray = npt.NDArray[np.float64]
EPS = 1e-9


@st.composite
def scenarios(draw: st.DrawFn, *, divert: bool | None = None) -> SimScenario:
    n = draw(st.integers(1, 4))
    areas = [
        {
            "key": f"a{j}",
            "district": f"d{j % 2}",
            "lat": 52 + draw(st.floats(0, 0.2)),
            "lon": 5 + draw(st.floats(0, 0.2)),
            "area_km2": draw(st.floats(1, 50)),
            "incidents_per_year": {p: draw(st.floats(0, 25000)) for p in (1, 2, 3)},
        }
        for j in range(n)
    ]
    counts = st.integers(1, 3)
    return SimScenario.model_validate(
        {
            "name": "invariants",
            "days": draw(st.floats(2, 5)),
            "warmup_days": 1,
            "areas": areas,
            "control_room": draw(st.sampled_from([None, {"operators": draw(st.integers(1, 2))}])),
            "two_unit_share": draw(st.floats(0, 1)),
            "divert": draw(st.booleans()) if divert is None else divert,
            "return_to_base": draw(st.booleans()),
            "roster": {
                "shifts": [
                    {"name": "D", "start": "07:00", "end": "19:00"},
                    {"name": "N", "start": "19:00", "end": "07:00"},
                ],
                "units": {"*": {"D": draw(counts), "N": draw(counts)}},
            },
        }
    )


def waiting(model: Model, rep: Replication) -> tuple[FloatArray, FloatArray]:
    """Per incident, the interval in which it waits for (another) unit: from ready to the
    time its last needed unit was sent (the horizon if never); empty if it never waited."""
    need = rep.incidents.units
    last = np.full(len(rep.incidents), np.nan)
    counts = np.zeros(len(rep.incidents), dtype=np.int64)
    for i, sent in zip(rep.log_incident, rep.log_times[:, 0], strict=True):
        counts[i] += 1
        if counts[i] == need[i]:
            last[i] = sent
    start = rep.ready
    end = np.where(np.isnan(last), model.horizon, last)
    end = np.where(np.isnan(start), start, end)
    return start, end


def free_intervals(model: Model, rep: Replication, unit: int) -> list[tuple[float, float]]:
    """When ``unit`` is on duty and not on a job."""
    mine = model.shift_unit == unit
    windows = sorted(zip(model.shift_start[mine], model.shift_end[mine], strict=True))
    rows = rep.log_unit == unit
    jobs = sorted(
        (s, model.horizon if np.isnan(e) else e)
        for s, e in zip(rep.log_times[rows, 0], rep.log_times[rows, 2], strict=True)
    )
    free: list[tuple[float, float]] = []
    for start, end in windows:
        t = start
        for s, e in jobs:
            if e <= t or s >= end:
                continue
            if s > t:
                free.append((t, s))
            t = max(t, e)
        if t < end:
            free.append((t, end))
    return free


@settings(max_examples=40, deadline=None)
@given(scenarios(divert=False), st.integers(0, 2**32 - 1))
def test_no_incident_waits_while_a_unit_it_may_have_is_free(
    scenario: SimScenario, seed: int
) -> None:
    model = build_model(scenario)
    (rep,) = replicate(model, replications=1, seed=seed)
    start, end = waiting(model, rep)
    waits = np.flatnonzero(end - start > EPS)
    if waits.size == 0:
        return
    prio, atom = rep.incidents.priority[waits], rep.incidents.atom[waits]
    for u in range(len(model.unit_home)):
        eligible = (prio != 3) | (atom == model.unit_home[u])
        for f, g in free_intervals(model, rep, u):
            overlap = np.minimum(end[waits], g) - np.maximum(start[waits], f)
            bad = eligible & (overlap > 1e-6)
            assert not bad.any(), (
                f"incident {waits[bad][0]} waits while unit {u} is free in [{f}, {g})"
            )


@settings(max_examples=40, deadline=None)
@given(scenarios(divert=False), st.integers(0, 2**32 - 1))
def test_priority_and_first_come_first_served(scenario: SimScenario, seed: int) -> None:
    model = build_model(scenario)
    (rep,) = replicate(model, replications=1, seed=seed)
    inc = rep.incidents
    start, end = waiting(model, rep)
    waited = end - start > EPS
    # a dispatch never passes over a waiting incident of a higher priority
    for i, sent in zip(rep.log_incident, rep.log_times[:, 0], strict=True):
        before = (
            waited & (inc.priority < inc.priority[i]) & (start < sent - EPS) & (end > sent + EPS)
        )
        assert not before.any(), f"incident {i} sent at {sent} past {np.flatnonzero(before)[0]}"
    # within a queue, first ready, first sent (single-unit incidents that waited)
    one = waited & (inc.units == 1) & ~np.isnan(rep.dispatched)
    queue = np.where(inc.priority == 3, 3 + inc.atom, inc.priority)
    for q in np.unique(queue[one]):
        members = np.flatnonzero(one & (queue == q))
        order = members[np.argsort(rep.ready[members], kind="stable")]
        assert (np.diff(rep.dispatched[order]) >= -EPS).all(), f"queue {q} not in order"
    # operators: highest priority first, then first come first served
    if scenario.control_room is not None:
        took = rep.intake_start
        waited_intake = took - inc.time > EPS
        for p in (1, 2, 3):
            members = np.flatnonzero(waited_intake & (inc.priority == p) & ~np.isnan(took))
            assert (np.diff(took[members]) >= -EPS).all()  # arrivals are in time order
        for j in np.flatnonzero(~np.isnan(took)):
            higher = (
                waited_intake
                & (inc.priority < inc.priority[j])
                & (inc.time < took[j] - EPS)
                & (np.nan_to_num(took, nan=np.inf) > took[j] + EPS)
            )
            assert not higher.any(), f"call {j} taken while {np.flatnonzero(higher)[0]} waits"


@settings(max_examples=40, deadline=None)
@given(scenarios(), st.integers(0, 2**32 - 1))
def test_prio3_own_team_and_every_incident_accounted_for(scenario: SimScenario, seed: int) -> None:
    model = build_model(scenario)
    (rep,) = replicate(model, replications=1, seed=seed)
    inc = rep.incidents
    prio3 = inc.priority[rep.log_incident] == 3
    homes = model.unit_home[rep.log_unit]
    assert (homes[prio3] == inc.atom[rep.log_incident][prio3]).all()
    # served: the first unit on scene of the assignments that got there, within the horizon
    arrived = ~np.isnan(rep.log_times[:, 1])
    first = np.full(len(inc), np.inf)
    np.minimum.at(first, rep.log_incident[arrived], rep.log_times[arrived, 1])
    served = ~np.isnan(rep.on_scene)
    assert np.array_equal(served, np.isfinite(first))
    assert np.allclose(rep.on_scene[served], first[served], rtol=0, atol=EPS)
    assert (rep.on_scene[served] <= model.horizon + EPS).all()
    # and the KPIs count each incident once: served or unserved
    result = summarize(model, [rep], seed)
    keep = inc.time >= scenario.warmup_days * 1440
    for k in result.priorities:
        mask = keep & (inc.priority == k.priority)
        assert k.incidents == mask.sum()
        if mask.any():
            unserved = np.isnan(rep.on_scene[mask]).sum()
            assert round(k.unserved.mean * mask.sum()) == unserved


def test_a_travel_matrix_file_is_what_units_drive(tmp_path: Path) -> None:
    (tmp_path / "minutes.csv").write_text("from,a,b\na,3,17.5\nb,11,4\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        """
name: matrix
days: 20
warmup_days: 1
control_room: null
areas:
  - {key: a, lat: 52.0, lon: 5.0, incidents_per_year: {1: 3000, 2: 2000}}
  - {key: b, lat: 52.0, lon: 5.01, incidents_per_year: {1: 3000, 3: 2000}}
travel: {matrix: minutes.csv}
roster:
  shifts: [{name: D, start: "00:00", end: "00:00"}]
  units: {"*": {D: 2}}
""",
        encoding="utf-8",
    )
    scenario = read_sim_scenario(tmp_path / "s.yaml")
    model = build_model(scenario)
    expected = np.array([[3.0, 17.5], [11.0, 4.0]])
    assert np.array_equal(model.travel, np.stack([expected] * 3))  # what dispatch ranks by
    assert np.array_equal(model.drive, np.stack([expected] * 4))  # and drives, the return too
    (rep,) = replicate(model, replications=1, seed=2)
    inc = rep.incidents
    drives = rep.log_times[:, 3]
    assert set(np.round(drives, 9)) <= {3.0, 17.5, 11.0, 4.0}
    from_home = rep.dispatched[rep.log_incident] == rep.ready[rep.log_incident]
    homes = model.unit_home[rep.log_unit]
    # a unit sent at once from its base drives the matrix's minutes from there
    at_base = from_home & (drives == expected[homes, inc.atom[rep.log_incident]])
    assert at_base.sum() > 0.5 * from_home.sum()
    assert {17.5, 11.0} <= set(drives.tolist())  # upscaling across the two areas happens
