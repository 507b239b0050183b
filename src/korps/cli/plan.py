"""``korps plan roster``: the fewest units per shift that meet the response-time norms."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from korps.cli.common import console, fail, print_json
from korps.cli.sim import load_scenario
from korps.organisation.datafile import DatasetError
from korps.organisation.service import NotFoundError
from korps.planning.roster import FteRule, Level, RosterPlan, optimise
from korps.sim.engine import ScenarioError
from korps.sim.report import result_json

app = typer.Typer(help="Planning with the digital twin.", no_args_is_help=True)


def _json(plan: RosterPlan) -> dict[str, Any]:
    return {
        "units": plan.units,
        "fte": plan.fte,
        "total_units": plan.total_units,
        "total_fte": plan.total_fte,
        "met": plan.met,
        "level": plan.level,
        "steps": [asdict(s) for s in plan.steps if s.action != "screen"],
        "result": result_json(plan.result) if plan.result else None,
    }


@app.command("roster")
def roster(
    scenario: Path | None = typer.Argument(None, help="Scenario YAML (docs/simulation.md)."),
    unit: str | None = typer.Option(None, "--unit", help="Derive the scenario from a unit."),
    level: str = typer.Option("unit", "--level", help="unit, district or basisteam"),
    replications: int = typer.Option(3, "--replications", "-r", min=1, max=100),
    seed: int = typer.Option(1, "--seed"),
    crew: int = typer.Option(2, help="officers per unit"),
    hours_per_fte: float = typer.Option(36.0, help="hours a week of one FTE"),
    deployability: float = typer.Option(0.75, help="share of FTE hours available for shifts"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Screen with M/M/c, confirm and trim with the simulation; print units, FTE and gains."""
    if level not in ("unit", "district", "basisteam"):
        raise typer.BadParameter("--level must be unit, district or basisteam")
    try:
        spec = load_scenario(scenario, unit)
        rule = FteRule(crew=crew, hours_per_fte=hours_per_fte, deployability=deployability)
        with console.status("optimising the roster") as status:
            plan = optimise(
                spec,
                level=level_of(level),
                replications=replications,
                seed=seed,
                fte_rule=rule,
                progress=lambda text: status.update(text),
            )
    except (DatasetError, ScenarioError, NotFoundError, ValueError) as exc:
        raise fail(f"{scenario or unit}: {exc}") from exc
    if as_json:
        print_json(_json(plan))
        return
    shifts = list(next(iter(plan.units.values())).keys()) if plan.units else []
    table = Table(
        "area",
        *shifts,
        "FTE",
        title=f"roster: norms {'met' if plan.met else 'NOT met'}"
        f" at {plan.level} level; {plan.total_units} unit-shifts/day, "
        f"{plan.total_fte:g} FTE",
    )
    for area, counts in plan.units.items():
        table.add_row(area, *(str(counts[s]) for s in shifts), f"{plan.fte[area]:g}")
    console.print(table)
    for step in plan.steps:
        if step.action == "screen":
            continue
        console.print(
            f"{step.action} 1 unit {step.area} {step.shift}: worst margin "
            f"{step.compliance_before:+.3f} -> {step.compliance_after:+.3f}",
            highlight=False,
        )


def level_of(text: str) -> Level:
    if text == "district":
        return "district"
    if text == "basisteam":
        return "basisteam"
    return "unit"
