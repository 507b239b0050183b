"""``korps allocate SCENARIO.yaml``: distribute strength by the scenario's rules."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from korps.cli.common import console, fail, open_session, print_json
from korps.common.datafile import DatasetError
from korps.common.formatting import number, short
from korps.common.i18n import _
from korps.organisation.service import NotFoundError
from korps.planning.allocation import AllocationError
from korps.planning.export import result_json, write_csv, write_xlsx
from korps.planning.plan import Result
from korps.planning.service import allocate_scenario, read_scenario_file


def _table(result: Result) -> Table:
    basis = result.columns[0] if len(result.columns) == 1 else "score"
    table = Table(
        "team",
        basis,
        _("huidig"),
        _("voorstel"),
        _("verschil"),
        _("verdeelregel"),
        title=f"{result.scenario}: {short(result.total)} fte",
    )
    for row in result.ordered():
        diff = row.difference
        norm = ""
        if row.norm_required is not None:
            status = {True: _("gehaald"), False: _("NIET gehaald"), None: "?"}
            norm = _(
                "norm {required}: nu {now}, voorstel {proposed}",
                required=number(row.norm_required),
                now=status[row.norm_met_current],
                proposed=status[row.norm_met],
            )
        table.add_row(
            ("  " * row.level) + row.name,
            number(row.score),
            number(row.current) if row.current is not None else "",
            number(row.total),
            "" if diff is None else number(diff),
            " ".join(x for x in (row.bound or "", norm) if x),
        )
    for name, amount in result.reserves:
        table.add_row(name, "", "", number(amount), "", _("gereserveerd"))
    return table


def allocate(
    scenario: Path = typer.Argument(
        ..., exists=False, help=_("Het YAML-bestand van het scenario.")
    ),
    as_json: bool = typer.Option(False, "--json", help=_("Geef de verdeling als JSON.")),
    xlsx: Path | None = typer.Option(
        None, "--xlsx", help=_("Schrijf de tabel in de gepubliceerde vorm naar dit XLSX-bestand.")
    ),
    csv: Path | None = typer.Option(
        None, "--csv", help=_("Schrijf de tabel in de gepubliceerde vorm naar dit CSV-bestand.")
    ),
) -> None:
    try:
        parsed, workload = read_scenario_file(scenario)
        if parsed.unit is None and parsed.workload_table is None:  # inline teams: no database
            result = allocate_scenario(None, scenario=parsed, workload=workload)
        else:
            with open_session() as session:
                result = allocate_scenario(session, scenario=parsed, workload=workload)
    except (DatasetError, AllocationError, NotFoundError) as exc:
        raise fail(f"{scenario}: {exc}") from exc
    if xlsx is not None:
        write_xlsx(result, xlsx)
    if csv is not None:
        write_csv(result, csv)
    if as_json:
        print_json(result_json(result))
        return
    console.print(_table(result))
    for note in result.notes:
        console.print(note, highlight=False)
