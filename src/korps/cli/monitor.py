"""``korps monitor load|status|import|compute|report``: the monitor's data, status table,
actuals and the RVO report, in the language of the command line."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path

import typer

from korps.cli.common import console, fail, open_session, print_json
from korps.common.datafile import DatasetError
from korps.common.formatting import date as day_text
from korps.common.formatting import number, short
from korps.common.i18n import _, gettext
from korps.identity.roles import Principal, Scope
from korps.monitor import compute, periods, report, service
from korps.monitor.errors import MonitorRefused
from korps.monitor.importer import read_rows
from korps.monitor.loader import load_monitor
from korps.organisation.service import NotFoundError

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.commands.COMMANDS


@app.command(
    "load",
    help=_("Laad indicatoren en plannen (alles of niets; fouten als bestand:regel: pad: reden)."),
)
def load(
    files: list[Path] = typer.Argument(
        None, help=_("YAML-bestanden (standaard: de meegeleverde).")
    ),
    as_json: bool = typer.Option(False, "--json", help=_("Geef het laadverslag als JSON.")),
) -> None:
    with open_session() as session:
        try:
            report = load_monitor(session, paths=list(files) if files else None)
        except DatasetError as exc:
            raise fail(_("monitor geweigerd, niets opgeslagen: {reason}", reason=exc)) from exc
    if as_json:
        print_json(asdict(report))
        return
    text = _(
        "monitor geladen: {indicators} indicatoren, {count} plannen ({plans}), {targets} doelen",
        indicators=number(report.indicators, 0),
        count=number(len(report.plans), 0),
        plans=", ".join(report.plans),
        targets=number(report.targets, 0),
    )
    console.print(text, highlight=False)


def _day(on: str) -> date:
    try:
        return date.fromisoformat(on) if on else service.today()
    except ValueError as exc:
        raise fail(_("--op: geen datum {value} (JJJJ-MM-DD)", value=repr(on))) from exc


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


@app.command(
    "status",
    help=_("De statustabel van een eenheid: realisatie, doel, status en trend per indicator."),
)
def status(
    slug: str = typer.Argument(..., help=_("De eenheid, bijvoorbeeld rotterdam.")),
    on: str = typer.Option(
        "", "--op", help=_("De datum van de stand (JJJJ-MM-DD; standaard vandaag).")
    ),
    view: str = typer.Option(
        "", "--periode", help=_("Een jaar of kwartaal: 2025 of 2025-K2 (standaard dit jaar).")
    ),
    as_json: bool = typer.Option(False, "--json", help=_("Geef de statustabel als JSON.")),
) -> None:
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
    unit = f"[bold]{data.unit_name}[/bold]"
    heading = _(
        "{unit} — {plan} ({view}, stand op {day})",
        unit=unit,
        plan=data.plan_title or _("geen plan"),
        view=data.view,
        day=day_text(date.fromisoformat(data.today), "long"),
    )
    console.print(heading)
    for row in data.rows:
        console.print(
            f"  {gettext(row.name)}: {short(row.value)} ({row.period or '-'}) — "
            f"{gettext(row.status_label)}, {gettext(row.trend)}",
            highlight=False,
        )


@app.command("import", help=_("Importeer metingen; bij één foute regel wordt niets opgeslagen."))
def import_file(
    path: Path = typer.Argument(
        ..., help=_("CSV of XLSX met de kolommen indicator, eenheid, jaar, waarde, bron.")
    ),
    by: str = typer.Option("cli", "--door", help=_("Wie de metingen invoerde (zo vastgelegd).")),
) -> None:
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise fail(_("{path}: niet te lezen", path=path)) from exc
    principal = _principal(by)
    with open_session() as session:
        try:
            items, lines = read_rows(content, path.name)
            ids = service.enter(
                session, principal=principal, items=items, today=service.today(), lines=lines
            )
        except MonitorRefused as exc:
            raise fail(_("{path}: {reason}; niets opgeslagen", path=path, reason=exc)) from exc
    console.print(
        _("{count} metingen geïmporteerd uit {path}", count=number(len(ids), 0), path=path),
        highlight=False,
    )


@app.command(
    "compute",
    help=_(
        "Bereken opnieuw de metingen die korps zelf berekent (aanrijdtijden, bezetting, "
        "ziekteverzuim, tevredenheid over de aangifte, doorlooptijden), per jaar en kwartaal, "
        "voor de eenheid en de eenheden eronder."
    ),
)
def compute_actuals(
    slugs: list[str] = typer.Argument(
        None, help=_("Eenheden (standaard: elke eenheid met een plan).")
    ),
    on: str = typer.Option(
        "", "--op", help=_("Bereken tot deze datum (JJJJ-MM-DD; standaard vandaag).")
    ),
    by: str = typer.Option("cli", "--door", help=_("Wie de metingen berekende (zo vastgelegd).")),
    as_json: bool = typer.Option(False, "--json", help=_("Geef de berekeningen als JSON.")),
) -> None:
    day, principal = _day(on), _principal(by)
    with open_session() as session:
        targets = slugs or service.planned_units(session)
        try:
            reports = [
                compute.compute(session, principal=principal, slug=slug, today=day)
                for slug in targets
            ]
        except (MonitorRefused, NotFoundError) as exc:
            raise fail(_("niet berekend: {reason}", reason=exc)) from exc
    if as_json:
        print_json([asdict(r) for r in reports])
        return
    for r in reports:
        text = _(
            "{unit} ({plan}): {units} eenheden, {periods} perioden; {added} nieuw, "
            "{changed} gewijzigd, {unchanged} gelijk, {removed} vervallen",
            unit=r.unit,
            plan=r.plan,
            units=number(r.units, 0),
            periods=number(len(r.periods), 0),
            added=number(r.added, 0),
            changed=number(r.changed, 0),
            unchanged=number(r.unchanged, 0),
            removed=number(r.removed, 0),
        )
        console.print(text, highlight=False)


@app.command(
    "report",
    help=_(
        "Schrijf de rapportage voor het Regionaal Veiligheidsoverleg van een eenheid als PDF of "
        "HTML, in de taal van de opdrachtregel."
    ),
)
def write_report(
    slug: str = typer.Argument(..., help=_("De eenheid, bijvoorbeeld rotterdam.")),
    out: Path = typer.Option(..., "--out", "-o", help=_("Een .pdf- of .html-bestand.")),
    on: str = typer.Option(
        "", "--op", help=_("De datum van de stand (JJJJ-MM-DD; standaard vandaag).")
    ),
) -> None:
    day, kind = _day(on), out.suffix.lower()
    if kind not in (".pdf", ".html"):
        raise fail(_("{out}: kies .pdf of .html", out=out))
    with open_session() as session:
        try:
            if kind == ".pdf":
                out.write_bytes(report.pdf(session, slug=slug, today=day))
            else:
                out.write_text(report.html(session, slug=slug, today=day), encoding="utf-8")
        except NotFoundError as exc:
            raise fail(str(exc)) from exc
    console.print(_("rapportage van {unit} naar {out}", unit=slug, out=out), highlight=False)
