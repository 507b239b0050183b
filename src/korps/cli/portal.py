"""``korps portal``: the citizen portal's reference data, the expiry of unanswered
questions (run it daily, e.g. from cron) and the dossier counts per team and status."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import select

from korps.audit.service import Context, acting
from korps.cli.common import console, fail, open_session, print_json
from korps.organisation.datafile import DatasetError
from korps.organisation.models import Unit
from korps.portal import workflow
from korps.portal.models import Dossier
from korps.portal.reference import load_reference, portal_reference

app = typer.Typer(help="Citizen portal: dossiers, routing and deadlines.", no_args_is_help=True)


@app.command("check")
def check(path: Path = typer.Argument(None, help="A portal YAML file (default: bundled).")) -> None:
    """Validate a portal reference file (classification, statuses, routing rules)."""
    try:
        reference = load_reference(path) if path is not None else portal_reference()
    except DatasetError as exc:
        raise fail(str(exc)) from exc
    console.print(
        f"{len(reference.categories)} soorten, {len(reference.statuses)} statussen, "
        f"{len(reference.routing)} routeringsregels: in orde",
        highlight=False,
    )


@app.command("expire")
def expire(as_json: bool = typer.Option(False, "--json")) -> None:
    """Move dossiers whose question was not answered in time on (idempotent)."""
    with open_session() as session, acting(Context(actor="systeem:portal-expire")):
        moved = workflow.expire_questions(session)
        session.commit()
    if as_json:
        print_json({"moved": moved})
    else:
        console.print(f"{len(moved)} dossier(s) verder gezet", highlight=False)


@app.command("stats")
def stats(as_json: bool = typer.Option(False, "--json")) -> None:
    """Dossiers per team and status (counts only: no personal data)."""
    with open_session() as session:
        rows = session.execute(
            select(Unit.name, Dossier.status).join(Unit, Unit.id == Dossier.team_id)
        ).all()
    counts = Counter((team, status) for team, status in rows)
    result = [
        {"team": team, "status": status, "dossiers": n}
        for (team, status), n in sorted(counts.items())
    ]
    if as_json:
        print_json(result)
        return
    table = Table("team", "status", "dossiers")
    for row in result:
        table.add_row(str(row["team"]), str(row["status"]), str(row["dossiers"]))
    console.print(table)
