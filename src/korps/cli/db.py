"""``korps db``: create or upgrade the database schema."""

from __future__ import annotations

import typer
from sqlalchemy.engine import make_url

from korps.cli.common import console
from korps.config import get_settings
from korps.db.migrate import current_revision, upgrade_to_head
from korps.db.session import default_engine

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("init")
def init() -> None:
    """Create the database if needed and upgrade its schema to the newest migration."""
    engine = default_engine()
    upgrade_to_head(engine)
    url = make_url(get_settings().database_url).render_as_string(hide_password=True)
    console.print(f"database {url} at revision {current_revision(engine)}", highlight=False)
