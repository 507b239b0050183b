"""The joint fit of availability, speed scale and turnout (``korps.sim.fit.fit_joint``): every
setting of the grid reaches the target share, the residuals are what they say, and the
choice is the setting with the most responses in 3-10 minutes above the availability floor
(on this small example slower driving puts more there: responses under 3 minutes are many)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from korps.sim.engine import build_model, replicate
from korps.sim.fit import MOST, fit_joint, outcome, with_parameter, with_settings
from korps.sim.scenario import SimScenario, read_sim_scenario

EXAMPLE = Path(__file__).parents[2] / "examples" / "sim" / "klein.yaml"


@pytest.fixture(scope="module")
def scenario() -> SimScenario:
    base = read_sim_scenario(EXAMPLE)
    return base.model_copy(update={"days": 40, "warmup_days": 4})


def test_outcome_measures_the_responses_it_reports(scenario: SimScenario) -> None:
    result = outcome(scenario, value=1.0, replications=1, seed=5)
    (rep,) = replicate(build_model(scenario), replications=1, seed=5)
    keep = (rep.incidents.priority == 1) & (rep.incidents.time >= 4 * 1440)
    response = (rep.on_scene - rep.incidents.time)[keep]
    served = response[~np.isnan(response)]
    assert result.bulk == pytest.approx(np.mean((served >= 3) & (served <= 10)))
    assert result.median == pytest.approx(np.median(served))
    assert result.share.mean == pytest.approx(np.mean(np.nan_to_num(response, nan=99) <= 15))
    assert np.floor(result.mode) == np.argmax(np.bincount(np.floor(served).astype(int)))


def test_joint_fit_reaches_the_target_everywhere_and_chooses_by_the_shape(
    scenario: SimScenario,
) -> None:
    target = 0.80
    joint = fit_joint(
        scenario,
        target=target,
        speeds=[0.8, 1.0, 1.3],
        turnouts=[0.5, 2.0],
        seed=2,
        tolerance=0.01,
        min_availability=0.6,
    )
    assert [(s.speed, s.turnout) for s in joint.settings] == [
        (v, t) for v in (0.8, 1.0, 1.3) for t in (0.5, 2.0)
    ]
    reached = [s for s in joint.settings if abs(s.fit.residual) <= 0.01]
    assert len(reached) >= 4
    for s in joint.settings:
        assert s.shape_residual == pytest.approx(s.outcome.bulk - MOST)
        assert s.peak_residual == pytest.approx(s.outcome.mode - 6.5)
        again = outcome(
            with_parameter(
                with_settings(scenario, speed=s.speed, turnout=s.turnout),
                "availability",
                s.fit.value,
            ),
            value=s.fit.value,
            replications=1,
            seed=2,
        )
        assert again.share.mean == s.outcome.share.mean  # same seed, same setting
    eligible = [s for s in reached if s.fit.value >= 0.6 and 3 <= s.outcome.mode <= 10]
    assert len(eligible) < len(reached)  # the floor leaves settings out
    assert joint.best is max(eligible, key=lambda s: s.outcome.bulk)
    faster = {t: [s for s in reached if s.turnout == t] for t in (0.5, 2.0)}
    for same_turnout in faster.values():  # a faster drive needs less availability
        values = [s.fit.value for s in sorted(same_turnout, key=lambda s: s.speed)]
        assert values == sorted(values, reverse=True)


def test_a_grid_without_points_is_refused(scenario: SimScenario) -> None:
    with pytest.raises(ValueError, match="minstens één snelheidsschaal"):
        fit_joint(scenario, target=0.8, speeds=[], turnouts=[1.0])
