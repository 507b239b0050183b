"""Properties every simulated run must have, for any small scenario (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from korps.sim.engine import build_model, replicate
from korps.sim.scenario import SimScenario


@st.composite
def scenarios(draw: st.DrawFn) -> SimScenario:
    n = draw(st.integers(1, 4))
    areas = [
        {
            "key": f"a{j}",
            "district": f"d{j % 2}",
            "lat": 52 + draw(st.floats(0, 0.2)),
            "lon": 5 + draw(st.floats(0, 0.2)),
            "area_km2": draw(st.floats(1, 50)),
            "incidents_per_year": {p: draw(st.floats(0, 20000)) for p in (1, 2, 3)},
        }
        for j in range(n)
    ]
    counts = st.integers(1, 3)
    return SimScenario.model_validate(
        {
            "name": "property",
            "days": draw(st.floats(2, 6)),
            "warmup_days": 1,
            "areas": areas,
            "control_room": draw(st.sampled_from([None, {"operators": draw(st.integers(1, 3))}])),
            "two_unit_share": draw(st.floats(0, 1)),
            "divert": draw(st.booleans()),
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


@settings(max_examples=60, deadline=None)
@given(scenarios(), st.integers(0, 2**32 - 1))
def test_a_run_is_consistent(scenario: SimScenario, seed: int) -> None:
    model = build_model(scenario)
    (rep,) = replicate(model, replications=1, seed=seed)
    inc = rep.incidents
    horizon = model.horizon
    # no unit serves two incidents at once
    for unit in np.unique(rep.log_unit):
        rows = rep.log_times[rep.log_unit == unit]
        starts, ends = rows[:, 0], np.where(np.isnan(rows[:, 2]), horizon, rows[:, 2])
        assert (np.diff(starts) >= 0).all()
        assert (starts[1:] >= ends[:-1] - 1e-9).all(), f"unit {unit} overlaps itself"
    # a unit is only sent while on duty (a shift window of its own)
    for row, unit in zip(rep.log_times, rep.log_unit, strict=True):
        mine = model.shift_unit == unit
        on = (model.shift_start[mine] <= row[0] + 1e-9) & (row[0] <= model.shift_end[mine] + 1e-9)
        assert on.any()
    # every incident is served or reported unserved at the horizon
    served = ~np.isnan(rep.on_scene)
    assert (rep.on_scene[served] <= horizon + 1e-9).all()
    assert (rep.dispatched[served] <= rep.on_scene[served] + 1e-9).all()
    assert (rep.ready[~np.isnan(rep.ready)] >= inc.time[~np.isnan(rep.ready)] - 1e-9).all()
    # response time >= travel time of the unit that arrived first
    arrived = ~np.isnan(rep.log_times[:, 1])
    for i, row in zip(rep.log_incident[arrived], rep.log_times[arrived], strict=True):
        assert row[1] - row[0] == np.float64(row[3]) or abs(row[1] - row[0] - row[3]) < 1e-6
        assert rep.on_scene[i] - inc.time[i] >= 0
        if rep.on_scene[i] == row[1]:
            assert rep.on_scene[i] - inc.time[i] >= row[3] - 1e-9
    # two-unit jobs never get more units than they need at once
    for i in np.unique(rep.log_incident):
        rows = rep.log_times[rep.log_incident == i]
        ends = np.where(np.isnan(rows[:, 2]), horizon, rows[:, 2])
        for start in rows[:, 0]:
            assert ((rows[:, 0] <= start) & (ends > start)).sum() <= inc.units[i]


def test_same_seed_same_result_and_replications_differ() -> None:
    scenario = SimScenario.model_validate(
        {
            "name": "seed",
            "days": 5,
            "warmup_days": 1,
            "areas": [{"key": "a", "lat": 52, "lon": 5, "incidents_per_year": {1: 9000, 2: 9000}}],
            "roster": {
                "shifts": [{"name": "D", "start": "00:00", "end": "00:00"}],
                "units": {"a": {"D": 3}},
            },
        }
    )
    model = build_model(scenario)
    a = replicate(model, replications=2, seed=3)
    b = replicate(model, replications=2, seed=3)
    for x, y in zip(a, b, strict=True):
        assert np.array_equal(x.on_scene, y.on_scene, equal_nan=True)
    assert len(a[0].incidents) != len(a[1].incidents) or not np.array_equal(
        a[0].incidents.time, a[1].incidents.time
    )
