"""``korps formation``: import occupancy, the gap against the formation, the wijkagent target."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from korps.cli.common import console, fail, open_session, print_json
from korps.common.datafile import DatasetError
from korps.common.formatting import number
from korps.formation import schemas, service
from korps.formation.loader import import_occupancy
from korps.organisation.service import NotFoundError

app = typer.Typer(
    help="Formation: occupancy (bezetting) against the formation, gaps, the wijkagent target.",
    no_args_is_help=True,
)


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., help="CSV or XLSX with unit, category, period, bezetting."),
    sheet: str | None = typer.Option(None, "--sheet", help="XLSX sheet (default: the first)."),
    as_json: bool = typer.Option(False, "--json", help="Print the import report as JSON."),
) -> None:
    """Import occupancy; a bad file is refused with file, line, column and reason."""
    with open_session() as session:
        try:
            report = import_occupancy(session, path=file, sheet=sheet)
        except DatasetError as exc:
            raise fail(f"{file} refused, nothing written:\n{exc}") from exc
    if as_json:
        print_json(report)
        return
    console.print(
        f"[bold]{report.file}[/bold]: {report.rows} rows, {report.inserted} inserted, "
        f"{report.updated} updated, {report.unchanged} unchanged",
        highlight=False,
    )
    for message in report.messages:
        console.print(f"  [yellow]warning:[/yellow] {message}", highlight=False)


def _cells(figures: schemas.GapFigures | None) -> list[str]:
    if figures is None:
        return ["", "", "", ""]
    return [
        number(figures.formation) if figures.formation is not None else "",
        number(figures.occupancy) if figures.occupancy is not None else "",
        number(figures.gap) if figures.gap is not None else "",
        number(figures.percentage) if figures.percentage is not None else "",
    ]


@app.command("gap")
def gap(
    slug: str,
    category: str = typer.Option(service.DEFAULT_CATEGORY, "--category", help="Figure category."),
    period: str | None = typer.Option(None, "--period", help="Plan period (default: latest)."),
    depth: int | None = typer.Option(None, "--depth", min=0, help="Levels of rows to list."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Formation minus occupancy for SLUG and the units below it, with subtree sums."""
    with open_session() as session:
        try:
            report = service.formation_gap(
                session, slug=slug, category=category, period=period, depth=depth
            )
        except NotFoundError as exc:
            raise fail(str(exc.args[0])) from exc
    if as_json:
        print_json(report)
        return
    table = Table(
        "unit",
        "formatie",
        "bezetting",
        "gap",
        "%",
        "Σ formatie",
        "Σ bezetting",
        "Σ gap",
        "Σ %",
        "Σ units",
        title=f"{report.unit.name}: {report.category}, period {report.period or '–'}",
        caption="Σ: sums over the topmost units below with both numbers",
    )
    for row in report.rows:
        label = "  " * row.depth + row.unit.name + (f" ({row.unit.code})" if row.unit.code else "")
        units = str(row.subtree.units) if row.subtree else ""
        table.add_row(label, *_cells(row.own), *_cells(row.subtree), units)
    console.print(table)


@app.command("wijkagenten")
def wijkagenten(
    slug: str,
    target: float | None = typer.Option(
        None,
        "--target",
        min=0,
        max=100,
        help=f"Percent of the formation (default {service.WIJKAGENT_TARGET.percent:g}).",
    ),
    period: str | None = typer.Option(None, "--period", help="Plan period (default: latest)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Is the wijkagent occupancy of SLUG at least the target % of its formation?"""
    with open_session() as session:
        try:
            result = service.wijkagent_target(session, slug=slug, target=target, period=period)
        except NotFoundError as exc:
            raise fail(str(exc.args[0])) from exc
    if as_json:
        print_json(result)
        return
    console.print(f"[bold]{result.unit.name}[/bold]: {result.rule}", highlight=False)
    if result.met is None:
        console.print(
            f"no wijkagenten formation and occupancy for period {result.period or '–'}",
            highlight=False,
        )
        return
    basis = "own figures" if result.basis == "own" else f"sum over {result.units} units"
    verdict = "[green]met[/green]" if result.met else "[red]not met[/red]"
    console.print(
        f"formatie {number(result.formation)}, bezetting {number(result.occupancy)} "
        f"({number(result.percentage)}%, {basis}), period {result.period}: "
        f"target {number(result.target)}% {verdict}",
        highlight=False,
    )
