"""Run Alembic migrations programmatically (``korps db init`` and the tests use this)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from korps.common.i18n import _

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Bring the database schema to the newest migration."""
    command.upgrade(alembic_config(engine), "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def schema_problem(engine: Engine) -> str | None:
    """A sentence (in the current language) when the database is missing, unreachable, not
    initialised or behind the code's migrations; None when it is ready."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        reason = str(exc.orig if hasattr(exc, "orig") else exc).splitlines()[0][:200]
        return _("de database is niet bereikbaar ({reason})", reason=reason)
    if current is None:
        return _("de database is nog niet aangemaakt: voer eerst `korps db init` uit")
    if current != head_revision():
        return _(
            "de database staat op versie {version}: voer `korps db init` uit om bij te werken",
            version=current,
        )
    return None
