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
from korps.cli.sim_tables import (
    calibration_summary,
    group_table,
    kpi_rows,
    kpi_table,
    minutes,
    run_table,
)
from korps.common.datafile import DatasetError
from korps.common.formatting import number, percent
from korps.common.i18n import DEFAULT_LOCALE, N_, _, using
from korps.organisation.service import NotFoundError
from korps.planning.twin import basisteam_places, scenario_for_unit
from korps.sim.calibrate import (
    CalibrationError,
    calibrate_history,
    calibration_json,
    scenario_yaml,
    write_scenario,
)
from korps.sim.engine import ScenarioError, build_model, compact, replicate
from korps.sim.history import read_history
from korps.sim.kpi import summarize
from korps.sim.replay import replay, replay_json
from korps.sim.report import (
    assumptions,
    monthly_rows,
    result_json,
    share_with_interval,
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

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.commands.COMMANDS
SCENARIO_HELP = N_("Scenario-YAML (docs/simulation.md).")
HISTORY_HELP = N_("CSV met meldinghistorie (docs/incidents-csv.md).")
REPLICATIONS_HELP = N_("Aantal replicaties.")
SEED_HELP = N_("Startwaarde van de toevalsgenerator.")
JSON_HELP = N_("De uitkomst als JSON tonen.")


def load_scenario(scenario: Path | None, unit: str | None) -> SimScenario:
    if (scenario is None) == (unit is None):
        raise typer.BadParameter(_("geef een SCENARIO-bestand of --unit SLUG"))
    if scenario is not None:
        return read_sim_scenario(scenario)
    with open_session() as session:
        return scenario_for_unit(session, slug=unit or "")


@app.command(
    "run",
    help=_(
        "Simuleert en toont per prioriteit of de normen voor de aanrijdtijd gehaald worden, "
        "wat de run aannam en het piekgeheugen van het proces."
    ),
)
def run(
    scenario: Path | None = typer.Argument(None, help=_(SCENARIO_HELP)),
    unit: str | None = typer.Option(
        None, "--unit", help=_("Het scenario afleiden van deze eenheid.")
    ),
    replications: int = typer.Option(
        5, "--replications", "-r", min=1, max=1000, help=_(REPLICATIONS_HELP)
    ),
    seed: int = typer.Option(1, "--seed", help=_(SEED_HELP)),
    as_json: bool = typer.Option(False, "--json", help=_(JSON_HELP)),
    plot: Path | None = typer.Option(
        None, "--plot", help=_("PNG-grafieken en report.html in deze map schrijven.")
    ),
    monthly: Path | None = typer.Option(
        None,
        "--monthly",
        help=_(
            "Prio-1-meldingen en het aandeel binnen 15 minuten per gebied en maand schrijven (CSV)."
        ),
    ),
) -> None:
    """Simulate a scenario (help text: above, translated)."""
    try:
        model = build_model(load_scenario(scenario, unit))
    except (DatasetError, ScenarioError, NotFoundError, ValueError) as exc:
        raise fail(f"{scenario or unit}: {exc}") from exc
    with Progress(console=console, transient=True, disable=as_json) as progress:
        task = progress.add_task(_("simuleren"), total=replications)
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
        # JSON is for machines: the same keys (the Dutch labels) and texts in every language
        with using(DEFAULT_LOCALE):
            stated = dict(assumptions(model))
        print_json(result_json(result) | {"assumptions": stated})
        return
    console.print(run_table(result))
    for label, text in assumptions(model):
        console.print(f"{label}: {text}", highlight=False)
    console.print(
        _(
            "bezettingsgraad eenheden {utilisation}; wachttijd bij de centralist {wait} min; "
            "meldingen die op een eenheid wachten {waiting}",
            utilisation=percent(result.utilisation.mean),
            wait=number(result.operator_wait.mean, 2),
            waiting=percent(result.unit_wait.mean),
        ),
        highlight=False,
    )
    if plot is not None:
        console.print(_("grafieken in {folder}/ (report.html)", folder=str(plot)), highlight=False)
    if monthly is not None:
        console.print(
            _(
                "{rows} rijen per gebied en maand in {file}",
                rows=number(len(rows), 0),
                file=str(monthly),
            ),
            highlight=False,
        )
    console.print(
        _("piekgeheugen (RSS) van deze run: {mb} MB", mb=number(peak_rss_mb(), 0)),
        highlight=False,
    )


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (``ru_maxrss``: KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return float(peak) / (1024**2 if sys.platform == "darwin" else 1024)


@app.command(
    "calibrate",
    help=_(
        "Schat vraag, weekprofiel en duren uit een meldinghistorie en maakt er een scenario "
        "van; of stemt, met --unit en --target-share, de beschikbaarheid (of de "
        "snelheidsschaal) van de tweeling af op een gepubliceerd aandeel."
    ),
)
def calibrate(
    incidents: Path | None = typer.Argument(
        None,
        help=_("CSV met meldinghistorie (docs/incidents-csv.md); of --unit met --target-share."),
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help=_("Het scenario-YAML hier schrijven (standaard: tonen).")
    ),
    roster_from: Path | None = typer.Option(
        None,
        "--roster-from",
        help=_(
            "Gebieden, rooster, reistijden en normen uit dit scenario nemen "
            "(standaard: de database)."
        ),
    ),
    unit: str | None = typer.Option(
        None,
        "--unit",
        help=_("De tweeling van deze eenheid (of politie) afstemmen op --target-share."),
    ),
    target_share: float | None = typer.Option(
        None,
        "--target-share",
        help=_("Gepubliceerd aandeel prio 1 binnen 15 minuten, bijvoorbeeld 0.855."),
    ),
    fit: str = typer.Option("availability", "--fit", help=_("availability, speed of joint.")),
    speeds: str = typer.Option(
        "1.0,1.1,1.2,1.3,1.4",
        "--speeds",
        help=_("Snelheidsschalen in het raster van de gezamenlijke afstemming (joint)."),
    ),
    turnouts: str = typer.Option(
        "0.5,1.0",
        "--turnouts",
        help=_("Uitruktijden in minuten in het raster van de gezamenlijke afstemming (joint)."),
    ),
    days: float = typer.Option(95.0, "--days", help=_("Gesimuleerde dagen per stap (--unit).")),
    replications: int = typer.Option(
        1, "--replications", "-r", min=1, max=100, help=_(REPLICATIONS_HELP)
    ),
    seed: int = typer.Option(1, "--seed", help=_(SEED_HELP)),
    as_json: bool = typer.Option(False, "--json", help=_("De geschatte cijfers als JSON tonen.")),
) -> None:
    """Calibrate a scenario (help text: above, translated)."""
    if unit is not None or target_share is not None:
        grid = (speeds, turnouts) if fit == "joint" else None
        fit_unit(unit, target_share, fit, days, replications, seed, out, as_json, grid)
        return
    if incidents is None:
        raise typer.BadParameter(_("geef een INCIDENTS-bestand, of --unit met --target-share"))
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
    calibration_summary(result, out)


@app.command(
    "replay",
    help=_(
        "De gerealiseerde KPI's van de aanrijdtijden van een historie, tegen de standaardnormen."
    ),
)
def replay_history(
    incidents: Path = typer.Argument(..., help=_(HISTORY_HELP)),
    as_json: bool = typer.Option(False, "--json", help=_(JSON_HELP)),
) -> None:
    """Replay a history (help text: above, translated)."""
    try:
        result = replay(read_history(incidents, name=str(incidents)))
    except DatasetError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(replay_json(result))
        return
    title = _(
        "{history}: {count} meldingen, {first} .. {last}",
        history=result.history,
        count=number(result.incidents, 0),
        first=result.first,
        last=result.last,
    )
    console.print(kpi_rows(kpi_table(title, _("meldingen")), result.priorities))
    if result.districts:
        console.print(group_table(_("district"), result.districts))
    console.print(group_table(_("basisteam"), result.areas))
    console.print(
        _(
            "95%-BI: Wilson-scoreinterval van het aandeel (één realisatie, meldingen als "
            "onafhankelijk genomen); zonder eenheid ter plaatse telt een melding als niet "
            "binnen de norm"
        ),
        highlight=False,
    )


@app.command(
    "sweep",
    help=_("Rekent elke combinatie van de variaties door, parallel, en vergelijkt de normen."),
)
def sweep(
    scenario: Path = typer.Argument(..., help=_(SCENARIO_HELP)),
    vary: list[str] = typer.Option(
        ...,
        "--vary",
        help=_(
            "GEBIED:DIENST=N,N,... eenheden per dienst van een basisteam (* voor alle); "
            "herhaalbaar."
        ),
    ),
    replications: int = typer.Option(
        5, "--replications", "-r", min=1, max=1000, help=_(REPLICATIONS_HELP)
    ),
    seed: int = typer.Option(1, "--seed", help=_(SEED_HELP)),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help=_("Adres van de Dask-scheduler (standaard: lokale processen).")
    ),
    workers: int = typer.Option(
        os.cpu_count() or 1, "--workers", min=1, help=_("Aantal lokale werkprocessen.")
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help=_("results.csv of results.parquet.")),
    as_json: bool = typer.Option(False, "--json", help=_(JSON_HELP)),
) -> None:
    """Sweep the variations (help text: above, translated)."""
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
            task = progress.add_task(_("varianten"), total=None)
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
        _("eenheden"),
        *(_("prio {priority} binnen norm (95%-BI)", priority=p) for p in normed),
        _("P90 prio 1"),
        _("bezettingsgraad"),
        title=_(
            "{scenario}: {variants} varianten x {replications} replicaties, seed {seed}, {mode}",
            scenario=result.scenario,
            variants=number(len(rows), 0),
            replications=number(replications, 0),
            seed=seed,
            mode=result.mode,
        ),
    )
    for item in result.variants:
        by_priority = {k.priority: k for k in item.priorities}
        table.add_row(
            *(str(item.variant.values[label]) for label in labels),
            str(item.variant.units),
            *(share_with_interval(by_priority[p].within_norm) for p in normed),
            minutes(by_priority[1].p90.mean),
            share_with_interval(item.utilisation),
        )
    console.print(table)
    if out is not None:
        console.print(_("uitkomsten geschreven naar {file}", file=str(out)), highlight=False)
