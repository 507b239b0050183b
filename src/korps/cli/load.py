"""``korps load NAME|PATH``: validate a dataset and write it in one transaction."""

from __future__ import annotations

from dataclasses import asdict

import typer

from korps.cli.common import console, fail, open_session, print_json
from korps.common.datafile import DatasetError
from korps.common.formatting import number
from korps.common.i18n import N_, _
from korps.organisation.loader import bundled_names
from korps.organisation.loader import load as load_dataset

#: the load report's counts (keys, as in --json) as the line names them
COUNTS = {
    "gemeenten": N_("gemeenten"),
    "crime_rows": N_("rijen misdrijven"),
    "units": N_("eenheden"),
    "figures": N_("cijfers"),
    "totals": N_("totalen"),
    "coverage": N_("dekkingen"),
    "authorities": N_("gezagsrelaties"),
    "partnerships": N_("samenwerkingsverbanden"),
}


def load(
    name_or_path: str = typer.Argument(
        ...,
        help=_(
            "Een meegeleverde dataset (gemeenten, nederland, rotterdam, oost-nederland, "
            "politiezone-voorbeeld), 'all' voor alle meegeleverde, of het pad naar uw eigen "
            "YAML-bestand."
        ),
    ),
    as_json: bool = typer.Option(False, "--json", help=_("Geef de laadverslagen als JSON.")),
) -> None:
    names = bundled_names() if name_or_path == "all" else [name_or_path]
    reports = []
    with open_session() as session:
        for name in names:
            try:
                reports.append(load_dataset(session, name_or_path=name))
            except DatasetError as exc:
                raise fail(
                    _("{name} geweigerd, niets geschreven:", name=name) + f"\n{exc}"
                ) from exc
    if as_json:
        print_json([asdict(r) for r in reports])
        return
    for report in reports:
        counts = ", ".join(
            f"{number(v, 0)} {_(COUNTS[k]) if k in COUNTS else k}"
            for k, v in report.counts.items()
            if v
        )
        console.print(
            _("[bold]{dataset}[/bold] geladen: {counts}", dataset=report.dataset, counts=counts),
            highlight=False,
        )
        for message in report.messages:
            console.print(f"  {message}", highlight=False)
        for difference in report.differences:
            console.print(
                "  [yellow]" + _("totaal wijkt af:") + f"[/yellow] {difference}", highlight=False
            )
