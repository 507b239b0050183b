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
from korps.common.formatting import EMPTY, number, percent, short, signed
from korps.common.i18n import N_, _
from korps.organisation.service import NotFoundError
from korps.planning.roster import FteRule, Level, RosterPlan, optimise
from korps.sim.engine import ScenarioError
from korps.sim.report import result_json

err_console = Console(stderr=True)
ACTIONS = {"add": N_("erbij"), "remove": N_("eraf")}  # a step of the search
app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.commands.COMMANDS


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


@app.command(
    "roster",
    help=_(
        "Toets de bereikbaarheid, schat met M/M/c, bevestig en snoei met de simulatie; toont "
        "eenheden, fte, onbereikbare gebieden, grenzen en winst (de voortgang op stderr "
        "terwijl het loopt)."
    ),
)
def roster(
    scenario: Path | None = typer.Argument(
        None, help=_("Het YAML-bestand van het scenario (docs/simulation.md).")
    ),
    unit: str | None = typer.Option(
        None, "--unit", help=_("Leid het scenario af van deze eenheid.")
    ),
    level: str = typer.Option(
        "unit", "--level", help=_("Het niveau: unit, district of basisteam.")
    ),
    replications: int = typer.Option(
        3, "--replications", "-r", min=1, max=100, help=_("Herhalingen per evaluatie.")
    ),
    seed: int = typer.Option(1, "--seed", help=_("Het startgetal van de toevalsgenerator.")),
    crew: int = typer.Option(2, help=_("Agenten per eenheid.")),
    hours_per_fte: float = typer.Option(36.0, help=_("Uren per week van één fte.")),
    deployability: float = typer.Option(
        0.75, help=_("Het deel van de fte-uren dat voor diensten beschikbaar is.")
    ),
    max_per_area: int = typer.Option(
        40, "--max-per-area", min=1, help=_("Grens: eenheden per gebied en dienst.")
    ),
    max_total: int | None = typer.Option(
        None, "--max-total", min=1, help=_("Grens: eenheid-diensten per dag in totaal.")
    ),
    max_fte: float | None = typer.Option(
        None,
        "--max-fte",
        help=_(
            "De noodhulpcapaciteit van de formatie (fte): meldt het als die wordt overschreden."
        ),
    ),
    days: float = typer.Option(
        91.0,
        "--days",
        help=_("Gesimuleerde dagen per evaluatie (een kwartaal rangschikt roosters goed)."),
    ),
    as_json: bool = typer.Option(False, "--json", help=_("Geef het plan als JSON.")),
) -> None:
    """Check reachability, screen with M/M/c, confirm and trim with the simulation."""
    if level not in ("unit", "district", "basisteam"):
        raise typer.BadParameter(_("--level moet unit, district of basisteam zijn"))
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
        _("gebied"),
        *shifts,
        "fte",
        title=_(
            "rooster: normen {verdict} op niveau {level}; {units} eenheid-diensten per dag, "
            "{fte} fte",
            verdict=_("gehaald") if plan.met else _("NIET gehaald"),
            level=plan.level,
            units=number(plan.total_units, 0),
            fte=short(plan.total_fte),
        ),
    )
    for area, counts in plan.units.items():
        table.add_row(area, *(str(counts[s]) for s in shifts), short(plan.fte[area]))
    console.print(table)
    for reach in plan.limited:
        console.print(
            _(
                "{area}: begrensd door de reistijd: {minutes} min vanaf de dichtstbijzijnde "
                "uitvalsbasis; hoogstens {best} binnen de norm, welk rooster ook "
                "(de reistijd alleen kost {costs})",
                area=reach.area,
                minutes=number(reach.travel_minutes, 1),
                best=percent(reach.best_share),
                costs=percent(reach.travel_costs),
            ),
            highlight=False,
        )
    for reach in plan.unreachable:
        console.print(
            _(
                "{area}: met bezetting niet te bereiken: de reistijd alleen ({minutes} min vanaf "
                "de dichtstbijzijnde uitvalsbasis) laat hoogstens {best} binnen de norm, dus "
                "{late} van de prio-1-meldingen is te laat, welk rooster ook",
                area=reach.area,
                minutes=number(reach.travel_minutes, 1),
                best=percent(reach.best_share),
                late=percent(1 - reach.best_share),
            ),
            highlight=False,
        )
    for text in plan.capped:
        console.print(_("begrensd: {text}", text=text), highlight=False)
    if over and max_fte is not None:
        console.print(
            _(
                "het plan vraagt {fte} fte, meer dan de opgegeven noodhulpcapaciteit van "
                "{capacity} fte",
                fte=short(plan.total_fte),
                capacity=short(max_fte),
            ),
            highlight=False,
        )
    console.print(
        _("{count} gesimuleerde evaluaties", count=number(plan.evaluations, 0)), highlight=False
    )
    for step in plan.steps:
        if step.action == "screen":
            continue
        console.print(
            _(
                "1 eenheid {action} {area} {shift}: slechtste marge {before} -> {after}",
                action=_(ACTIONS[step.action]) if step.action in ACTIONS else step.action,
                area=step.area,
                shift=step.shift,
                before=_margin(step.compliance_before),
                after=_margin(step.compliance_after),
            ),
            highlight=False,
        )


def _margin(value: float | None) -> str:
    return EMPTY if value is None else signed(value, 3)


def level_of(text: str) -> Level:
    if text == "district":
        return "district"
    if text == "basisteam":
        return "basisteam"
    return "unit"
