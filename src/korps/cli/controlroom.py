"""``korps controlroom``: seed units, list them, KPIs and the incident history export."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import typer
from rich.table import Table

from korps.cli.common import console, fail, open_session, print_json
from korps.common.fields import EARLIEST, LATEST, in_range
from korps.common.formatting import datetime as when
from korps.common.formatting import number, percent
from korps.common.i18n import N_, _
from korps.controlroom import kpi, queries, schemas
from korps.controlroom.errors import InputError
from korps.controlroom.seed import seed_units
from korps.controlroom.service import STATUS_LABELS
from korps.controlroom.times import LOCAL, utc_now
from korps.organisation.service import NotFoundError

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.commands.COMMANDS
UNIT_STATUSES = ("beschikbaar", "uit_dienst")
GROUPS = ("priority", "basisteam", "district", "unit")
GROUP_LABELS = {
    "priority": N_("prioriteit"),
    "basisteam": N_("basisteam"),
    "district": N_("district"),
    "unit": N_("eenheid"),
}


def parse_time(text: str, option: str) -> datetime:
    """ISO 8601 date or date-time; without an offset it is Dutch local time. Refused (exit
    1, Dutch): not ISO 8601, or outside 1900-2099 (year 1 would overflow in UTC)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise fail(
            _("{option}: geen ISO 8601-datum of -tijd: {text}", option=option, text=repr(text[:40]))
        ) from exc
    if len(text) == 10:  # a date: its midnight
        value = datetime.combine(value.date(), time())
    if value.tzinfo is None and EARLIEST.year < value.year < LATEST.year:
        value = value.replace(tzinfo=LOCAL)
    try:
        return in_range(value)
    except ValueError as exc:  # pydantic's error: "tijdstip buiten het bereik ..."
        raise fail(
            _(
                "{option}: tijdstip buiten het bereik 1900-2099: {text}",
                option=option,
                text=repr(text[:40]),
            )
        ) from exc


def _period(since: str | None, until: str | None, days: int) -> tuple[datetime, datetime]:
    end = parse_time(until, "--until") if until else utc_now()
    start = parse_time(since, "--since") if since else end - timedelta(days=days)
    if end <= start:
        raise fail(_("--until: moet na --since liggen"))
    return start, end


@app.command(
    "seed-units",
    help=_(
        "Voegt PER_BASISTEAM eenheden toe aan elk basisteam van EENHEID dat een gemeente dekt "
        "(roepnamen als RT-D1-01); eenheden die al bestaan blijven zoals ze zijn."
    ),
)
def seed(
    eenheid: str = typer.Argument(
        ..., help=_("Slug van de regionale eenheid, bijvoorbeeld rotterdam.")
    ),
    per_basisteam: int = typer.Option(
        2, "--per-basisteam", min=1, max=50, help=_("Eenheden per basisteam.")
    ),
    kind: str = typer.Option("noodhulp", "--kind", help=_("Soort eenheid (referentiegegevens).")),
    status: str = typer.Option("beschikbaar", "--status", help=_("beschikbaar of uit_dienst.")),
    prefix: str | None = typer.Option(
        None, "--prefix", help=_("Begin van de roepnaam (standaard: RT).")
    ),
    as_json: bool = typer.Option(False, "--json", help=_("Het verslag als JSON tonen.")),
) -> None:
    """Seed units per basisteam (help text: above, translated)."""
    if status not in UNIT_STATUSES:
        raise fail(_("--status: een van {values}", values=", ".join(UNIT_STATUSES)))
    with open_session() as session:
        try:
            report = seed_units(
                session,
                eenheid=eenheid,
                per_basisteam=per_basisteam,
                kind=kind,
                status="beschikbaar" if status == "beschikbaar" else "uit_dienst",
                prefix=prefix,
            )
        except NotFoundError as exc:
            raise fail(str(exc.args[0])) from exc
        except InputError as exc:
            label = schemas.FIELD_LABELS.get(exc.field, exc.field)
            raise fail(f"{label}: {exc.message}") from exc
    if as_json:
        print_json(report)
        return
    created = _(
        "{created} eenheden aangemaakt, {existing} bestonden al",
        created=number(len(report.created), 0),
        existing=number(len(report.existing), 0),
    )
    console.print(f"[bold]{report.eenheid}[/bold]: {created}", highlight=False)
    for slug in report.skipped_basisteams:
        console.print(
            "  " + _("overgeslagen {slug}: dekt geen gemeente (geen plaats)", slug=slug),
            highlight=False,
        )


