"""The scopes (role on a unit) a user holds, read from their grants."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.identity.models import Grant
from korps.identity.roles import Scope
from korps.organisation.models import Unit


def scopes_of(session: Session, *, user_id: int, grant_id: int | None = None) -> tuple[Scope, ...]:
    query = (
        select(Grant.role, Grant.unit_id, Unit.path, Unit.slug)
        .outerjoin(Unit, Grant.unit_id == Unit.id)
        .where(Grant.user_id == user_id)
        .order_by(Grant.id)
    )
    if grant_id is not None:
        query = query.where(Grant.id == grant_id)
    return tuple(
        Scope(role, unit_id, path, slug) for role, unit_id, path, slug in session.execute(query)
    )
