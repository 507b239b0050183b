"""``korps sim``: run the digital twin on a scenario file or a unit in the database."""

from __future__ import annotations

import math
from pathlib import Path

import typer
from rich.progress import Progress
from rich.table import Table

from korps.cli.common import console, fail, open_session, print_json
from korps.organisation.datafile import DatasetError
from korps.organisation.service import NotFoundError
from korps.sim.build import scenario_for_unit
from korps.sim.engine import ScenarioError, build_model, replicate
from korps.sim.kpi import Estimate, SimResult, summarize
from korps.sim.report import result_json, write_plots
from korps.sim.scenario import SimScenario, read_sim_scenario

app = typer.Typer(
    help="Digital twin: simulate incidents, control room and units.", no_args_is_help=True
)


def _pct(e: Estimate) -> str:
    if math.isnan(e.mean):
        return ""
    if math.isnan(e.low):
        return f"{e.mean:.1%}"
    return f"{e.mean:.1%} ({e.low:.1%}-{e.high:.1%})"


def _table(result: SimResult) -> Table:
    table = Table(
        "prio",
        "incidents/run",
        "norm",
        "within norm (95% CI)",
        "target met",
        "P50 min",
        "P90 min",
        title=f"{result.scenario}: {result.replications} replications, seed {result.seed}",
    )
    for k in result.priorities:
        norm = "" if k.norm_minutes is None else f"{k.norm_minutes:g} min, >= {k.target_share:.0%}"
        met = {True: "yes", False: "NO", None: ""}[k.meets_target]
        table.add_row(
            str(k.priority),
            f"{k.incidents:,.0f}",
            norm,
            _pct(k.within_norm),
            met,
            f"{k.p50.mean:.1f}",
            f"{k.p90.mean:.1f}",
        )
    return table


def load_scenario(scenario: Path | None, unit: str | None) -> SimScenario:
    if (scenario is None) == (unit is None):
        raise typer.BadParameter("give a SCENARIO file or --unit SLUG")
    if scenario is not None:
        return read_sim_scenario(scenario)
    with open_session() as session:
        return scenario_for_unit(session, slug=unit or "")


@app.command("run")
def run(
    scenario: Path | None = typer.Argument(None, help="Scenario YAML (docs/simulation.md)."),
    unit: str | None = typer.Option(None, "--unit", help="Derive the scenario from a unit."),
    replications: int = typer.Option(5, "--replications", "-r", min=1, max=1000),
    seed: int = typer.Option(1, "--seed"),
    as_json: bool = typer.Option(False, "--json"),
    plot: Path | None = typer.Option(None, "--plot", help="Write PNG plots and report.html."),
) -> None:
    """Simulate and print compliance with the response-time norms per priority."""
    try:
        model = build_model(load_scenario(scenario, unit))
    except (DatasetError, ScenarioError, NotFoundError, ValueError) as exc:
        raise fail(f"{scenario or unit}: {exc}") from exc
    with Progress(console=console, transient=True, disable=as_json) as progress:
        task = progress.add_task("simulating", total=replications)
        reps = replicate(
            model,
            replications=replications,
            seed=seed,
            progress=lambda done: progress.update(task, completed=done),
        )
    result = summarize(model, reps, seed)
    if plot is not None:
        write_plots(model, reps, result, plot)
    if as_json:
        print_json(result_json(result))
        return
    console.print(_table(result))
    console.print(
        f"unit utilisation {result.utilisation.mean:.1%}; operator wait "
        f"{result.operator_wait.mean:.2f} min; incidents waiting for a unit "
        f"{result.unit_wait.mean:.1%}",
        highlight=False,
    )
    if plot is not None:
        console.print(f"plots in {plot}/ (report.html)", highlight=False)
