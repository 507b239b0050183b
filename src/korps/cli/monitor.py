"""``korps monitor load|status|import|compute``: the monitor's data, status table and actuals."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path

import typer

from korps.cli.common import console, fail, open_session, print_json
from korps.common.datafile import DatasetError
from korps.identity.roles import Principal, Scope
from korps.monitor import compute, periods, service
from korps.monitor.errors import MonitorRefused
from korps.monitor.importer import read_rows
from korps.monitor.loader import load_monitor
from korps.organisation.service import NotFoundError

app = typer.Typer(help="Monitor: indicators, targets, actuals and status.", no_args_is_help=True)


@app.command("load")
def load(
    files: list[Path] = typer.Argument(None, help="YAML files (default: the bundled ones)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Load indicators and plans (all or nothing; errors as file:line: path: reason)."""
    with open_session() as session:
        try:
            report = load_monitor(session, paths=list(files) if files else None)
        except DatasetError as exc:
            raise fail(f"monitor geweigerd, niets opgeslagen: {exc}") from exc
    if as_json:
        print_json(asdict(report))
        return
    console.print(
        f"monitor geladen: {report.indicators} indicatoren, {len(report.plans)} plannen "
        f"({', '.join(report.plans)}), {report.targets} doelen",
        highlight=False,
    )


def _day(on: str) -> date:
    try:
        return date.fromisoformat(on) if on else service.today()
    except ValueError as exc:
        raise fail(f"--op: geen datum {on!r} (JJJJ-MM-DD)") from exc


def _principal(by: str) -> Principal:
    """The command line runs with the database's own rights: a beheerder over every unit,
    recorded under the name given."""
    return Principal(
        user_id=0,
        username=by[:80],
        name=by,
        kind="medewerker",
        scopes=(Scope(role="beheerder", unit_id=None, unit_path="/"),),
    )


@app.command("status")
def status(
    slug: str = typer.Argument(..., help="The unit, e.g. rotterdam."),
    on: str = typer.Option("", "--op", help="The date of the status (YYYY-MM-DD; default today)."),
    view: str = typer.Option("", "--periode", help="A year or quarter: 2025 or 2025-K2."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The status table of a unit: realisation, target, status and trend per indicator."""
    day = _day(on)
    try:
        shown = periods.parse_view(view)
    except ValueError as exc:
        raise fail(f"--periode: {exc}") from exc
    with open_session() as session:
        try:
            data = service.overview(session, slug=slug, today=day, view=shown)
        except NotFoundError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json(data)
        return
    console.print(
        f"[bold]{data.unit_name}[/bold] — {data.plan_title or 'geen plan'} "
        f"({data.view}, stand op {data.today})"
    )
    for row in data.rows:
        value = "–" if row.value is None else f"{row.value:g}"
        console.print(
            f"  {row.name}: {value} ({row.period or '-'}) — {row.status_label}, {row.trend}",
            highlight=False,
        )


@app.command("import")
def import_file(
    path: Path = typer.Argument(..., help="CSV or XLSX: indicator, eenheid, jaar, waarde, bron."),
    by: str = typer.Option("cli", "--door", help="Recorded as who entered the actuals."),
) -> None:
    """Import actuals; one bad row and nothing is written."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise fail(f"{path}: niet te lezen") from exc
    principal = _principal(by)
    with open_session() as session:
        try:
            items, lines = read_rows(content, path.name)
            ids = service.enter(
                session, principal=principal, items=items, today=service.today(), lines=lines
            )
        except MonitorRefused as exc:
            raise fail(f"{path}: {exc}; niets opgeslagen") from exc
    console.print(f"{len(ids)} metingen geïmporteerd uit {path}", highlight=False)


@app.command("compute")
def compute_actuals(
    slugs: list[str] = typer.Argument(None, help="Units (default: every unit with a plan)."),
    on: str = typer.Option("", "--op", help="Compute up to this date (YYYY-MM-DD; default today)."),
    by: str = typer.Option("cli", "--door", help="Recorded as who computed the actuals."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Recompute the actuals korps computes (response times, occupancy, sick leave, aangifte
    satisfaction, lead times) per year and quarter, for the unit and the units below it."""
    day, principal = _day(on), _principal(by)
    with open_session() as session:
        targets = slugs or service.planned_units(session)
        try:
            reports = [
                compute.compute(session, principal=principal, slug=slug, today=day)
                for slug in targets
            ]
        except (MonitorRefused, NotFoundError) as exc:
            raise fail(f"niet berekend: {exc}") from exc
    if as_json:
        print_json([asdict(r) for r in reports])
        return
    for r in reports:
        console.print(
            f"{r.unit} ({r.plan}): {r.units} eenheden, {len(r.periods)} perioden; "
            f"{r.added} nieuw, {r.changed} gewijzigd, {r.unchanged} gelijk, {r.removed} vervallen",
            highlight=False,
        )
