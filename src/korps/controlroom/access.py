"""Which eenheid a control-room request is about, for the access check of its routes
(``korps.identity.deps.require("centralist", unit=eenheid_of_request)``): the incident's or the
unit's eenheid, or the eenheid named in the path or the query. A request that names none
(an intake or a new unit, whose eenheid is in the body) is checked in the route itself
with :func:`ensure_centralist`."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.audit.service import append, entry
from korps.common.i18n import _
from korps.controlroom.models import Incident, PatrolUnit
from korps.controlroom.schemas import IncidentOut
from korps.db.base import MAX_ID
from korps.identity.errors import Forbidden, LoginRequired
from korps.identity.roles import Principal, allows
from korps.organisation.models import Unit
from korps.organisation.service import NotFoundError

ROLES = ("centralist",)


def _path_of_slug(session: Session, slug: str) -> str:
    path = session.scalar(select(Unit.path).where(Unit.slug == slug[:120]))
    if path is None:
        raise NotFoundError(_("onbekende eenheid {slug}", slug=repr(slug[:120])))
    return path


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and 1 <= int(text) <= MAX_ID else None


def eenheid_of_request(request: Request, session: Session) -> str | None:
    params = request.path_params
    if "incident_id" in params:
        number = _int(str(params["incident_id"]))
        path = None
        if number is not None:
            path = session.scalar(
                select(Unit.path)
                .join(Incident, Incident.eenheid_id == Unit.id)
                .where(Incident.id == number)
            )
        if path is None:
            raise NotFoundError(
                _("onbekende melding {incident_id}", incident_id=str(params["incident_id"])[:20])
            )
        return path
    if "call_sign" in params:
        path = session.scalar(
            select(Unit.path)
            .join(PatrolUnit, PatrolUnit.eenheid_id == Unit.id)
            .where(PatrolUnit.call_sign == str(params["call_sign"])[:30])
        )
        if path is None:
            raise NotFoundError(
                _("onbekende eenheid {call_sign}", call_sign=repr(str(params["call_sign"])[:30]))
            )
        return path
    slug = params.get("eenheid") or request.query_params.get("eenheid")
    if slug:
        return _path_of_slug(session, str(slug))
    return None


def operator(request: Request) -> str:
    """The logged-in centralist of a page request (``korps.identity.deps``): never a name
    the browser sends."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:  # the router's access check runs first; this cannot happen
        raise LoginRequired()
    return principal.username


def ensure_centralist(principal: Principal, session: Session, *, slug: str) -> None:
    """Refuse (403) a write for a unit (an eenheid, or a basisteam in one) the user is no
    centralist of; an unknown slug is left to the service, which names the field."""
    path = session.scalar(select(Unit.path).where(Unit.slug == slug[:120]))
    if path is not None and not allows(principal, ROLES, path):
        raise Forbidden(_("hiervoor is de rol centralist nodig op deze eenheid"))


def audit_caller_reads(session: Session, incidents: list[IncidentOut]) -> list[IncidentOut]:
    """Put on record who read a caller's name or phone number (personal data): one audit
    entry per incident shown with them, committed before the answer leaves."""
    rows = [
        entry(
            at=datetime.now(UTC),
            entity="incident",
            entity_id=i.id,
            action="ingezien: gegevens melder",
            before=None,
            after=None,
        )
        for i in incidents
        if i.caller_name or i.caller_phone
    ]
    if rows:
        append(session, rows)
        session.commit()
    return incidents
