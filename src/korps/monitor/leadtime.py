"""Dossier lead time from the portal (read-only): days from ontvangen (the dossier filed) to
afgehandeld (closed with a decision), over the dossiers closed in a period, median and mean.
A dossier reopened and closed again counts with its last closing; a cancelled one not at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import mean, median

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.organisation.models import Unit
from korps.portal.models import Dossier

CLOSED = "afgehandeld"
DAY = 86400.0


@dataclass(frozen=True)
class LeadTimes:
    dossiers: int
    median: float  # days
    mean: float


def lead_times(
    session: Session, *, since: datetime, until: datetime, unit_path: str | None = None
) -> LeadTimes | None:
    """Over the dossiers afgehandeld in [since, until) of a team subtree (or all); None: none."""
    statement = select(Dossier.created_at, Dossier.closed_at).where(
        Dossier.status == CLOSED,
        Dossier.closed_at.is_not(None),
        Dossier.closed_at >= since,
        Dossier.closed_at < until,
    )
    if unit_path is not None:
        statement = statement.join(Unit, Unit.id == Dossier.team_id).where(
            Unit.path.startswith(unit_path, autoescape=True)
        )
    days = [
        (closed - created).total_seconds() / DAY
        for created, closed in session.execute(statement)
        if closed is not None
    ]
    if not days:
        return None
    return LeadTimes(len(days), round(median(days), 2), round(mean(days), 2))
