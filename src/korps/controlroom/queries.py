"""Reading the control room: incidents with their units and response times, units, the live
board, an incident's timeline. No function here writes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from korps.common.fields import bad_character
from korps.common.i18n import _
from korps.controlroom import schemas
from korps.controlroom.areas import Areas, areas_by_id, get_eenheid
from korps.controlroom.audit import entries
from korps.controlroom.models import CALL_SIGN_MAX, Assignment, AuditEntry, Incident, PatrolUnit
from korps.controlroom.reference import Reference, bundled_reference
from korps.controlroom.times import as_utc, maybe_utc, minutes_between, utc_now
from korps.db.base import MAX_ID
from korps.db.session import reading
from korps.organisation.models import Gemeente, Unit
from korps.organisation.service import NotFoundError

T = TypeVar("T")
AUDITED = ("incident", "unit")  # the control room's entities in the shared trail
UNIT_STATUS_ORDER = ("beschikbaar", "vrij", "uitgegeven", "aanrijdend", "ter_plaatse", "uit_dienst")


def get_incident(session: Session, *, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id) if 1 <= incident_id <= MAX_ID else None
    if incident is None:
        raise NotFoundError(_("onbekende melding {incident_id}", incident_id=incident_id))
    return incident


def possible_call_sign(call_sign: str) -> bool:
    """Could a unit have this call sign? (Not one the database could not even compare.)"""
    return len(call_sign) <= CALL_SIGN_MAX and bad_character(call_sign) is None


def get_unit(session: Session, *, call_sign: str) -> PatrolUnit:
    unit = None
    if possible_call_sign(call_sign):
        unit = session.scalar(select(PatrolUnit).where(PatrolUnit.call_sign == call_sign))
    if unit is None:
        raise NotFoundError(_("onbekende eenheid {call_sign}", call_sign=repr(call_sign[:30])))
    return unit


def _areas(session: Session, eenheid_ids: set[int]) -> Areas | None:
    """The cached areas when all rows belong to one eenheid (the usual case)."""
    return (
        areas_by_id(session, eenheid_id=next(iter(eenheid_ids))) if len(eenheid_ids) == 1 else None
    )


def _refs(
    session: Session, ids: Iterable[int | None], areas: Areas | None = None
) -> dict[int, schemas.AreaRef]:
    """Slug and name of organisation units: from the cached areas, else read."""
    wanted = {i for i in ids if i is not None}
    known = areas.refs if areas is not None else {}
    refs = {i: schemas.AreaRef(slug=known[i][0], name=known[i][1]) for i in wanted if i in known}
    if missing := wanted - refs.keys():
        rows = session.execute(select(Unit.id, Unit.slug, Unit.name).where(Unit.id.in_(missing)))
        refs.update({i: schemas.AreaRef(slug=s, name=n) for i, s, n in rows})
    return refs


def _gemeente_names(session: Session, codes: set[str], areas: Areas | None) -> dict[str, str]:
    known = areas.gemeente_names if areas is not None else {}
    names = {code: known[code] for code in codes if code in known}
    if missing := codes - names.keys():
        rows = session.execute(
            select(Gemeente.code, Gemeente.name).where(Gemeente.code.in_(missing))
        )
        names.update(dict(rows.tuples()))
    return names


def units_out(session: Session, units: Sequence[PatrolUnit]) -> list[schemas.PatrolUnitOut]:
    areas = _areas(session, {u.eenheid_id for u in units})
    refs = _refs(session, [i for u in units for i in (u.home_id, u.location_id)], areas)
    return [
        schemas.PatrolUnitOut(
            call_sign=u.call_sign,
            kind=u.kind,
            status=u.status,
            status_since=as_utc(u.status_since),
            home=refs[u.home_id],
            location=refs[u.location_id],
            incident_id=u.incident_id,
            version=u.version,
        )
        for u in units
    ]


def incidents_out(
    session: Session,
    incidents: Sequence[Incident],
    *,
    reference: Reference | None = None,
    new: bool = False,
) -> list[schemas.IncidentOut]:
    """Incidents with names, their units and response times (a few queries for all;
    ``new``: just registered, so no unit can be on them yet and none is read)."""
    if not incidents:
        return []
    ref = reference or bundled_reference()
    ids = [i.id for i in incidents]
    areas = _areas(session, {i.eenheid_id for i in incidents})
    refs = _refs(
        session,
        [x for i in incidents for x in (i.basisteam_id, i.district_id, i.eenheid_id)],
        areas,
    )
    names = _gemeente_names(session, {i.gemeente_code for i in incidents}, areas)
    assigned: dict[int, list[schemas.AssignmentOut]] = {i: [] for i in ids}
    rows = (
        []
        if new
        else session.execute(
            select(Assignment, PatrolUnit.call_sign, PatrolUnit.status)
            .join(PatrolUnit, Assignment.patrol_unit_id == PatrolUnit.id)
            .where(Assignment.incident_id.in_(ids))
            .order_by(Assignment.assigned_at, Assignment.id)
            .execution_options(populate_existing=True)  # the service writes them with Core
        ).all()
    )
    for assignment, call_sign, status in rows:
        assigned[assignment.incident_id].append(
            schemas.AssignmentOut(
                call_sign=call_sign,
                status=status if assignment.released_at is None else "vrij",
                scope=assignment.scope,
                estimated_minutes=assignment.estimated_minutes,
                assigned_at=as_utc(assignment.assigned_at),
                assigned_by=assignment.assigned_by,
                arrived_at=maybe_utc(assignment.arrived_at),
                released_at=maybe_utc(assignment.released_at),
            )
        )
    result = []
    for i in incidents:
        category = ref.category(i.category)
        norm = ref.norm(i.priority)
        response = minutes_between(i.received_at, i.arrived_at)
        within = None
        if norm is not None and response is not None and norm.minutes is not None:
            within = response <= norm.minutes
        result.append(
            schemas.IncidentOut(
                id=i.id,
                eenheid=refs[i.eenheid_id].slug,
                channel=i.channel,
                category=i.category,
                category_name=category.name if category else i.category,
                priority=i.priority,
                status=i.status,
                gemeente_code=i.gemeente_code,
                gemeente=names.get(i.gemeente_code, i.gemeente_code),
                basisteam=refs[i.basisteam_id],
                district=refs.get(i.district_id) if i.district_id else None,
                address=i.address,
                lat=i.lat,
                lon=i.lon,
                caller_name=i.caller_name,
                caller_phone=i.caller_phone,
                notes=i.notes,
                received_at=as_utc(i.received_at),
                dispatched_at=maybe_utc(i.dispatched_at),
                arrived_at=maybe_utc(i.arrived_at),
                cleared_at=maybe_utc(i.cleared_at),
                created_by=i.created_by,
                response_minutes=None if response is None else round(response, 2),
                norm_minutes=norm.minutes if norm else None,
                within_norm=within,
                close_reason=i.close_reason,
                close_reason_name=_reason_name(ref, i.close_reason),
                close_note=i.close_note,
                units=assigned[i.id],
            )
        )
    return result


def _reason_name(reference: Reference, code: str | None) -> str | None:
    reason = reference.close_reason(code) if code else None
    return reason.name if reason else code


def incident_detail(session: Session, *, incident_id: int) -> schemas.IncidentOut:
    with reading(session):
        return incidents_out(session, [get_incident(session, incident_id=incident_id)])[0]


def paged(
    session: Session, statement: Select[T], *, limit: int, offset: int
) -> tuple[Sequence[T], int]:
    """One page of ``statement`` (ordered) and how many rows it has in all."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    return session.scalars(statement.limit(limit).offset(offset)).all(), int(total or 0)


