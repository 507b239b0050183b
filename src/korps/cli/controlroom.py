"""``korps controlroom``: seed units, list them, KPIs and the incident history export."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import typer
from rich.table import Table

from korps.cli.common import console, fail, open_session, print_json
from korps.common.fields import EARLIEST, LATEST, in_range
from korps.common.formatting import number
from korps.controlroom import kpi, queries, schemas
from korps.controlroom.errors import InputError
from korps.controlroom.seed import seed_units
from korps.controlroom.times import LOCAL, utc_now
from korps.organisation.service import NotFoundError

app = typer.Typer(
    help="Control room (meldkamer): units, response-time KPIs, incident history export.",
    no_args_is_help=True,
)
UNIT_STATUSES = ("beschikbaar", "uit_dienst")
GROUPS = ("priority", "basisteam", "district", "unit")


def parse_time(text: str, option: str) -> datetime:
    """ISO 8601 date or date-time; without an offset it is Dutch local time. Refused (exit
    1, Dutch): not ISO 8601, or outside 1900-2099 (year 1 would overflow in UTC)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise fail(f"{option}: geen ISO 8601-datum of -tijd: {text[:40]!r}") from exc
    if len(text) == 10:  # a date: its midnight
        value = datetime.combine(value.date(), time())
    if value.tzinfo is None and EARLIEST.year < value.year < LATEST.year:
        value = value.replace(tzinfo=LOCAL)
    try:
        return in_range(value)
    except ValueError as exc:  # pydantic's error: "tijdstip buiten het bereik ..."
        raise fail(f"{option}: tijdstip buiten het bereik 1900-2099: {text[:40]!r}") from exc


def _period(since: str | None, until: str | None, days: int) -> tuple[datetime, datetime]:
    end = parse_time(until, "--until") if until else utc_now()
    start = parse_time(since, "--since") if since else end - timedelta(days=days)
    if end <= start:
        raise fail("--until: moet na --since liggen")
    return start, end


@app.command("seed-units")
def seed(
    eenheid: str = typer.Argument(..., help="Slug of the regional unit, e.g. rotterdam."),
    per_basisteam: int = typer.Option(2, "--per-basisteam", min=1, max=50),
    kind: str = typer.Option("noodhulp", "--kind", help="Unit kind (reference data)."),
    status: str = typer.Option("beschikbaar", "--status", help="beschikbaar or uit_dienst."),
    prefix: str | None = typer.Option(None, "--prefix", help="Call-sign prefix (default: RT)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Add PER_BASISTEAM units to every basisteam of EENHEID that covers a municipality
    (call signs like RT-D1-01); units that exist are left alone."""
    if status not in UNIT_STATUSES:
        raise fail(f"--status: een van {', '.join(UNIT_STATUSES)}")
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
    console.print(
        f"[bold]{report.eenheid}[/bold]: {len(report.created)} eenheden aangemaakt, "
        f"{len(report.existing)} bestonden al",
        highlight=False,
    )
    for slug in report.skipped_basisteams:
        console.print(f"  overgeslagen {slug}: dekt geen gemeente (geen plaats)", highlight=False)


@app.command("units")
def units(
    eenheid: str = typer.Argument(..., help="Slug of the regional unit."),
    as_json: bool = typer.Option(False, "--json", help="Print the units as JSON."),
) -> None:
    """The units of EENHEID with their status."""
    with open_session() as session:
        try:
            rows, _total = queries.list_units(session, eenheid=eenheid, limit=100_000)
        except NotFoundError as exc:
            raise fail(str(exc.args[0])) from exc
    if as_json:
        print_json(rows)
        return
    table = Table("roepnaam", "soort", "basisteam", "status", "melding")
    for u in rows:
        table.add_row(u.call_sign, u.kind, u.home.name, u.status, str(u.incident_id or ""))
    console.print(table)


@app.command("kpi")
def kpis(
    eenheid: str = typer.Argument(..., help="Slug of the regional unit."),
    since: str | None = typer.Option(None, "--since", help="ISO date/time (default: -7 days)."),
    until: str | None = typer.Option(None, "--until", help="ISO date/time (default: now)."),
    group: str = typer.Option("priority", "--group", help="priority, basisteam, district, unit"),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Response times per priority and group against the norms: count, share within norm,
    P50 and P90 in minutes."""
    if group not in GROUPS:
        raise fail(f"--group: een van {', '.join(GROUPS)}")
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


def _print_kpis(report: schemas.KpiReport) -> None:
    table = Table(
        report.group,
        "prio",
        "meldingen",
        "ter plaatse",
        "binnen",
        "te laat",
        "zonder eenheid",
        "aandeel (95%)",
        "P50 min",
        "P90 min",
        "norm",
        title=f"{report.eenheid.name}: {report.since:%Y-%m-%d %H:%M} - "
        f"{report.until:%Y-%m-%d %H:%M} UTC",
    )
    for r in report.rows:
        share = "–"
        if r.share_within_norm is not None and r.ci_low is not None and r.ci_high is not None:
            share = (
                f"{number(r.share_within_norm * 100)}% "
                f"({number(r.ci_low * 100)}-{number(r.ci_high * 100)}%)"
            )
        norm = "–"
        if r.norm_minutes is not None and r.target_share is not None:
            verdict = {None: "", True: " gehaald", False: " NIET gehaald"}[r.met]
            if r.too_few:
                verdict = " te weinig om te oordelen"
            norm = (
                f">= {number(r.target_share * 100, 0)}% in {number(r.norm_minutes, 0)} min{verdict}"
            )
        table.add_row(
            r.label,
            str(r.priority),
            str(r.count),
            str(r.arrived),
            "–" if r.within_norm is None else str(r.within_norm),
            "–" if r.late is None else str(r.late),
            str(r.closed_without_unit),
            share,
            number(r.p50_minutes),
            number(r.p90_minutes),
            norm,
        )
    console.print(table)


@app.command("export")
def export(
    out: Path = typer.Argument(..., help="CSV file to write (columns: docs/incidents-csv.md)."),
    eenheid: str = typer.Option("rotterdam", "--eenheid", help="Slug of the regional unit."),
    since: str | None = typer.Option(None, "--since", help="ISO date/time (default: -365 days)."),
    until: str | None = typer.Option(None, "--until", help="ISO date/time (default: now)."),
) -> None:
    """Write the incidents received in [--since, --until) as the incident history CSV that
    `korps sim calibrate` and `korps sim replay` read."""
    start, end = _period(since, until, days=365)
    with open_session() as session:
        try:
            text = kpi.export_csv(session, eenheid=eenheid, since=start, until=end)
        except NotFoundError as exc:
            raise fail(str(exc.args[0])) from exc
    out.write_text(text, encoding="utf-8")
    console.print(f"{out}: {text.count(chr(10)) - 1} meldingen", highlight=False)
