"""``korps monitor load|status|import``: the monitor's data, status table and actuals."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path

import typer

from korps.cli.common import console, fail, open_session, print_json
from korps.common.datafile import DatasetError
from korps.identity.roles import Principal, Scope
from korps.monitor import service
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


@app.command("status")
def status(
    slug: str = typer.Argument(..., help="The unit, e.g. rotterdam."),
    on: str = typer.Option("", "--op", help="The date of the status (YYYY-MM-DD; default today)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The status table of a unit: realisation, target, status and trend per indicator."""
    try:
        day = date.fromisoformat(on) if on else service.today()
    except ValueError as exc:
        raise fail(f"geen datum: {on!r}") from exc
    with open_session() as session:
        try:
            data = service.overview(session, slug=slug, today=day)
        except NotFoundError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json(data)
        return
    console.print(
        f"[bold]{data.unit_name}[/bold] — {data.plan_title or 'geen plan'} ({data.today})"
    )
    for row in data.rows:
        value = "–" if row.value is None else f"{row.value:g}"
        console.print(
            f"  {row.name}: {value} ({row.year or '-'}) — {row.status_label}, {row.trend}",
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
    # the CLI runs with the database's own rights: a beheerder over every unit
    principal = Principal(
        user_id=0,
        username=by[:80],
        name=by,
        kind="medewerker",
        scopes=(Scope(role="beheerder", unit_id=None, unit_path="/"),),
    )
    with open_session() as session:
        try:
            items, lines = read_rows(content, path.name)
            ids = service.enter(
                session, principal=principal, items=items, today=service.today(), lines=lines
            )
        except MonitorRefused as exc:
            raise fail(f"{path}: {exc}; niets opgeslagen") from exc
    console.print(f"{len(ids)} metingen geïmporteerd uit {path}", highlight=False)
