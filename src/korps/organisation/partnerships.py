"""Write partnerships for a dataset: upserted by slug so ids stay stable across reloads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from korps.organisation.models import Partnership, PartnershipMember


@dataclass(frozen=True)
class PartnershipRow:
    slug: str
    name: str
    kind: str
    code: str | None
    source: str | None
    assumption: str | None
    members: tuple[str, ...]


def replace_partnerships(session: Session, *, dataset: str, rows: Iterable[PartnershipRow]) -> None:
    """Make the dataset's partnerships exactly ``rows``: update in place, add, remove the rest."""
    existing = {
        p.slug: p
        for p in session.scalars(
            select(Partnership)
            .where(Partnership.dataset == dataset)
            .options(selectinload(Partnership.members))
        )
    }
    listed = set()
    for row in rows:
        listed.add(row.slug)
        partnership = existing.get(row.slug) or Partnership(slug=row.slug, dataset=dataset)
        partnership.name, partnership.kind, partnership.code = row.name, row.kind, row.code
        partnership.source, partnership.assumption = row.source, row.assumption
        current = {m.gemeente_code: m for m in partnership.members}
        wanted = sorted(set(row.members))
        partnership.members = [current.get(c) or PartnershipMember(gemeente_code=c) for c in wanted]
        session.add(partnership)
    for slug, partnership in existing.items():
        if slug not in listed:
            session.delete(partnership)
    session.flush()
