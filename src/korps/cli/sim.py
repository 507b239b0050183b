"""``korps sim``: run the digital twin on a scenario file or a unit in the database."""

from __future__ import annotations

import math
import os
import resource
import sys
from pathlib import Path

import typer
from rich.progress import Progress, TimeElapsedColumn
from rich.table import Table

from korps.cli.common import console, fail, open_session, print_json
from korps.cli.sim_fit import fit_unit
from korps.common.datafile import DatasetError
from korps.organisation.service import NotFoundError
from korps.planning.twin import basisteam_places, scenario_for_unit
from korps.sim.calibrate import (
    Calibration,
    CalibrationError,
    DurationFit,
    calibrate_history,
    calibration_json,
    scenario_yaml,
    write_scenario,
)
from korps.sim.engine import ScenarioError, build_model, compact, replicate
from korps.sim.history import read_history
from korps.sim.kpi import AreaKpi, Estimate, PriorityKpi, SimResult, summarize
from korps.sim.replay import replay, replay_json
from korps.sim.report import (
    assumptions,
    monthly_rows,
    result_json,
    write_monthly,
    write_plots,
)
from korps.sim.scenario import SimScenario, read_sim_scenario
from korps.sim.sweep import (
    SweepError,
    output_format,
    parse_vary,
    result_rows,
    run_sweep,
    write_results,
)

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
    monthly: Path | None = typer.Option(
        None,
        "--monthly",
        help="Write prio-1 incidents and the share within 15 minutes per area and month (CSV).",
    ),
) -> None:
    """Simulate and print compliance with the response-time norms per priority, what the
    run assumed, and the process's peak memory."""
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
            keep=compact,
        )
    result = summarize(model, reps, seed)
    rows = monthly_rows(model, reps) if monthly is not None or plot is not None else []
    if plot is not None:
        write_plots(model, reps, result, plot, monthly=rows)
    if monthly is not None:
        write_monthly(rows, monthly)
    if as_json:
        print_json(result_json(result) | {"assumptions": dict(assumptions(model))})
        return
    console.print(_table(result))
    for label, text in assumptions(model):
        console.print(f"{label}: {text}", highlight=False)
    console.print(
        f"unit utilisation {result.utilisation.mean:.1%}; operator wait "
        f"{result.operator_wait.mean:.2f} min; incidents waiting for a unit "
        f"{result.unit_wait.mean:.1%}",
        highlight=False,
    )
    if plot is not None:
        console.print(f"plots in {plot}/ (report.html)", highlight=False)
    if monthly is not None:
        console.print(f"{len(rows)} rows per area and month in {monthly}", highlight=False)
    console.print(f"peak memory (RSS) of this run: {peak_rss_mb():.0f} MB", highlight=False)


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (``ru_maxrss``: KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return float(peak) / (1024**2 if sys.platform == "darwin" else 1024)


def _kpi_rows(table: Table, priorities: list[PriorityKpi]) -> Table:
    for k in priorities:
        norm = "" if k.norm_minutes is None else f"{k.norm_minutes:g} min, >= {k.target_share:.0%}"
        met = {True: "yes", False: "NO", None: ""}[k.meets_target]
        p50 = "" if math.isnan(k.p50.mean) else f"{k.p50.mean:.1f}"
        p90 = "" if math.isnan(k.p90.mean) else f"{k.p90.mean:.1f}"
        table.add_row(
            str(k.priority), f"{k.incidents:,.0f}", norm, _pct(k.within_norm), met, p50, p90
        )
    return table


def _group_table(title: str, kpis: list[AreaKpi]) -> Table:
    priorities = sorted({k.priority for k in kpis})
    table = Table(title, *(f"prio {p} within norm (n)" for p in priorities), title=None)
    rows: dict[str, dict[int, AreaKpi]] = {}
    for k in kpis:
        rows.setdefault(k.key, {})[k.priority] = k
    for key, by_priority in rows.items():
        table.add_row(
            key,
            *(
                f"{_pct(by_priority[p].within_norm)} ({by_priority[p].incidents:,.0f})"
                for p in priorities
            ),
        )
    return table


@app.command("calibrate")
def calibrate(
    incidents: Path | None = typer.Argument(
        None, help="Incident history CSV (docs/incidents-csv.md); or --unit with --target-share."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write the scenario YAML here (default: print it)."
    ),
    roster_from: Path | None = typer.Option(
        None,
        "--roster-from",
        help="Take areas, roster, travel and norms from this scenario (default: the database).",
    ),
    unit: str | None = typer.Option(
        None, "--unit", help="Fit the twin of this unit (or politie) to --target-share."
    ),
    target_share: float | None = typer.Option(
        None, "--target-share", help="Published prio-1 share within 15 minutes, e.g. 0.855."
    ),
    fit: str = typer.Option("availability", "--fit", help="availability, speed or joint"),
    speeds: str = typer.Option(
        "1.0,1.1,1.2,1.3,1.4", "--speeds", help="Speed scales of the joint fit's grid."
    ),
    turnouts: str = typer.Option(
        "0.5,1.0", "--turnouts", help="Turnout minutes of the joint fit's grid."
    ),
    days: float = typer.Option(95.0, "--days", help="Simulated days per step (--unit)."),
    replications: int = typer.Option(1, "--replications", "-r", min=1, max=100),
    seed: int = typer.Option(1, "--seed"),
    as_json: bool = typer.Option(False, "--json", help="Print the fitted figures as JSON."),
) -> None:
    """Fit demand, profile and durations from a history into a scenario; or, with --unit and
    --target-share, fit the twin's availability (or speed scale) to a published share."""
    if unit is not None or target_share is not None:
        grid = (speeds, turnouts) if fit == "joint" else None
        fit_unit(unit, target_share, fit, days, replications, seed, out, as_json, grid)
        return
    if incidents is None:
        raise typer.BadParameter("give an INCIDENTS file, or --unit with --target-share")
    try:
        history = read_history(incidents, name=str(incidents))
        if roster_from is not None:
            result = calibrate_history(history, base=read_sim_scenario(roster_from))
        else:
            with open_session() as session:
                places, unplaced = basisteam_places(session, history.basisteam)
            result = calibrate_history(history, places=places, unplaced=unplaced)
        text = scenario_yaml(result, out=out)
        if out is not None:
            write_scenario(result, out)
    except DatasetError as exc:
        raise fail(str(exc)) from exc
    except (CalibrationError, ScenarioError, OSError, ValueError) as exc:
        raise fail(f"{incidents}: {exc}") from exc
    if as_json:
        data = calibration_json(result)
        print_json(data if out is not None else data | {"yaml": text})
        return
    if out is None:
        typer.echo(text, nl=False)
        return
    _calibration_summary(result, out)


def _calibration_summary(result: Calibration, out: Path) -> None:
    table = Table(
        "prio",
        "incidents/year",
        "on scene: mean min (cv, n)",
        "intake to dispatch: mean min (cv, n)",
        title=f"{result.file}: {result.incidents:,} incidents over {result.span_days:.1f} days",
    )
    for service, intake in zip(result.service, result.intake, strict=True):
        p = service.priority
        per_year = sum(rates[p] for rates in result.rates.values())

        def fit(f: DurationFit) -> str:
            if not f.fitted:
                return f"{f.mean:g} (default; {f.observations} observed)"
            return f"{f.mean:.1f} ({f.cv:.2f}, {f.observations:,})"

        table.add_row(str(p), f"{per_year:,.0f}", fit(service), fit(intake))
    console.print(table)
    two = f"{result.two_unit_share:.1%}" + ("" if result.two_unit_fitted else " (default)")
    console.print(
        f"{len(result.rates)} basisteams (areas from the {result.areas_from}); "
        f"two-unit share of prio 1 {two}; profile peak {result.profile_peak[0]} "
        f"x{result.profile_peak[1]:.2f}, low {result.profile_low[0]} x{result.profile_low[1]:.2f}",
        highlight=False,
    )
    console.print(f"scenario written to {out}", highlight=False)


@app.command("replay")
def replay_history(
    incidents: Path = typer.Argument(..., help="Incident history CSV (docs/incidents-csv.md)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The realised response-time KPIs of a history, against the default norms."""
    try:
        result = replay(read_history(incidents, name=str(incidents)))
    except DatasetError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(replay_json(result))
        return
    table = Table(
        "prio",
        "incidents",
        "norm",
        "within norm (95% CI)",
        "target met",
        "P50 min",
        "P90 min",
        title=f"{result.history}: {result.incidents:,} incidents, {result.first} .. {result.last}",
    )
    console.print(_kpi_rows(table, result.priorities))
    if result.districts:
        console.print(_group_table("district", result.districts))
    console.print(_group_table("basisteam", result.areas))
    console.print(
        "95% CI: Wilson score interval of the share (one realisation, incidents taken as "
        "independent); no unit on scene counts as not within the norm",
        highlight=False,
    )


@app.command("sweep")
def sweep(
    scenario: Path = typer.Argument(..., help="Scenario YAML (docs/simulation.md)."),
    vary: list[str] = typer.Option(
        ...,
        "--vary",
        help="AREA:SHIFT=N,N,... units per shift of a basisteam (* for all); repeatable.",
    ),
    replications: int = typer.Option(5, "--replications", "-r", min=1, max=1000),
    seed: int = typer.Option(1, "--seed"),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address (default: local processes)."
    ),
    workers: int = typer.Option(
        os.cpu_count() or 1, "--workers", min=1, help="Local worker processes."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="results.csv or results.parquet"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Run every combination of the variations, in parallel, and compare the norms."""
    try:
        if out is not None:
            output_format(out)
        base = read_sim_scenario(scenario)
        variations = [parse_vary(text, base) for text in vary]
        with Progress(
            *Progress.get_default_columns(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=as_json,
        ) as progress:
            task = progress.add_task("sweep", total=None)
            result = run_sweep(
                base,
                variations,
                replications=replications,
                seed=seed,
                scheduler=scheduler,
                workers=workers,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        if out is not None:
            write_results(result, out)
    except DatasetError as exc:
        raise fail(str(exc)) from exc
    except (SweepError, ScenarioError, OSError) as exc:
        raise fail(f"{scenario}: {exc}") from exc
    rows = result_rows(result)
    if as_json:
        print_json(
            {
                "scenario": result.scenario,
                "mode": result.mode,
                "rows": [
                    {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()}
                    for r in rows
                ],
            }
        )
        return
    labels = [v.label for v in result.variations]
    normed = [k.priority for k in result.variants[0].priorities if k.norm_minutes is not None]
    table = Table(
        *labels,
        "units",
        *(f"prio {p} within norm (95% CI)" for p in normed),
        "P90 prio 1",
        "utilisation",
        title=f"{result.scenario}: {len(rows)} variants x {replications} replications, "
        f"seed {seed}, {result.mode}",
    )
    for item in result.variants:
        by_priority = {k.priority: k for k in item.priorities}
        table.add_row(
            *(str(item.variant.values[label]) for label in labels),
            str(item.variant.units),
            *(_pct(by_priority[p].within_norm) for p in normed),
            f"{by_priority[1].p90.mean:.1f}",
            _pct(item.utilisation),
        )
    console.print(table)
    if out is not None:
        console.print(f"results written to {out}", highlight=False)
