"""A control-room incident opens the dossier of the aangifte that follows it (issue 16.2).

The portal reads the incident through one read-only query (:func:`incident_facts`); the
form is the one of every other channel, filled in from the incident (category by the
mapping of ``datasets/portal.yaml`` ``from_incident``, date, gemeente, address, place), and
the dossier is the same as online, with channel ``meldkamer`` and the incident kept beside
it (``portal_dossier_incident``). One dossier per incident: opening it again, also at the
same moment from two screens, gives the first (the incident's unique key decides).

Who may: a centralist of the incident's eenheid, or a medewerker or teamchef of its
basisteam (a grant on a unit above covers it, as everywhere)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from korps.common.i18n import _
from korps.controlroom.models import Incident
from korps.db.base import MAX_ID
from korps.identity.roles import Principal, allows
from korps.organisation.models import Gemeente, Unit
from korps.organisation.service import NotFoundError
from korps.portal.models import Dossier, DossierIncident
from korps.portal.reference import PortalReference, portal_reference
from korps.portal.schemas import local_today

ROLES = ("centralist", "medewerker", "teamchef")


@dataclass(frozen=True)
class IncidentFacts:
    """What the portal reads of an incident."""

    id: int
    channel: str
    category: str
    received_at: datetime
    gemeente: str
    address: str | None
    lat: float | None
    lon: float | None
    notes: str | None
    caller_name: str | None
    eenheid_path: str
    basisteam_path: str


def incident_facts(session: Session, *, incident_id: int) -> IncidentFacts:
    """The incident ``incident_id`` (read only); NotFoundError when there is none."""
    eenheid, basisteam = aliased(Unit), aliased(Unit)
    columns = (
        Incident.id, Incident.channel, Incident.category, Incident.received_at,
        Gemeente.name.label("gemeente"), Incident.address, Incident.lat, Incident.lon,
        Incident.notes, Incident.caller_name, eenheid.path.label("eenheid_path"),
        basisteam.path.label("basisteam_path"),
    )  # fmt: skip
    statement = (
        select(*columns)
        .join(Gemeente, Gemeente.code == Incident.gemeente_code)
        .join(eenheid, eenheid.id == Incident.eenheid_id)
        .join(basisteam, basisteam.id == Incident.basisteam_id)
        .where(Incident.id == incident_id)
    )
    found = 1 <= incident_id <= MAX_ID
    row = session.execute(statement).mappings().first() if found else None
    if row is None:
        raise NotFoundError(_("onbekende melding {incident_id}", incident_id=incident_id))
    return IncidentFacts(**row)


def basisteam_path(session: Session, *, incident_id: int) -> str:
    """The path of the incident's basisteam: the unit a route's access check is about (a
    centralist's grant on the eenheid covers it, as does a medewerker's on the team)."""
    return incident_facts(session, incident_id=incident_id).basisteam_path


def may_open(principal: Principal, facts: IncidentFacts) -> bool:
    return allows(principal, ("centralist",), facts.eenheid_path) or allows(
        principal, ("medewerker", "teamchef"), facts.basisteam_path
    )


def prefill(facts: IncidentFacts, *, reference: PortalReference | None = None) -> dict[str, str]:
    """The aangifte form's fields from the incident; the medewerker completes them."""
    reference = reference or portal_reference()
    description = f"Naar aanleiding van melding {facts.id} ({facts.category}, via {facts.channel})."
    if facts.notes:
        description += f" {facts.notes}"
    return {
        "kanaal": reference.from_incident.channel,
        "categorie": reference.from_incident.categories.get(facts.category, ""),
        "datum": local_today(facts.received_at).isoformat(),
        "gemeente": facts.gemeente,
        "adres": facts.address or "",
        "lat": "" if facts.lat is None else f"{facts.lat:.6f}",
        "lon": "" if facts.lon is None else f"{facts.lon:.6f}",
        "omschrijving": description,
        "melder_naam": facts.caller_name or "",
    }


def dossier_of(session: Session, *, incident_id: int) -> Dossier | None:
    """The dossier opened from the incident, if any."""
    return session.scalar(
        select(Dossier)
        .join(DossierIncident, DossierIncident.dossier_id == Dossier.id)
        .where(DossierIncident.incident_id == incident_id)
    )


def link(
    session: Session, *, dossier: Dossier, facts: IncidentFacts, principal: Principal, now: datetime
) -> Dossier:
    """Keep the incident beside the new dossier and commit both. When another request
    opened a dossier for the incident first, everything of this one is rolled back and
    that first dossier is returned (one dossier per incident)."""
    session.add(
        DossierIncident(
            dossier_id=dossier.id,
            incident_id=facts.id,
            opened_by=principal.user_id,
            created_at=now,
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        first = dossier_of(session, incident_id=facts.id)
        if first is None:  # pragma: no cover - the unique key named another cause
            raise
        return first
    return dossier
