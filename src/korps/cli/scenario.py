"""``korps scenario``: save allocation scenarios in the database for the web UI."""

from __future__ import annotations

from pathlib import Path

import typer

from korps.cli.common import console, fail, open_session
from korps.common.datafile import DatasetError
from korps.common.i18n import _
from korps.organisation.service import NotFoundError
from korps.planning import store
from korps.planning.allocation import AllocationError
from korps.planning.service import read_scenario_file

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.commands.COMMANDS


@app.command(
    "save",
    help=_(
        "Controleer elk bestand (met een proefberekening) en sla het op; "
        "een geweigerd bestand slaat niets op."
    ),
)
def save(
    files: list[Path] = typer.Argument(..., help=_("YAML-bestanden met een scenario.")),
) -> None:
    with open_session() as session:
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
                _scenario, workload = read_scenario_file(path)
                saved = store.save(session, text=text, file=str(path), workload=workload)
            except (
                OSError,
                UnicodeDecodeError,
                DatasetError,
                AllocationError,
                NotFoundError,
            ) as exc:
                session.rollback()
                raise fail(f"{path}: {exc}") from exc
            console.print(
                _("{name} opgeslagen als /scenarios/{slug}", name=saved.name, slug=saved.slug),
                highlight=False,
            )


@app.command("list", help=_("De opgeslagen scenario's."))
def list_() -> None:
    with open_session() as session:
        for saved in store.list_saved(session):
            console.print(f"{saved.slug}  {saved.name}", highlight=False)
