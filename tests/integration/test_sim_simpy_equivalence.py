"""The numba kernel against the same model written in SimPy (``benchmarks/simpy_model.py``):
per incident, the very same times and units, with diversion on and a reduced roster (queues
form and prio-3 jobs are broken off), so the kernel's fast paths cannot drift from the rules
unnoticed."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from sim_vs_simpy import differences, main, reduced, rotterdam_sized  # noqa: E402
from simpy_model import simulate_simpy  # noqa: E402

from korps.sim.engine import build_model, draw, run_incidents  # noqa: E402
from korps.sim.scenario import Availability, DensitySpeeds  # noqa: E402


@pytest.mark.parametrize(("roster_share", "seed"), [(0.5, 7), (0.6, 8)])
def test_kernel_and_simpy_agree_on_every_incident(roster_share: float, seed: int) -> None:
    scenario = reduced(rotterdam_sized(15), roster_share=roster_share, divert=True)
    model = build_model(scenario)
    incidents = draw(model, np.random.default_rng(seed))
    ours = run_incidents(model, incidents)
    theirs = simulate_simpy(model, incidents, policy="python")
    assert len(incidents) > 10_000
    assert ours.diversions > 100  # the diversion path is exercised
    assert np.isnan(ours.dispatched).sum() < len(incidents)
    count, largest = differences(ours, theirs)
    assert count == 0, f"{count} incidents differ (largest {largest:.3g} min)"
    assert ours.diversions == theirs.diversions
    assert np.array_equal(ours.log_unit, theirs.log_unit)
    assert np.allclose(ours.unit_busy, theirs.unit_busy, rtol=0, atol=1e-6)


def test_kernel_and_simpy_agree_with_availability_turnout_and_density() -> None:
    """The model's newer parts: units away for own work inside their shifts, turnout time,
    urban and rural speeds."""
    base = reduced(rotterdam_sized(12), roster_share=0.8, divert=True)
    areas = [
        a.model_copy(update={"population": 20_000.0 + 9_000.0 * k})
        for k, a in enumerate(base.areas)
    ]
    travel = base.travel.model_copy(
        update={"turnout_minutes": {1: 1.5, 2: 2.0, 3: 2.5}, "density": DensitySpeeds()}
    )
    scenario = base.model_copy(
        update={
            "areas": areas,
            "travel": travel,
            "availability": Availability(share=0.7, episode_minutes=40.0),
        }
    )
    model = build_model(scenario)
    incidents = draw(model, np.random.default_rng(11))
    assert len(incidents.away_start) > 1000
    ours = run_incidents(model, incidents)
    theirs = simulate_simpy(model, incidents, policy="korps")
    count, largest = differences(ours, theirs)
    assert count == 0, f"{count} incidents differ (largest {largest:.3g} min)"
    assert ours.diversions == theirs.diversions > 0


def test_differences_sees_one_changed_incident() -> None:
    model = build_model(reduced(rotterdam_sized(3), roster_share=0.6, divert=True))
    incidents = draw(model, np.random.default_rng(1))
    ours = run_incidents(model, incidents)
    other = run_incidents(model, incidents)
    other.on_scene[5] += 1e-3
    assert differences(ours, other)[0] == 1
    other = run_incidents(model, incidents)
    row = int(np.flatnonzero(other.log_incident == 9)[0])
    other.log_unit[row] = (other.log_unit[row] + 1) % len(model.unit_home)  # another unit sent
    assert differences(ours, other)[0] == 1


def test_the_benchmark_exits_zero_only_when_identical(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--days", "4", "--replications", "2", "--divert", "--roster-share", "0.6"]
    argv.append("--no-national")
    assert main(argv) == 0
    assert "identical per incident: yes" in capsys.readouterr().out


def test_the_benchmark_exits_non_zero_on_one_differing_incident(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sim_vs_simpy

    def off_by_one(*args: object, **kwargs: object) -> object:
        rep = simulate_simpy(*args, **kwargs)  # type: ignore[arg-type]
        rep.cleared[len(rep.cleared) // 2] += 0.01  # one incident cleared 0.6 s later
        return rep

    monkeypatch.setattr(sim_vs_simpy, "simulate_simpy", off_by_one)
    assert main(["--days", "3", "--replications", "2", "--no-national"]) == 1
    assert "identical per incident: NO (2 differ)" in capsys.readouterr().out
