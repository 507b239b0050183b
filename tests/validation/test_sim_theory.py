"""The simulation against queueing theory: Erlang C (M/M/c) and Larson's hypercube."""

from __future__ import annotations

import numpy as np
import pytest

from korps.dispatch.travel import distance_matrix_km
from korps.sim.analytic import hypercube, mmc
from korps.sim.engine import build_model, replicate
from korps.sim.scenario import SimScenario

SERVICE = 30.0  # minutes, exponential
FAST = 1e7  # km/h: travel takes no time, but its order still ranks the units


def single_queue(rho: float, servers: int, days: float) -> SimScenario:
    per_year = rho * servers * 60 / SERVICE * 24 * 365
    return SimScenario.model_validate(
        {
            "name": f"M/M/{servers} rho {rho}",
            "days": days,
            "warmup_days": 5,
            "control_room": None,
            "two_unit_share": 0,
            "return_to_base": False,
            "areas": [
                {
                    "key": "a",
                    "lat": 52,
                    "lon": 5,
                    "area_km2": 1,
                    "incidents_per_year": {1: per_year},
                }
            ],
            "profile": [1] * 168,
            "travel": {"speed_kmh": {1: FAST, 2: FAST, 3: FAST}},
            "service": {p: {"mean": SERVICE, "exponential": True} for p in (1, 2, 3)},
            "roster": {
                "shifts": [{"name": "dag", "start": "00:00", "end": "00:00"}],
                "units": {"a": {"dag": servers}},
            },
        }
    )


@pytest.mark.parametrize(
    ("rho", "days", "reps"), [(0.5, 400, 12), (0.8, 400, 12), (0.95, 1500, 12)]
)
def test_waiting_matches_erlang_c(rho: float, days: float, reps: int) -> None:
    servers = 5
    model = build_model(single_queue(rho, servers, days))
    theory = mmc(rho * servers / SERVICE, 1 / SERVICE, servers)
    waited, waits = [], []
    for rep in replicate(model, replications=reps, seed=11):
        # leave out the warm-up and the last day (calls still waiting at the horizon)
        keep = (rep.incidents.time >= 5 * 1440) & (rep.incidents.time < (days - 1) * 1440)
        wait = (rep.dispatched - rep.ready)[keep]
        assert not np.isnan(wait).any()
        waited.append(float(np.mean(wait > 1e-9)))
        waits.append(float(np.mean(wait)))
    assert np.mean(waited) == pytest.approx(theory.p_wait, rel=0.02)
    assert np.mean(waits) == pytest.approx(theory.mean_wait, rel=0.02)


def test_unit_workloads_match_the_hypercube_approximation() -> None:
    """Four areas with one unit each; a call takes the nearest free unit from its home."""
    lat = [52.00, 52.05, 52.10, 52.02]
    lon = [5.00, 5.02, 5.10, 5.15]
    calls_per_hour = np.array([0.9, 0.5, 0.6, 0.4])
    scenario = SimScenario.model_validate(
        {
            "name": "hypercube",
            "days": 400,
            "warmup_days": 5,
            "control_room": None,
            "two_unit_share": 0,
            "return_to_base": True,
            "areas": [
                {
                    "key": f"a{j}",
                    "lat": lat[j],
                    "lon": lon[j],
                    "area_km2": 1,
                    "incidents_per_year": {1: float(calls_per_hour[j] * 24 * 365)},
                }
                for j in range(4)
            ],
            "profile": [1] * 168,
            "travel": {"speed_kmh": {1: FAST, 2: FAST, 3: FAST}},
            "service": {p: {"mean": SERVICE, "exponential": True} for p in (1, 2, 3)},
            "roster": {
                "shifts": [{"name": "dag", "start": "00:00", "end": "00:00"}],
                "units": {"*": {"dag": 1}},
            },
        }
    )
    model = build_model(scenario)
    reps = replicate(model, replications=8, seed=5)
    simulated = np.mean([r.unit_busy / model.on_duty_minutes for r in reps], axis=0)
    km = distance_matrix_km(lat, lon, [1.0] * 4, detour=1.0)  # unit home (= area) x area
    preferences = np.argsort(km.T, axis=1, kind="stable")  # per area: nearest unit first
    theory = hypercube(calls_per_hour / 60.0, 1 / SERVICE, preferences)
    assert simulated == pytest.approx(theory.workload, rel=0.03)
    assert simulated.mean() == pytest.approx(calls_per_hour.sum() / 60 * SERVICE / 4, rel=0.02)
