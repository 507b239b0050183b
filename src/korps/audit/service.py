"""Append to and read the audit trail. Who did it comes from the request context (set by the
web layer from the authenticated user, never from anything the client names) or, on the
command line, from the system user running it."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.orm import Session

from korps.audit.models import ACTOR_MAX, AuditEntry
from korps.db.base import table


@dataclass(frozen=True)
class Context:
    actor: str
    actor_id: int | None = None
    request_id: str | None = None
    client: str | None = None


def _system() -> Context:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "onbekend"
    return Context(actor=f"systeem:{name}"[:ACTOR_MAX])


class _Slot:
    """The attribution of one request. The web layer opens a slot when a request starts and
    fills it once the caller is known; the route's worker thread runs in a copy of the
    request's context, and sees the same slot."""

    __slots__ = ("context",)

    def __init__(self, context: Context | None = None) -> None:
        self.context = context


_slot: ContextVar[_Slot | None] = ContextVar("korps_audit_slot", default=None)


def current() -> Context:
    slot = _slot.get()
    return slot.context if slot is not None and slot.context is not None else _system()


@contextmanager
def acting(context: Context | None = None) -> Iterator[_Slot]:
    """Everything appended inside the block is attributed to the slot's context (filled
    later by :func:`attribute` when ``context`` is None)."""
    token = _slot.set(_Slot(context))
    try:
        yield _slot.get()  # type: ignore[misc]
    finally:
        _slot.reset(token)


def attribute(context: Context) -> None:
    """Attribute the rest of the current request (or ``acting`` block) to ``context``."""
    slot = _slot.get()
    if slot is not None:
        slot.context = context


def entry(
    *,
    at: datetime,
    actor: str | None = None,
    entity: str,
    entity_id: int,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> dict[str, Any]:
    """One row of the trail, to be written by :func:`append`. ``actor`` defaults to the
    context's user; the user id, request id and client address always come from it."""
    context = current()
    return {
        "at": at,
        "actor": (actor or context.actor)[:ACTOR_MAX],
        "actor_id": context.actor_id,
        "entity": entity,
        "entity_id": entity_id,
        "action": action,
        "before": before,
        "after": after,
        "request_id": context.request_id,
        "client": context.client,
    }


def append(session: Session, rows: list[dict[str, Any]]) -> None:
    """Append entries in one statement (part of the caller's transaction)."""
    if rows:  # the table, not the entity: Core's insert, without the ORM's bulk bookkeeping
        session.execute(insert(table(AuditEntry)), rows)


def record(
    session: Session,
    *,
    entity: str,
    entity_id: int,
    action: str,
    actor: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one entry now (part of the caller's transaction)."""
    append(
        session,
        [
            entry(
                at=datetime.now(UTC),
                actor=actor,
                entity=entity,
                entity_id=entity_id,
                action=action,
                before=before,
                after=after,
            )
        ],
    )


def record_read(session: Session, *, entity: str, entity_id: int, what: str) -> None:
    """A read of personal data (a caller's details, a dossier): who looked, when, at what.
    Committed at once, so a read is on record even when the request goes on to fail."""
    record(session, entity=entity, entity_id=entity_id, action=f"ingezien: {what}"[:60])
    session.commit()


def query(
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select[AuditEntry]:
    statement = select(AuditEntry)
    if entity:
        statement = statement.where(AuditEntry.entity == entity)
    if entity_id is not None:
        statement = statement.where(AuditEntry.entity_id == entity_id)
    if actor:
        statement = statement.where(AuditEntry.actor == actor)
    if action:
        statement = statement.where(AuditEntry.action.startswith(action, autoescape=True))
    if since is not None:
        statement = statement.where(AuditEntry.at >= since)
    if until is not None:
        statement = statement.where(AuditEntry.at < until)
    return statement


def entries(
    session: Session, *, entity: str | None = None, entity_id: int | None = None, limit: int = 500
) -> list[AuditEntry]:
    statement = query(entity=entity, entity_id=entity_id).order_by(AuditEntry.id).limit(limit)
    return list(session.scalars(statement))
