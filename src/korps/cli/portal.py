"""``korps portal``: the citizen portal's reference data, the expiry of unanswered
questions (run it daily, e.g. from cron) and the dossier counts per team and status, in the
language of the command line."""

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
from korps.common.formatting import number, percent, short
from korps.common.i18n import _
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

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.commands.COMMANDS


@app.command(
    "check",
    help=_(
        "Controleer een referentiebestand van het portaal (indeling, statussen, "
        "routeringsregels), de regeltabel van de individuele beoordeling (IB) en de "
        "behandelaars van de verzoeken."
    ),
)
def check(
    path: Path = typer.Argument(
        None, help=_("Een YAML-bestand van het portaal (standaard: het meegeleverde).")
    ),
    ib: Path = typer.Option(
        None, "--ib", help=_("Een regeltabel voor de IB (standaard: de meegeleverde).")
    ),
    verzoeken: Path = typer.Option(
        None, "--verzoeken", help=_("Een bestand met verzoeken (standaard: het meegeleverde).")
    ),
) -> None:
    try:
        reference = load_reference(path) if path is not None else portal_reference()
        rules = load_rules(ib) if ib is not None else rule_table()
        kinds = load_requests(verzoeken or requests_path(), reference=reference)
    except DatasetError as exc:
        raise fail(str(exc)) from exc
    text = _(
        "{categories} soorten, {statuses} statussen, {rules} routeringsregels, "
        "{questions} IB-vragen, {kinds} soorten verzoek: in orde",
        categories=number(len(reference.categories), 0),
        statuses=number(len(reference.statuses), 0),
        rules=number(len(reference.routing), 0),
        questions=number(len(rules.questions), 0),
        kinds=number(len(kinds.kinds), 0),
    )
    console.print(text, highlight=False)


@app.command(
    "expire",
    help=_(
        "Zet dossiers verder waarvan de vraag niet op tijd is beantwoord (vaker draaien "
        "verandert niets)."
    ),
)
def expire(
    as_json: bool = typer.Option(
        False, "--json", help=_("Geef de verder gezette dossiers als JSON.")
    ),
) -> None:
    with open_session() as session, acting(Context(actor="systeem:portal-expire")):
        moved = workflow.expire_questions(session)
        session.commit()
    if as_json:
        print_json({"moved": moved})
    else:
        console.print(
            _("{count} dossier(s) verder gezet", count=number(len(moved), 0)), highlight=False
        )


@app.command(
    "tevredenheid",
    help=_(
        "Tevredenheid na het afsluiten (indicator van de monitor): antwoorden, aandeel "
        "tevreden en gemiddeld cijfer (1-5)."
    ),
)
def tevredenheid(
    since: str = typer.Option(..., "--since", help=_("De eerste dag (JJJJ-MM-DD).")),
    until: str = typer.Option(..., "--until", help=_("De dag na de laatste (JJJJ-MM-DD).")),
    unit: str = typer.Option(
        None, "--unit", help=_("De slug van een eenheid: alleen die eenheid en alles eronder.")
    ),
    as_json: bool = typer.Option(False, "--json", help=_("Geef de tevredenheid als JSON.")),
) -> None:
    try:
        start = datetime.combine(date.fromisoformat(since), time(), tzinfo=LOCAL)
        end = datetime.combine(date.fromisoformat(until), time(), tzinfo=LOCAL)
    except ValueError as exc:
        raise fail(_("--since en --until: een datum als 2026-01-01")) from exc
    with open_session() as session:
        path = None
        if unit:
            path = session.scalar(select(Unit.path).where(Unit.slug == unit))
            if path is None:
                raise fail(_("onbekende eenheid {slug}", slug=repr(unit)))
        result = satisfaction(session, since=start, until=end, unit_path=path)
    if as_json:
        print_json(asdict(result))
        return
    text = _(
        "{answers} antwoorden, tevreden {share}, gemiddeld cijfer {mean}",
        answers=number(result.answers, 0),
        share=percent(result.satisfied_share, 0),
        mean=short(result.mean_score),
    )
    console.print(text, highlight=False)


@app.command(
    "purge",
    help=_(
        "Anonimiseer locaties en contactgegevens van burgers lang na het afsluiten (vaker "
        "draaien verandert niets)."
    ),
)
def purge_(
    days: int = typer.Option(
        None, "--days", help=_("Dagen na het afsluiten (standaard: portal.yaml).")
    ),
    as_json: bool = typer.Option(False, "--json", help=_("Geef het resultaat als JSON.")),
) -> None:
    if days is not None and days < 0:
        raise fail(_("--days: 0 of meer"))
    with open_session() as session, acting(Context(actor="systeem:portal-purge")):
        result = purge(session, days=days)
        session.commit()
    if as_json:
        print_json(asdict(result))
    else:
        text = _(
            "{dossiers} dossier(s) en {citizens} melder(s) geanonimiseerd",
            dossiers=number(result.dossiers, 0),
            citizens=number(result.citizens, 0),
        )
        console.print(text, highlight=False)


@app.command(
    "stats",
    help=_("Dossiers per team en status (alleen aantallen: geen persoonsgegevens)."),
)
def stats(
    as_json: bool = typer.Option(False, "--json", help=_("Geef de aantallen als JSON.")),
) -> None:
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
    table = Table(_("team"), _("status"), _("dossiers"))
    for (team, status), n in sorted(counts.items()):
        table.add_row(str(team), str(status), number(n, 0))
    console.print(table)
