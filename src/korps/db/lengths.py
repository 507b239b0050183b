"""Length rules of text columns in migrations: on SQLite (which ignores ``varchar(n)``)
triggers refuse a longer text, as PostgreSQL's ``varchar(n)`` does; on PostgreSQL nothing
is needed. One call per migration instead of the same loops in each."""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from korps.db.base import length_trigger_names, sqlite_length_triggers

Lengths = Sequence[tuple[str, str, int]]  # (table, column, length)


def add_length_triggers(lengths: Lengths) -> None:
    """Create the insert and update triggers of each (table, column, length) on SQLite."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, column, length in lengths:
        for statement in sqlite_length_triggers(table, column, length):
            op.execute(statement)


def drop_length_triggers(lengths: Lengths) -> None:
    """Drop the triggers :func:`add_length_triggers` made (a downgrade)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, column, _length in lengths:
        for name in length_trigger_names(table, column):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
