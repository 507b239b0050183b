"""``korps scenario``: save allocation scenarios in the database for the web UI."""

from __future__ import annotations

from pathlib import Path

import typer

from korps.cli.common import console, fail, open_session
from korps.common.datafile import DatasetError
from korps.organisation.service import NotFoundError
from korps.planning import store
from korps.planning.allocation import AllocationError
from korps.planning.service import read_scenario_file

app = typer.Typer(help="Saved allocation scenarios.", no_args_is_help=True)


@app.command("save")
def save(files: list[Path] = typer.Argument(..., help="Scenario YAML files.")) -> None:
    """Validate (a trial run included) and save each file; a refused file saves nothing."""
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
            console.print(f"saved {saved.name} as /scenarios/{saved.slug}", highlight=False)


@app.command("list")
def list_() -> None:
    """The saved scenarios."""
    with open_session() as session:
        for saved in store.list_saved(session):
            console.print(f"{saved.slug}  {saved.name}", highlight=False)
