"""Minutes between the areas of a scenario: what units drive (turnout, the areas' urban and
rural speeds) and what the dispatch ranks them by (the control room's plain estimate)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from korps.dispatch.travel import TravelModel, density_factors, read_matrix, travel_matrices
from korps.sim.scenario import SimScenario

FloatArray = npt.NDArray[np.float64]


def travel_planes(scenario: SimScenario) -> FloatArray:
    """Minutes a unit takes, shape (4, A, A): ``[priority - 1, from, to]`` from dispatch to
    on scene (turnout + drive at the areas' speeds) for the three priorities, and
    ``[3, from, to]`` the drive back to base (the prio-3 drive, no turnout)."""
    spec = scenario.travel
    drive = _drive(scenario, density=True)
    turnout = [spec.turnout_minutes.get(p, 0.0) for p in (1, 2, 3)]
    planes = [drive[k] + turnout[k] if turnout[k] else drive[k] for k in range(3)]
    return np.ascontiguousarray(np.stack([*planes, drive[2]]))


def ranking_planes(scenario: SimScenario) -> FloatArray:
    """Minutes the dispatch ranks units by, shape (3, A, A): the control room's estimate,
    as the live control room computes it (``korps.controlroom.areas``: the plain speeds,
    no urban or rural factor; turnout is the same for every unit and changes no order)."""
    return np.ascontiguousarray(_drive(scenario, density=False))


def _drive(scenario: SimScenario, *, density: bool) -> FloatArray:
    spec = scenario.travel
    if spec.matrix:
        return read_matrix(Path(spec.matrix), scenario_keys(scenario))
    factors = None
    wanted = density and spec.density is not None
    if wanted and all(a.population is not None for a in scenario.areas):
        assert spec.density is not None
        factors = density_factors(
            [a.population or 0.0 for a in scenario.areas],
            [a.area_km2 for a in scenario.areas],
            **spec.density.model_dump(),
        )
    speeds = {p: v * spec.scale for p, v in spec.speed_kmh.items()}
    return travel_matrices(
        [a.lat for a in scenario.areas],
        [a.lon for a in scenario.areas],
        [a.area_km2 for a in scenario.areas],
        TravelModel(detour=spec.detour, speed_kmh=speeds),
        speed_factors=factors,
    )


def scenario_keys(scenario: SimScenario) -> list[str]:
    return [a.key for a in scenario.areas]