@app.command("units", help=_("De eenheden van EENHEID met hun status."))
def units(
    eenheid: str = typer.Argument(..., help=_("Slug van de regionale eenheid.")),
    as_json: bool = typer.Option(False, "--json", help=_("De eenheden als JSON tonen.")),
) -> None:
    """The units of a regional unit (help text: above, translated)."""
    with open_session() as session:
        try:
            rows, _total = queries.list_units(session, eenheid=eenheid, limit=100_000)
        except NotFoundError as exc:
            raise fail(str(exc.args[0])) from exc
    if as_json:
        print_json(rows)
        return
    table = Table(_("roepnaam"), _("soort"), _("basisteam"), _("status"), _("meldingnummer"))
    for u in rows:
        status = _(STATUS_LABELS.get(u.status, u.status))
        table.add_row(u.call_sign, u.kind, u.home.name, status, str(u.incident_id or ""))
    console.print(table)


@app.command(
    "kpi",
    help=_(
        "Aanrijdtijden per prioriteit en groep tegen de normen: aantal, aandeel binnen de "
        "norm, P50 en P90 in minuten."
    ),
)
def kpis(
    eenheid: str = typer.Argument(..., help=_("Slug van de regionale eenheid.")),
    since: str | None = typer.Option(
        None, "--since", help=_("ISO-datum of -tijd (standaard: 7 dagen geleden).")
    ),
    until: str | None = typer.Option(
        None, "--until", help=_("ISO-datum of -tijd (standaard: nu).")
    ),
    group: str = typer.Option(
        "priority", "--group", help=_("priority, basisteam, district of unit.")
    ),
    as_json: bool = typer.Option(False, "--json", help=_("Het verslag als JSON tonen.")),
) -> None:
    """Response-time KPIs (help text: above, translated)."""
    if group not in GROUPS:
        raise fail(_("--group: een van {values}", values=", ".join(GROUPS)))
    start, end = _period(since, until, days=7)
    with open_session() as session:
        try:
            report = kpi.kpis(
                session,
                eenheid=eenheid,
                since=start,
                until=end,
                group=group,  # type: ignore[arg-type]
            )
        except NotFoundError as exc:
            raise fail(str(exc.args[0])) from exc
    if as_json:
        print_json(report)
        return
    _print_kpis(report)


def _share(r: schemas.KpiRow) -> str:
    """The share within the norm with its 95 % interval: 60,0% (23,1%-88,2%)."""
    if r.share_within_norm is None or r.ci_low is None or r.ci_high is None:
        return "–"
    return f"{percent(r.share_within_norm)} ({percent(r.ci_low)}-{percent(r.ci_high)})"


def _norm(r: schemas.KpiRow) -> str:
    if r.norm_minutes is None or r.target_share is None:
        return "–"
    norm = f">= {percent(r.target_share, 0)} in {number(r.norm_minutes, 0)} min"
    if r.too_few:
        return norm + " " + _("te weinig om te oordelen")
    if r.met is None:
        return norm
    return norm + " " + (_("gehaald") if r.met else _("NIET gehaald"))


def _print_kpis(report: schemas.KpiReport) -> None:
    table = Table(
        _(GROUP_LABELS.get(report.group, report.group)),
        _("prio"),
        _("meldingen"),
        _("ter plaatse"),
        _("binnen"),
        _("te laat"),
        _("zonder eenheid"),
        _("aandeel (95%-BI)"),
        _("P50 min"),
        _("P90 min"),
        _("norm"),
        title=f"{report.eenheid.name}: {when(report.since.astimezone(LOCAL))} - "
        f"{when(report.until.astimezone(LOCAL))}",
    )
    for r in report.rows:
        table.add_row(
            r.label,
            str(r.priority),
            number(r.count, 0),
            number(r.arrived, 0),
            "–" if r.within_norm is None else number(r.within_norm, 0),
            "–" if r.late is None else number(r.late, 0),
            number(r.closed_without_unit, 0),
            _share(r),
            number(r.p50_minutes),
            number(r.p90_minutes),
            _norm(r),
        )
    console.print(table)


@app.command(
    "export",
    help=_(
        "Schrijft de meldingen ontvangen in [--since, --until) als de CSV met meldinghistorie "
        "die `korps sim calibrate` en `korps sim replay` lezen."
    ),
)
def export(
    out: Path = typer.Argument(
        ..., help=_("Het CSV-bestand om te schrijven (kolommen: docs/incidents-csv.md).")
    ),
    eenheid: str = typer.Option("rotterdam", "--eenheid", help=_("Slug van de regionale eenheid.")),
    since: str | None = typer.Option(
        None, "--since", help=_("ISO-datum of -tijd (standaard: 365 dagen geleden).")
    ),
    until: str | None = typer.Option(
        None, "--until", help=_("ISO-datum of -tijd (standaard: nu).")
    ),
) -> None:
    """The incident history CSV (help text: above, translated)."""
    start, end = _period(since, until, days=365)
    with open_session() as session:
        try:
            text = kpi.export_csv(session, eenheid=eenheid, since=start, until=end)
        except NotFoundError as exc:
            raise fail(str(exc.args[0])) from exc
    out.write_text(text, encoding="utf-8")
    count = number(text.count(chr(10)) - 1, 0)
    console.print(_("{file}: {count} meldingen", file=str(out), count=count), highlight=False)
