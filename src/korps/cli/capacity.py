"""``korps capacity``: import and export people, sick leave, generate a roster. Texts in the
language of the command line (korps.common.i18n, Dutch by default)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from korps.capacity import datafile, rostering, service
from korps.capacity.generator import RosterError, SolveOptions
from korps.capacity.templates import shift_templates
from korps.cli.capacity_plan import SYSTEM, register
from korps.cli.common import console, fail, open_session, print_json
from korps.common.datafile import DatasetError
from korps.common.formatting import date as day_text
from korps.common.formatting import number, percent, short
from korps.common.i18n import _
from korps.common.labels import ROSTER_STATUS_LABELS, label
from korps.identity.errors import Forbidden
from korps.organisation.service import NotFoundError

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.commands.COMMANDS
register(app)
__all__ = ["SYSTEM", "app"]


@app.command(
    "import",
    help=_(
        "Importeer personen; bij één foute regel (of een onbekend team) wordt niets opgeslagen."
    ),
)
def import_people(
    file: Path = typer.Argument(..., help=_("CSV- of XLSX-bestand met personen.")),
) -> None:
    try:
        people = datafile.read(file)
        with open_session() as session:
            count = datafile.import_people(session, principal=SYSTEM, file=str(file), people=people)
    except DatasetError as exc:
        raise fail(
            _("{file} geweigerd, niets opgeslagen: {reason}", file=file, reason=exc)
        ) from exc
    console.print(
        _("{count} personen geïmporteerd uit {file}", count=number(count, 0), file=file),
        highlight=False,
    )


@app.command(
    "export",
    help=_("Exporteer de personen van een eenheid als CSV of XLSX (de kolommen van de import)."),
)
def export_people(
    slug: str = typer.Argument(..., help=_("De eenheid (met alles eronder).")),
    out: Path = typer.Option(..., "--out", "-o", help=_("Een .csv- of .xlsx-bestand.")),
) -> None:
    with open_session() as session:
        try:
            people = service.people(session, principal=SYSTEM, slug=slug)
        except NotFoundError as exc:
            raise fail(str(exc)) from exc
    if out.suffix.lower() == ".xlsx":
        out.write_bytes(datafile.to_xlsx(people))
    elif out.suffix.lower() == ".csv":
        out.write_text(datafile.to_csv(people), encoding="utf-8")
    else:
        raise fail(_("{out}: kies .csv of .xlsx", out=out))
    console.print(
        _("{count} personen naar {out}", count=number(len(people), 0), out=out), highlight=False
    )


@app.command(
    "sick-leave",
    help=_(
        "Ziekteverzuim van een eenheid en alles eronder: verloren dagen gedeeld door "
        "beschikbare dagen."
    ),
)
def sick_leave(
    slug: str = typer.Argument(..., help=_("De eenheid, bijvoorbeeld rotterdam.")),
    starts: str = typer.Option(..., "--from", help=_("De eerste dag (JJJJ-MM-DD).")),
    ends: str = typer.Option(..., "--to", help=_("De laatste dag (JJJJ-MM-DD).")),
    as_json: bool = typer.Option(False, "--json", help=_("Geef het verzuim als JSON.")),
) -> None:
    try:
        first, last = date.fromisoformat(starts), date.fromisoformat(ends)
        with open_session() as session:
            report = service.sick_leave_of(
                session, principal=SYSTEM, slug=slug, starts=first, ends=last
            )
    except (ValueError, NotFoundError) as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(report)
        return
    text = _(
        "{unit} {starts} t/m {ends}: verzuim {percentage} % ({lost} van {available} dagen)",
        unit=report.unit,
        starts=day_text(report.starts, "short"),
        ends=day_text(report.ends, "short"),
        percentage=number(report.percentage, 2),
        lost=short(report.days_lost),
        available=short(report.days_available),
    )
    console.print(text, highlight=False)


@app.command(
    "roster",
    help=_(
        "Maak een rooster met CP-SAT; toont de voortgang en hoe ver de doelwaarde nog van de "
        "ondergrens af ligt (gap)."
    ),
)
def roster(
    slug: str = typer.Argument(..., help=_("Het team (slug).")),
    starts: str = typer.Option(..., "--from", help=_("De eerste dag (JJJJ-MM-DD).")),
    weeks: int = typer.Option(4, "--weeks", min=1, max=8, help=_("Het aantal weken.")),
    cars: str = typer.Option(
        "",
        "--cars",
        help=_(
            "Auto's per dienstsjabloon, in de volgorde van het team (5,6,4); standaard het "
            "aantal van elk sjabloon."
        ),
    ),
    plan: Path | None = typer.Option(
        None, "--plan", help=_("De uitvoer van `korps plan roster --json`.")
    ),
    area: str | None = typer.Option(None, "--area", help=_("De sleutel van het team in het plan.")),
    time_limit: float = typer.Option(
        60.0, "--time-limit", help=_("De maximale rekentijd in seconden.")
    ),
    as_json: bool = typer.Option(False, "--json", help=_("Geef het resultaat als JSON.")),
) -> None:
    try:
        first = date.fromisoformat(starts)
        wanted: tuple[int, ...] | None = None
        if plan is not None:
            content = json.loads(plan.read_text(encoding="utf-8"))
            with open_session() as session:
                unit = service.unit_by_slug(session, slug=slug)
                names = tuple(t.name for t in shift_templates(session, unit=unit))
            wanted = rostering.crews_from_plan(content, area=area or slug, shifts=names)
        elif cars:
            wanted = tuple(int(c) for c in cars.split(","))
    except (ValueError, OSError, service.CapacityError, NotFoundError) as exc:
        raise fail(_("ongeldige invoer: {reason}", reason=exc)) from exc
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(_("rooster maken"), total=time_limit)

        def progress(seconds: float, objective: float, bound: float) -> None:
            text = _(
                "doelwaarde {objective}, ondergrens {bound}",
                objective=number(objective, 1),
                bound=number(bound, 1),
            )
            bar.update(task, completed=min(seconds, time_limit), description=text)

        try:
            with open_session() as session:
                made = rostering.generate(
                    session,
                    principal=SYSTEM,
                    slug=slug,
                    starts=first,
                    weeks=weeks,
                    cars=wanted,
                    options=SolveOptions(time_limit=time_limit),
                    progress=progress,
                )
                session.commit()
                summary = {
                    "roster": made.id,
                    "status": made.status,
                    "objective": made.objective,
                    "bound": made.bound,
                    "gap": made.gap,
                    "seconds": made.seconds,
                    "shortfalls": made.shortfalls,
                }
        except (service.CapacityError, RosterError, NotFoundError, Forbidden) as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json(summary)
        return
    text = _(
        "rooster {roster}: {status}, doelwaarde {objective}, gap {gap}, {seconds} s",
        roster=made.id,
        status=label(ROSTER_STATUS_LABELS, made.status),
        objective=number(made.objective, 1),
        gap=percent(made.gap, 2),
        seconds=number(made.seconds, 1),
    )
    console.print(text, highlight=False)
    for line in made.shortfalls:
        console.print(f"  [yellow]{_('tekort:')}[/yellow] {line}", highlight=False)
