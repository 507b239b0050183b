"""``korps load NAME|PATH``: validate a dataset and write it in one transaction."""

from __future__ import annotations

from dataclasses import asdict

import typer

from korps.cli.common import console, fail, open_session, print_json
from korps.common.datafile import DatasetError
from korps.organisation.loader import bundled_names
from korps.organisation.loader import load as load_dataset


def load(
    name_or_path: str = typer.Argument(
        ...,
        help="A bundled dataset (gemeenten, nederland, rotterdam, oost-nederland, "
        "politiezone-voorbeeld), 'all' for every bundled one, or a path to your own YAML file.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the load reports as JSON."),
) -> None:
    """Load a dataset; a bad file is refused with file, line, YAML path and reason."""
    names = bundled_names() if name_or_path == "all" else [name_or_path]
    reports = []
    with open_session() as session:
        for name in names:
            try:
                reports.append(load_dataset(session, name_or_path=name))
            except DatasetError as exc:
                raise fail(f"{name} refused, nothing written:\n{exc}") from exc
    if as_json:
        print_json([asdict(r) for r in reports])
        return
    for report in reports:
        counts = ", ".join(f"{v} {k}" for k, v in report.counts.items() if v)
        console.print(f"[bold]{report.dataset}[/bold] loaded: {counts}", highlight=False)
        for message in report.messages:
            console.print(f"  {message}", highlight=False)
        for difference in report.differences:
            console.print(f"  [yellow]total differs:[/yellow] {difference}", highlight=False)
