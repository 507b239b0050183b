"""``korps capacity``: import and export people, sick leave, generate a roster."""

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
from korps.identity.errors import Forbidden
from korps.organisation.service import NotFoundError

app = typer.Typer(
    help="Capacity: people, absences, sick leave, shift templates, wishes, lending and rosters.",
    no_args_is_help=True,
)
register(app)
__all__ = ["SYSTEM", "app"]


@app.command("import")
def import_people(file: Path = typer.Argument(..., help="CSV or XLSX of people.")) -> None:
    """Import people; one bad row (or an unknown team) and nothing is written."""
    try:
        people = datafile.read(file)
        with open_session() as session:
            count = datafile.import_people(session, principal=SYSTEM, file=str(file), people=people)
    except DatasetError as exc:
        raise fail(f"{file} geweigerd, niets opgeslagen: {exc}") from exc
    console.print(f"{count} personen geïmporteerd uit {file}", highlight=False)


@app.command("export")
def export_people(
    slug: str = typer.Argument(..., help="The unit (its subtree is exported)."),
    out: Path = typer.Option(..., "--out", "-o", help=".csv or .xlsx"),
) -> None:
    """Export the people of a unit as CSV or XLSX (the import's columns)."""
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
        raise fail(f"{out}: kies .csv of .xlsx")
    console.print(f"{len(people)} personen naar {out}", highlight=False)


@app.command("sick-leave")
def sick_leave(
    slug: str,
    starts: str = typer.Option(..., "--from", help="YYYY-MM-DD"),
    ends: str = typer.Option(..., "--to", help="YYYY-MM-DD"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Sick-leave percentage of a unit and its subtree: days lost / days available."""
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
    console.print(
        f"{report.unit} {report.starts} t/m {report.ends}: verzuim {report.percentage:.2f} % "
        f"({report.days_lost:g} van {report.days_available:g} dagen)",
        highlight=False,
    )


@app.command("roster")
def roster(
    slug: str,
    starts: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD."),
    weeks: int = typer.Option(4, "--weeks", min=1, max=8),
    cars: str = typer.Option(
        "",
        "--cars",
        help="Cars per shift template, in the team's order (5,6,4); default: each template's own.",
    ),
    plan: Path | None = typer.Option(None, "--plan", help="`korps plan roster --json` output."),
    area: str | None = typer.Option(None, "--area", help="The team's key in the plan."),
    time_limit: float = typer.Option(60.0, "--time-limit"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Generate a roster with CP-SAT; shows progress and the objective gap."""
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
        raise fail(f"ongeldige invoer: {exc}") from exc
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("rooster maken", total=time_limit)

        def progress(seconds: float, objective: float, bound: float) -> None:
            text = f"doel {objective:.1f}, ondergrens {bound:.1f}"
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
    console.print(
        f"rooster {summary['roster']}: {made.status}, doel {made.objective:.1f}, gap "
        f"{100 * made.gap:.2f} %, {made.seconds:.1f} s",
        highlight=False,
    )
    for line in made.shortfalls:
        console.print(f"  [yellow]tekort:[/yellow] {line}", highlight=False)
