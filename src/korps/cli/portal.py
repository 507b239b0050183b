"""``korps portal``: the citizen portal's reference data, the expiry of unanswered
questions (run it daily, e.g. from cron) and the dossier counts per team and status."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from datetime import date, datetime, time
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import select

from korps.audit.service import Context, acting
from korps.cli.common import console, fail, open_session, print_json
from korps.common.datafile import DatasetError
from korps.organisation.models import Unit
from korps.portal import workflow
from korps.portal.assessment import load_rules, rule_table
from korps.portal.feedback import satisfaction
from korps.portal.models import Dossier
from korps.portal.purge import purge
from korps.portal.reference import load_reference, portal_reference
from korps.portal.requests import bundled_path as requests_path
from korps.portal.requests import load_requests
from korps.portal.schemas import LOCAL

app = typer.Typer(help="Citizen portal: dossiers, routing and deadlines.", no_args_is_help=True)


@app.command("check")
def check(
    path: Path = typer.Argument(None, help="A portal YAML file (default: bundled)."),
    ib: Path = typer.Option(None, "--ib", help="An IB rule table (default: bundled)."),
    verzoeken: Path = typer.Option(None, "--verzoeken", help="A requests file (default: bundled)."),
) -> None:
    """Validate a portal reference file (classification, statuses, routing rules), the
    individual assessment's rule table and the requests' handlers."""
    try:
        reference = load_reference(path) if path is not None else portal_reference()
        rules = load_rules(ib) if ib is not None else rule_table()
        kinds = load_requests(verzoeken or requests_path(), reference=reference)
    except DatasetError as exc:
        raise fail(str(exc)) from exc
    console.print(
        f"{len(reference.categories)} soorten, {len(reference.statuses)} statussen, "
        f"{len(reference.routing)} routeringsregels, {len(rules.questions)} IB-vragen, "
        f"{len(kinds.kinds)} soorten verzoek: in orde",
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


@app.command("tevredenheid")
def tevredenheid(
    since: str = typer.Option(..., "--since", help="First day (YYYY-MM-DD)."),
    until: str = typer.Option(..., "--until", help="Day after the last (YYYY-MM-DD)."),
    unit: str = typer.Option(None, "--unit", help="Slug of a unit: its subtree only."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Satisfaction after closing (monitor indicator): answers, share satisfied, mean 1-5."""
    try:
        start = datetime.combine(date.fromisoformat(since), time(), tzinfo=LOCAL)
        end = datetime.combine(date.fromisoformat(until), time(), tzinfo=LOCAL)
    except ValueError as exc:
        raise fail("--since en --until: een datum als 2026-01-01") from exc
    with open_session() as session:
        path = None
        if unit:
            path = session.scalar(select(Unit.path).where(Unit.slug == unit))
            if path is None:
                raise fail(f"onbekende eenheid {unit!r}")
        result = satisfaction(session, since=start, until=end, unit_path=path)
    if as_json:
        print_json(asdict(result))
        return
    share = "–" if result.satisfied_share is None else f"{100 * result.satisfied_share:.0f}%"
    console.print(
        f"{result.answers} antwoorden, tevreden {share}, gemiddeld cijfer "
        f"{'–' if result.mean_score is None else result.mean_score}",
        highlight=False,
    )


@app.command("purge")
def purge_(
    days: int = typer.Option(None, "--days", help="Days after closing (default: portal.yaml)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Anonymise locations and citizens' contact details long after closing (idempotent)."""
    if days is not None and days < 0:
        raise fail("--days: 0 of meer")
    with open_session() as session, acting(Context(actor="systeem:portal-purge")):
        result = purge(session, days=days)
        session.commit()
    if as_json:
        print_json(asdict(result))
    else:
        console.print(
            f"{result.dossiers} dossier(s) en {result.citizens} melder(s) geanonimiseerd",
            highlight=False,
        )


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
