"""Declarative base with a naming convention so migrations name constraints the same everywhere.

**Text lengths.** Every ``String(n)`` column is the one length rule of its field: the
Pydantic models take ``max_length`` from the same constant, PostgreSQL enforces ``varchar(n)``
itself, and on SQLite (which stores any length) a pair of triggers per column refuses a
longer value (:func:`sqlite_length_triggers`, created by migration 0007 and by every
migration that adds a ``String`` column after it).
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import MetaData, String, Table
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
TOO_LONG = "te lang"  # the message of the SQLite triggers (PostgreSQL: value too long ...)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table(model: type[Base]) -> Table:
    """The Core table of a mapped class, for statements that need no ORM bookkeeping."""
    return cast(Table, model.__table__)


def length_trigger_names(table_name: str, column: str) -> tuple[str, str]:
    return f"len_{table_name}_{column}_ins", f"len_{table_name}_{column}_upd"


def sqlite_length_triggers(table_name: str, column: str, length: int) -> list[str]:
    """SQLite DDL: refuse (ABORT) an insert or update that stores more than ``length``
    characters in ``table_name.column``, as PostgreSQL's ``varchar(length)`` does."""
    insert, update = length_trigger_names(table_name, column)
    check = f"length(NEW.{column}) > {int(length)}"
    message = f"{table_name}.{column}: {TOO_LONG} (maximaal {int(length)} tekens)"
    body = f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    return [
        f"CREATE TRIGGER IF NOT EXISTS {insert} BEFORE INSERT ON {table_name} WHEN {check} {body}",
        f"CREATE TRIGGER IF NOT EXISTS {update} BEFORE UPDATE OF {column} ON {table_name} "
        f"WHEN {check} {body}",
    ]


def string_columns(metadata: MetaData) -> list[tuple[str, str, int]]:
    """(table, column, length) of every ``String(n)`` column (``Text`` has no length)."""
    return [
        (t.name, c.name, c.type.length)
        for t in metadata.sorted_tables
        for c in t.columns
        if isinstance(c.type, String) and c.type.length is not None
    ]


MAX_ID = 2**31 - 1  # the largest id (and version) an INTEGER column holds on PostgreSQL
