"""``korps db``: create or upgrade the database schema."""

from __future__ import annotations

import typer
from sqlalchemy.engine import make_url

from korps.cli.common import console
from korps.common.i18n import _
from korps.config import get_settings
from korps.db.migrate import current_revision, upgrade_to_head
from korps.db.session import default_engine

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.commands.COMMANDS


@app.command(
    "init",
    help=_(
        "Maak de database aan als die er nog niet is en breng het schema naar de nieuwste migratie."
    ),
)
def init() -> None:
    engine = default_engine()
    upgrade_to_head(engine)
    url = make_url(get_settings().database_url).render_as_string(hide_password=True)
    console.print(
        _("database {url} op revisie {revision}", url=url, revision=current_revision(engine)),
        highlight=False,
    )
