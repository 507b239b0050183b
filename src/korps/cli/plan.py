"""``korps plan roster``: the fewest units per shift that meet the response-time norms."""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from korps.cli.common import console, fail, print_json
from korps.cli.sim import load_scenario
from korps.common.datafile import DatasetError
from korps.organisation.service import NotFoundError
from korps.planning.roster import FteRule, Level, RosterPlan, optimise
from korps.sim.engine import ScenarioError
from korps.sim.report import result_json

err_console = Console(stderr=True)
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
        "unreachable": [asdict(r) for r in plan.unreachable],
        "limited_by_travel": [asdict(r) for r in plan.limited],
        "capped": plan.capped,
        "evaluations": plan.evaluations,
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
    max_per_area: int = typer.Option(
        40, "--max-per-area", min=1, help="cap: units per area and shift"
    ),
    max_total: int | None = typer.Option(
        None, "--max-total", min=1, help="cap: unit-shifts a day in all"
    ),
    max_fte: float | None = typer.Option(
        None, "--max-fte", help="the formation's noodhulp capacity (FTE): say when passed"
    ),
    days: float = typer.Option(
        91.0, "--days", help="days simulated per evaluation (a quarter ranks rosters well)"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Check reachability, screen with M/M/c, confirm and trim with the simulation; print
    units, FTE, unreachable areas, caps and gains (progress on stderr while it runs)."""
    if level not in ("unit", "district", "basisteam"):
        raise typer.BadParameter("--level must be unit, district or basisteam")
    try:
        spec = load_scenario(scenario, unit)
        rule = FteRule(crew=crew, hours_per_fte=hours_per_fte, deployability=deployability)
        started = time.monotonic()

        def progress(text: str) -> None:
            if not as_json:
                err_console.print(f"[{time.monotonic() - started:5.0f} s] {text}", highlight=False)

        plan = optimise(
            spec,
            level=level_of(level),
            replications=replications,
            seed=seed,
            fte_rule=rule,
            max_per_area=max_per_area,
            max_total=max_total,
            days=min(days, spec.days),
            progress=progress,
        )
    except (DatasetError, ScenarioError, NotFoundError, ValueError) as exc:
        raise fail(f"{scenario or unit}: {exc}") from exc
    over = max_fte is not None and plan.total_fte > max_fte
    if as_json:
        print_json(_json(plan) | {"max_fte": max_fte, "over_max_fte": over})
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
    for reach in plan.limited:
        console.print(
            f"{reach.area}: limited by travel: {reach.travel_minutes:.1f} min from the nearest "
            f"base; at best {reach.best_share:.1%} within the norm whatever the roster "
            f"(travel alone costs {reach.travel_costs:.1%})",
            highlight=False,
        )
    for reach in plan.unreachable:
        console.print(
            f"{reach.area}: unreachable by staffing: travel alone ({reach.travel_minutes:.1f} min "
            f"from the nearest base) leaves at best {reach.best_share:.1%} within the norm, "
            f"so {1 - reach.best_share:.1%} of its prio-1 incidents are late whatever the roster",
            highlight=False,
        )
    for text in plan.capped:
        console.print(f"capped: {text}", highlight=False)
    if over:
        console.print(
            f"the plan needs {plan.total_fte:g} FTE, more than the noodhulp capacity of "
            f"{max_fte:g} FTE given",
            highlight=False,
        )
    console.print(f"{plan.evaluations} simulated evaluations", highlight=False)
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
