"""``korps formation``: import occupancy, the gap against the formation, the wijkagent target."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from korps.cli.common import console, fail, open_session, print_json
from korps.common.datafile import DatasetError
from korps.common.formatting import number, short
from korps.common.i18n import _
from korps.formation import schemas, service
from korps.formation.loader import import_occupancy
from korps.organisation.service import NotFoundError

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.commands.COMMANDS


@app.command(
    "import",
    help=_(
        "Importeer de bezetting; een foutief bestand wordt geweigerd met bestand, regel, "
        "kolom en reden."
    ),
)
def import_file(
    file: Path = typer.Argument(
        ..., help=_("CSV of XLSX met eenheid, categorie, periode en bezetting.")
    ),
    sheet: str | None = typer.Option(
        None, "--sheet", help=_("Het XLSX-werkblad (standaard het eerste).")
    ),
    as_json: bool = typer.Option(False, "--json", help=_("Geef het importverslag als JSON.")),
) -> None:
    with open_session() as session:
        try:
            report = import_occupancy(session, path=file, sheet=sheet)
        except DatasetError as exc:
            raise fail(_("{name} geweigerd, niets geschreven:", name=file) + f"\n{exc}") from exc
    if as_json:
        print_json(report)
        return
    console.print(
        _(
            "[bold]{file}[/bold]: {rows} rijen, {inserted} toegevoegd, {updated} gewijzigd, "
            "{unchanged} ongewijzigd",
            file=report.file,
            rows=number(report.rows, 0),
            inserted=number(report.inserted, 0),
            updated=number(report.updated, 0),
            unchanged=number(report.unchanged, 0),
        ),
        highlight=False,
    )
    for message in report.messages:
        console.print("  [yellow]" + _("waarschuwing:") + f"[/yellow] {message}", highlight=False)


def _cells(figures: schemas.GapFigures | None) -> list[str]:
    if figures is None:
        return ["", "", "", ""]
    return [
        number(figures.formation) if figures.formation is not None else "",
        number(figures.occupancy) if figures.occupancy is not None else "",
        number(figures.gap) if figures.gap is not None else "",
        number(figures.percentage) if figures.percentage is not None else "",
    ]


@app.command(
    "gap",
    help=_(
        "Formatie min bezetting voor SLUG en de eenheden eronder, met sommen over de deelbomen."
    ),
)
def gap(
    slug: str = typer.Argument(..., help=_("De slug van de eenheid.")),
    category: str = typer.Option(
        service.DEFAULT_CATEGORY, "--category", help=_("De categorie van de cijfers.")
    ),
    period: str | None = typer.Option(
        None, "--period", help=_("De planperiode (standaard de laatste).")
    ),
    depth: int | None = typer.Option(
        None, "--depth", min=0, help=_("Het aantal niveaus van rijen in de lijst.")
    ),
    as_json: bool = typer.Option(False, "--json", help=_("Geef het overzicht als JSON.")),
) -> None:
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
        _("eenheid"),
        _("formatie"),
        _("bezetting"),
        _("tekort"),
        "%",
        "Σ " + _("formatie"),
        "Σ " + _("bezetting"),
        "Σ " + _("tekort"),
        "Σ %",
        "Σ " + _("eenheden"),
        title=_(
            "{unit}: {category}, periode {period}",
            unit=report.unit.name,
            category=report.category,
            period=report.period or "–",
        ),
        caption=_("Σ: sommen over de bovenste eenheden eronder die beide getallen hebben"),
    )
    for row in report.rows:
        label = "  " * row.depth + row.unit.name + (f" ({row.unit.code})" if row.unit.code else "")
        units = number(row.subtree.units, 0) if row.subtree else ""
        table.add_row(label, *_cells(row.own), *_cells(row.subtree), units)
    console.print(table)


@app.command(
    "wijkagenten",
    help=_("Is de bezetting van wijkagenten van SLUG minstens het doelpercentage van de formatie?"),
)
def wijkagenten(
    slug: str = typer.Argument(..., help=_("De slug van de eenheid.")),
    target: float | None = typer.Option(
        None,
        "--target",
        min=0,
        max=100,
        help=_(
            "Het doel in procenten van de formatie (standaard {percent}).",
            percent=short(service.WIJKAGENT_TARGET.percent),
        ),
    ),
    period: str | None = typer.Option(
        None, "--period", help=_("De planperiode (standaard de laatste).")
    ),
    as_json: bool = typer.Option(False, "--json", help=_("Geef de uitkomst als JSON.")),
) -> None:
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
            _(
                "geen formatie en bezetting van wijkagenten voor periode {period}",
                period=result.period or "–",
            ),
            highlight=False,
        )
        return
    basis = (
        _("eigen cijfers")
        if result.basis == "own"
        else _("som over {count} eenheden", count=number(result.units, 0))
    )
    verdict = (
        "[green]" + _("gehaald") + "[/green]"
        if result.met
        else "[red]" + _("niet gehaald") + "[/red]"
    )
    console.print(
        _(
            "formatie {formation}, bezetting {occupancy} ({percentage}%, {basis}), "
            "periode {period}: doel {target}% {verdict}",
            formation=number(result.formation),
            occupancy=number(result.occupancy),
            percentage=number(result.percentage),
            basis=basis,
            period=result.period,
            target=number(result.target),
            verdict=verdict,
        ),
        highlight=False,
    )