def list_units(
    session: Session, *, eenheid: str, limit: int = 1000, offset: int = 0
) -> tuple[list[schemas.PatrolUnitOut], int]:
    """A page of the eenheid's units in call-sign order, and how many it has."""
    root = get_eenheid(session, slug=eenheid)
    query = (
        select(PatrolUnit).where(PatrolUnit.eenheid_id == root.id).order_by(PatrolUnit.call_sign)
    )
    units, total = paged(session, query, limit=limit, offset=offset)
    return units_out(session, units), total


def list_incidents(
    session: Session,
    *,
    eenheid: str,
    open_only: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[schemas.IncidentOut], int]:
    """A page of the eenheid's incidents (priority, then oldest first), and how many."""
    root = get_eenheid(session, slug=eenheid)
    query = select(Incident).where(Incident.eenheid_id == root.id)
    if open_only:
        query = query.where(Incident.status != "afgesloten")
    if since is not None:
        query = query.where(Incident.received_at >= as_utc(since))
    if until is not None:
        query = query.where(Incident.received_at < as_utc(until))
    query = query.order_by(Incident.priority, Incident.received_at, Incident.id)
    incidents, total = paged(session, query, limit=limit, offset=offset)
    return incidents_out(session, incidents), total


def board(
    session: Session, *, eenheid: str, now: datetime | None = None, closed: int = 10
) -> schemas.Board:
    """Open incidents by priority and age (oldest first), the last closed ones, and the
    units grouped by status."""
    now = as_utc(now) if now else utc_now()
    root = get_eenheid(session, slug=eenheid)
    open_incidents = session.scalars(
        select(Incident)
        .where(Incident.eenheid_id == root.id, Incident.status != "afgesloten")
        .order_by(Incident.priority, Incident.received_at, Incident.id)
        .limit(500)
    ).all()
    recent = session.scalars(
        select(Incident)
        .where(Incident.eenheid_id == root.id, Incident.status == "afgesloten")
        .order_by(Incident.cleared_at.desc(), Incident.id.desc())
        .limit(closed)
    ).all()
    units = session.scalars(
        select(PatrolUnit).where(PatrolUnit.eenheid_id == root.id).order_by(PatrolUnit.call_sign)
    ).all()
    grouped: dict[str, list[schemas.PatrolUnitOut]] = {s: [] for s in UNIT_STATUS_ORDER}
    for unit in units_out(session, units):
        grouped[unit.status].append(unit)
    both = incidents_out(session, [*open_incidents, *recent])
    return schemas.Board(
        eenheid=schemas.AreaRef(slug=root.slug, name=root.name),
        now=now,
        incidents=both[: len(open_incidents)],
        closed=both[len(open_incidents) :],
        units=grouped,
    )


def timeline(session: Session, *, incident_id: int) -> list[AuditEntry]:
    """The audit entries of an incident, and of its units while they were on it."""
    get_incident(session, incident_id=incident_id)
    own = entries(session, entity="incident", entity_id=incident_id)
    unit_ids = session.scalars(
        select(Assignment.patrol_unit_id).where(Assignment.incident_id == incident_id)
    ).all()
    related = [
        e
        for e in session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "unit", AuditEntry.entity_id.in_(set(unit_ids)))
            .order_by(AuditEntry.id)
        )
        if incident_id
        in (
            (e.before or {}).get("incident_id"),
            (e.after or {}).get("incident_id"),
        )
    ]
    return sorted([*own, *related], key=lambda e: e.id)


def trail(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[AuditEntry], int]:
    """A page of the control room's audit entries (incidents and units), oldest first."""
    query = select(AuditEntry).where(AuditEntry.entity.in_((entity,) if entity else AUDITED))
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return paged(session, query.order_by(AuditEntry.id), limit=limit, offset=offset)
