"""Privacy (issue 16.10): a set period after a dossier is closed, its location (address and
map point; a request's phone number with it) is removed, and once every dossier of a
citizen is closed that long, the citizen's contact details (name, e-mail) are anonymised
and the account is closed.
Idempotent: what is anonymised already is left alone. Every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from korps.audit.service import record
from korps.identity.models import User
from korps.identity.sessions import end_all_sessions
from korps.portal.models import Dossier, RequestDetail
from korps.portal.reference import PortalReference, portal_reference
from korps.portal.service import ENTITY, utc_now

ANONYMOUS = "geanonimiseerde melder"


@dataclass(frozen=True)
class Purged:
    dossiers: int
    citizens: int


def purge(
    session: Session,
    *,
    now: datetime | None = None,
    days: int | None = None,
    reference: PortalReference | None = None,
) -> Purged:
    """Anonymise what has been closed longer than ``days`` (default: the reference's
    ``purge_after_days``); the caller commits."""
    reference = reference or portal_reference()
    now = now or utc_now()
    cutoff = now - timedelta(days=days if days is not None else reference.purge_after_days)
    closed = [s.code for s in reference.statuses if not s.open]
    phoned = exists().where(
        RequestDetail.dossier_id == Dossier.id, RequestDetail.phone.is_not(None)
    )
    old = session.scalars(
        select(Dossier).where(
            Dossier.status.in_(closed),
            Dossier.closed_at < cutoff,
            or_(Dossier.address.is_not(None), Dossier.lat.is_not(None), phoned),
        )
    ).all()
    for dossier in old:
        dossier.address = dossier.lat = dossier.lon = None
        session.execute(  # a request's phone number goes with the location
            update(RequestDetail).where(RequestDetail.dossier_id == dossier.id).values(phone=None)
        )
        record(session, entity=ENTITY, entity_id=dossier.id, actor="systeem",
               action="locatie geanonimiseerd")  # fmt: skip
    other = aliased(Dossier)
    recent = exists().where(
        other.reporter_id == User.id,
        or_(other.status.not_in(closed), other.closed_at.is_(None), other.closed_at >= cutoff),
    )
    citizens = session.scalars(
        select(User).where(
            User.kind == "burger",
            User.email.is_not(None),
            exists().where(Dossier.reporter_id == User.id),
            ~recent,
        )
    ).all()
    for user in citizens:
        user.name = ANONYMOUS
        user.email = None
        user.password_hash = None
        user.disabled = True
        end_all_sessions(session, user_id=user.id)
        record(session, entity="user", entity_id=user.id, actor="systeem",
               action="melder geanonimiseerd (portaal)")  # fmt: skip
    session.flush()
    return Purged(dossiers=len(old), citizens=len(citizens))
