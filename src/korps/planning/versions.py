"""Restore a version, delete (softly) and bring back a scenario; each on the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.identity.roles import Principal
from korps.planning.models import SavedScenario
from korps.planning.store import get_saved, get_version, save


def restore(session: Session, *, slug: str, number: int, writer: Principal | None) -> SavedScenario:
    """Version ``number`` again, as the newest version (the versions in between stay)."""
    saved = get_saved(session, slug=slug, reader=writer)
    old = get_version(session, saved=saved, number=number)
    if old.number == saved.version:
        return saved
    return save(
        session,
        text=old.text,
        file=saved.slug,
        slug=saved.slug,
        writer=writer,
        note=f"versie {number} teruggezet",
    )


def delete(session: Session, *, slug: str, writer: Principal | None) -> SavedScenario:
    """A soft delete: the scenario leaves the list; its versions stay and it can come back."""
    saved = get_saved(session, slug=slug, reader=writer)
    saved.deleted_at = datetime.now(UTC)
    saved.deleted_by = writer.username if writer is not None else None
    record(
        session,
        entity="scenario",
        entity_id=saved.id,
        action="scenario verwijderd",
        before={"slug": saved.slug, "name": saved.name, "version": saved.version},
    )
    session.commit()
    return saved


def undelete(session: Session, *, slug: str, writer: Principal | None) -> SavedScenario:
    saved = get_saved(session, slug=slug, reader=writer, deleted=True)
    if saved.deleted_at is None:
        return saved
    saved.deleted_at = saved.deleted_by = None
    record(
        session,
        entity="scenario",
        entity_id=saved.id,
        action="scenario teruggehaald",
        after={"slug": saved.slug, "name": saved.name, "version": saved.version},
    )
    session.commit()
    return saved
