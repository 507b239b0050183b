"""What every command shares: the session on the configured database, JSON output, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from sqlalchemy.orm import Session

from korps.common.i18n import _
from korps.db.migrate import schema_problem
from korps.db.models import import_all_models
from korps.db.session import default_engine, session_factory

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


@contextmanager
def open_session() -> Iterator[Session]:
    """A session on the configured database; a database that is not there or not
    initialised ends the command with one line saying what to run."""
    import_all_models()  # every table a mapper may refer to (a command loads its own module only)
    engine = default_engine()
    problem = schema_problem(engine)
    if problem is not None:
        raise fail(problem)
    with session_factory(engine)() as session:
        yield session


def print_json(value: BaseModel | list[Any] | dict[str, Any]) -> None:
    if isinstance(value, BaseModel):
        text = value.model_dump_json(indent=2)
    else:
        text = json.dumps(
            [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value]
            if isinstance(value, list)
            else value,
            indent=2,
            ensure_ascii=False,
        )
    typer.echo(text)


def fail(message: str, code: int = 1) -> typer.Exit:
    label = _("fout:")
    err_console.print(f"[red]{label}[/red] {escape(message)}", highlight=False)
    return typer.Exit(code)
