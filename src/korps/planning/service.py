"""Run a scenario file against the database (or its inline teams)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from korps.planning.inputs import database_inputs, inline_inputs, with_workload
from korps.planning.plan import Result, run
from korps.planning.scenario import Scenario, read_scenario
from korps.planning.weights import apply_fit, describe
from korps.planning.workload import read_workload


def allocate_scenario(session: Session | None, *, scenario: Scenario) -> Result:
    """Inputs from the database when the scenario names a unit, else from its inline teams."""
    if scenario.unit is not None:
        if session is None:
            raise ValueError("this scenario reads its teams from the database")
        inputs = database_inputs(session, scenario)
    else:
        inputs = inline_inputs(scenario)
    if scenario.workload is not None:
        inputs = with_workload(inputs, read_workload(Path(scenario.workload)))
    scenario, fit = apply_fit(scenario, inputs)
    result = run(scenario, inputs)
    if fit is not None and scenario.fit is not None:
        result.fit = fit
        result.notes.append(describe(fit, scenario.fit))
        for row in result.level(0):
            row.notes.append(
                f"residual of the fit to {scenario.fit}: {fit.residuals[row.key]:+.1f}"
            )
    return result


def allocate_file(session: Session | None, *, path: Path) -> Result:
    return allocate_scenario(session, scenario=read_scenario(path))
