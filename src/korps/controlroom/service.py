"""What changes state in the control room: intake, units and their status, assignment,
closing. Every function takes a session and keyword arguments, commits its own transaction
and appends every state change to the audit log in that same transaction.

**Concurrency.** A unit changes only by ``UPDATE patrol_unit ... WHERE id = ? AND version = ?``
(optimistic lock; the version is bumped), so of two operators assigning the same unit, one
update matches and the other finds no row and gets a ConflictError. The partial unique index
``uq_assignment_open_unit`` (one open assignment per unit) enforces the same in the
database. On PostgreSQL an assignment first reads the unit ``FOR UPDATE NOWAIT``: a unit
another operator is assigning at that moment is refused at once instead of after waiting
for that transaction. Incident rows are read ``FOR UPDATE`` after the unit row is locked or
written: the lock order is always unit, then incident. On SQLite the first write takes the
database write lock, which serialises the rest of the transaction the same way.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from korps.common.i18n import N_, _
from korps.controlroom import audit, schemas
from korps.controlroom.advice import estimate, free_unit_for
from korps.controlroom.areas import areas_of
from korps.controlroom.errors import ConflictError, InputError
from korps.controlroom.locations import resolve
from korps.controlroom.models import NOTES_MAX, Assignment, Incident, PatrolUnit
from korps.controlroom.queries import get_incident, get_unit, possible_call_sign
from korps.controlroom.reference import Reference, bundled_reference
from korps.controlroom.times import as_utc, utc_now
from korps.db.base import MAX_ID, table
from korps.dispatch.policy import SCOPE_DIVERTED, SCOPE_NAMES
from korps.organisation.models import Gemeente
from korps.organisation.service import NotFoundError

#: Dutch labels, shown through the catalogue in the pages (``{{ STATUS_LABELS[s] | t }}``)
STATUS_LABELS = {
    "beschikbaar": N_("beschikbaar"),
    "uitgegeven": N_("uitgegeven"),
    "aanrijdend": N_("aanrijdend"),
    "ter_plaatse": N_("ter plaatse"),
    "vrij": N_("vrij"),
    "uit_dienst": N_("uit dienst"),
}
INCIDENT_LABELS = {
    "nieuw": N_("nieuw"),
    "uitgegeven": N_("uitgegeven"),
    "ter_plaatse": N_("ter plaatse"),
    "afgesloten": N_("afgesloten"),
}
FREE = ("beschikbaar", "vrij")
ACTIVE = ("uitgegeven", "aanrijdend", "ter_plaatse")
# "uitgegeven" is reached only by assigning the unit to an incident (see assign)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "uit_dienst": ("beschikbaar",),
    "beschikbaar": ("uitgegeven", "uit_dienst"),
    "vrij": ("uitgegeven", "beschikbaar", "uit_dienst"),
    "uitgegeven": ("aanrijdend", "ter_plaatse", "vrij"),
    "aanrijdend": ("ter_plaatse", "vrij"),
    "ter_plaatse": ("vrij",),
}
FUTURE_SLACK = timedelta(minutes=1)
BACKDATE_LIMIT = timedelta(hours=24)  # older only as a historical import
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a row lock NOWAIT could not take


def _by_key(session: Session, key: str) -> Incident | None:
    return session.scalar(select(Incident).where(Incident.idempotency_key == key))


def fingerprint(data: schemas.IncidentIn) -> str:
    """The request's fingerprint stored with its idempotency key (sha256 of the body's
    fields in a canonical form, the key itself left out): a retry must match it."""
    body = data.model_dump(mode="json", exclude={"idempotency_key"})
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _retry(existing: Incident, data: schemas.IncidentIn) -> Incident:
    """A retry under a used key: the first incident if the body is the same, else refused
    (the IETF Idempotency-Key draft: a key reused with another payload is an error)."""
    if existing.request_hash is not None and existing.request_hash != fingerprint(data):
        raise InputError(
            "idempotency_key",
            _(
                "sleutel al gebruikt voor melding {id} met een andere inhoud; gebruik een nieuwe "
                "sleutel voor een nieuwe melding",
                id=existing.id,
            ),
        )
    return existing


def _received_at(data: schemas.IncidentIn, now: datetime) -> datetime:
    """When the incident was reported: now, or the given time if it is not in the future
    and at most 24 hours back (older only with ``historical_import``)."""
    if data.received_at is None:
        return now
    received_at = as_utc(data.received_at)
    if received_at > now + FUTURE_SLACK:
        raise InputError("received_at", _("tijd melding ligt in de toekomst"))
    if received_at < now - BACKDATE_LIMIT and not data.historical_import:
        raise InputError(
            "received_at",
            _(
                "tijd melding ligt meer dan 24 uur terug: alleen toegestaan als historische "
                "import (historical_import: true)"
            ),
        )
    return received_at


def intake(
    session: Session,
    *,
    data: schemas.IncidentIn,
    actor: str,
    now: datetime | None = None,
    reference: Reference | None = None,
) -> tuple[Incident, bool]:
    """Register an incident; returns it and whether it is new. A retry with the same
    idempotency key returns the first incident and writes nothing (the insert is tried
    first and its unique key decides, so the common case costs no extra read). Bad input
    raises InputError naming the field, and nothing is written."""
    ref = reference or bundled_reference()
    now = as_utc(now) if now else utc_now()
    try:
        areas = areas_of(session, slug=data.eenheid)
    except NotFoundError as exc:
        raise InputError("eenheid", str(exc.args[0])) from exc
    channels = [c.code for c in ref.channels_for(areas.country)]
    if data.channel not in channels:
        raise InputError(
            "channel",
            _(
                "kanaal {channel} bestaat niet voor {eenheid_name} (een van: {channels})",
                channel=repr(data.channel),
                eenheid_name=areas.eenheid_name,
                channels=", ".join(channels),
            ),
        )
    category = ref.category(data.category)
    if category is None:
        raise InputError(
            "category",
            _(
                "onbekende classificatie {category}: niet in de classificatietabel",
                category=repr(data.category),
            ),
        )
    if data.notes is not None and len(data.notes) > NOTES_MAX:
        raise InputError(
            "notes",
            _(
                "hoogstens {notes_max} tekens (nu {length})",
                notes_max=NOTES_MAX,
                length=len(data.notes),
            ),
        )
    received_at = _received_at(data, now)
    text = data.gemeente.strip()
    try:
        location = resolve(
            areas,
            gemeente=text,
            basisteam=data.basisteam,
            lat=data.lat,
            lon=data.lon,
            max_distance_km=ref.location.max_distance_km,
        )
    except InputError as exc:
        if exc.field != "gemeente":
            raise
        known = session.scalar(
            select(func.count())
            .select_from(Gemeente)
            .where(or_(Gemeente.code == text.upper(), func.lower(Gemeente.name) == text.lower()))
        )
        if known:
            raise
        raise InputError(
            "gemeente", _("onbekende gemeente {gemeente}", gemeente=repr(data.gemeente))
        ) from exc
    incident = Incident(
        idempotency_key=data.idempotency_key,
        eenheid_id=areas.eenheid_id,
        channel=data.channel,
        category=category.code,
        priority=data.priority or category.priority,
        caller_name=data.caller_name or None,
        caller_phone=data.caller_phone or None,
        address=data.address or None,
        gemeente_code=location.gemeente_code,
        lat=data.lat,
        lon=data.lon,
        basisteam_id=location.basisteam_id,
        district_id=location.district_id,
        notes=data.notes or None,
        status="nieuw",
        received_at=received_at,
        created_by=actor,
        request_hash=fingerprint(data) if data.idempotency_key else None,
    )
    session.add(incident)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        if data.idempotency_key and (existing := _by_key(session, data.idempotency_key)):
            return _retry(existing, data), False  # a retry, or a concurrent one that won
        raise
    _log(session, now, actor, "aangemaakt", incident, None)
    session.commit()
    return incident, True


def _update_open_assignment(session: Session, unit_id: int, extra: Any, **values: datetime) -> None:
    """Set ``values`` on the unit's open assignment (if any), without loading it."""
    assignments = table(Assignment)  # Core; readers load them with populate_existing
    query = update(assignments).where(
        assignments.c.patrol_unit_id == unit_id, assignments.c.released_at.is_(None)
    )
    if extra is not None:
        query = query.where(extra)
    session.execute(query.values(**values))


def _refused(session: Session, message: str) -> ConflictError:
    """End the transaction (and its row locks) and say why."""
    session.rollback()
    return ConflictError(message)


def _claim_unit(session: Session, call_sign: str) -> PatrolUnit:
    """The unit, locked for this transaction on PostgreSQL, or a ConflictError at once if
    another operator's transaction holds it (NOWAIT): under load, waiting for that one to
    commit only to find the unit taken would hold a connection for nothing. SQLite has no
    row locks (its write lock serialises assignments) and reads the unit plainly."""
    if not possible_call_sign(call_sign):
        raise NotFoundError(_("onbekende eenheid {call_sign}", call_sign=repr(call_sign)))
    try:
        unit = session.scalar(
            select(PatrolUnit)
            .where(PatrolUnit.call_sign == call_sign)
            .with_for_update(nowait=True)
            .execution_options(populate_existing=True)
        )
    except OperationalError as exc:
        session.rollback()
        if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise ConflictError(
                _("{call_sign} wordt op dit moment door een ander toegewezen", call_sign=call_sign)
            ) from exc
        raise
    if unit is None:
        raise NotFoundError(_("onbekende eenheid {call_sign}", call_sign=repr(call_sign)))
    return unit


def _lock_incident(session: Session, incident_id: int) -> Incident:
    """The incident, read ``FOR UPDATE`` (PostgreSQL) for the rest of the transaction."""
    incident = None
    if 1 <= incident_id <= MAX_ID:
        incident = session.get(Incident, incident_id, with_for_update=True, populate_existing=True)
    if incident is None:
        session.rollback()
        raise NotFoundError(_("onbekende melding {incident_id}", incident_id=incident_id))
    return incident


def _write_unit(session: Session, unit: PatrolUnit, extra: Any = None, **values: Any) -> None:
    """The optimistic update: matches only if nobody changed the unit since it was read."""
    units = table(PatrolUnit)  # Core: no ORM bookkeeping for a single-row update
    query = update(units).where(units.c.id == unit.id, units.c.version == unit.version)
    if extra is not None:
        query = query.where(extra)
    result = session.execute(query.values(version=unit.version + 1, **values))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise ConflictError(
            _(
                "{call_sign} is zojuist door een ander gewijzigd; laad opnieuw en probeer het nog "
                "eens",
                call_sign=unit.call_sign,
            )
        )
    for name, value in {**values, "version": unit.version + 1}.items():
        set_committed_value(unit, name, value)  # what was written, without reading it back


def _write_incident(session: Session, incident: Incident, **values: Any) -> None:
    """Write changed fields of an incident already locked by this transaction (Core, and
    the ORM object kept in step without reading it back)."""
    changed = {k: v for k, v in values.items() if getattr(incident, k) != v}
    if not changed:
        return
    incidents = table(Incident)
    session.execute(update(incidents).where(incidents.c.id == incident.id).values(**changed))
    for name, value in changed.items():
        set_committed_value(incident, name, value)


def _leave(
    session: Session, now: datetime, actor: str, unit: PatrolUnit, incident: Incident
) -> None:
    """A diverted unit leaves its (locked) prio-3 incident: its assignment there ends, and
    the incident waits again unless another unit is still on it."""
    before = audit.state(incident)
    _update_open_assignment(session, unit.id, None, released_at=now)
    if _open_count(session, incident.id) == 0:
        _write_incident(session, incident, status="nieuw")
    _log(session, now, actor, f"afgeleid {unit.call_sign}", incident, before)


def assign(
    session: Session,
    *,
    incident_id: int,
    call_sign: str,
    actor: str,
    version: int | None = None,
    now: datetime | None = None,
    divert: bool = False,
) -> Assignment:
    """Send a free unit to an open incident. A unit already taken, uit dienst, or changed
    since ``version`` is refused with a ConflictError, and nothing is written.

    ``divert``: the unit may be one on a prio-3 job when the incident is prio 1 (the
    policy's diversion, offered by the advice when no unit is free, and refused while the
    policy has a free unit for the incident, as in the twin); its prio-3 incident loses it
    and waits again ('nieuw') unless another unit is still on it."""
    now = as_utc(now) if now else utc_now()
    unit = _claim_unit(session, call_sign)
    incident = _lock_incident(session, incident_id)  # after the unit: the lock order
    left: Incident | None = None
    if divert and unit.status in ACTIVE and unit.incident_id is not None:
        left = _lock_incident(session, unit.incident_id)  # unit, then incidents: the order
        if incident.priority != 1 or left.priority != 3:
            raise _refused(
                session,
                _(
                    "alleen een prio-1-melding mag een eenheid van een prio-3-melding afleiden "
                    "({call_sign} staat op een prio-{priority}-melding, deze is prio {priority2})",
                    call_sign=call_sign,
                    priority=left.priority,
                    priority2=incident.priority,
                ),
            )
        if (free := free_unit_for(session, incident=incident)) is not None:
            raise _refused(
                session,
                _(
                    "{free} is vrij voor deze melding: een eenheid wordt alleen van een "
                    "prio-3-melding afgeleid als er geen eenheid vrij is (zoals in de digital "
                    "twin)",
                    free=free,
                ),
            )
    if incident.status == "afgesloten":
        raise _refused(session, _("melding {incident_id} is afgesloten", incident_id=incident_id))
    if unit.eenheid_id != incident.eenheid_id:
        raise _refused(session, _("{call_sign} hoort bij een andere eenheid", call_sign=call_sign))
    if unit.status == "uit_dienst":
        raise _refused(
            session,
            _("{call_sign} is uit dienst en kan niet worden toegewezen", call_sign=call_sign),
        )
    if unit.status not in FREE and left is None:
        status = _(STATUS_LABELS[unit.status])
        if unit.incident_id:
            busy = _(
                "{call_sign} is {status} (melding {incident_id}): niet vrij",
                call_sign=call_sign,
                status=status,
                incident_id=unit.incident_id,
            )
        else:
            busy = _("{call_sign} is {status}: niet vrij", call_sign=call_sign, status=status)
        raise _refused(session, busy)
    if version is not None and version != unit.version:
        raise _refused(
            session,
            _(
                "{call_sign} is gewijzigd sinds versie {version}; laad het advies opnieuw",
                call_sign=call_sign,
                version=version,
            ),
        )
    scope, minutes = estimate(session, incident=incident, unit=unit)
    before = audit.state(unit)
    _write_unit(
        session,
        unit,
        PatrolUnit.status.in_(FREE if left is None else ACTIVE),
        status="uitgegeven",
        status_since=now,
        incident_id=incident.id,
    )
    if left is not None:
        scope = SCOPE_NAMES[SCOPE_DIVERTED]
        _leave(session, now, actor, unit, left)
    fields: dict[str, Any] = {
        "incident_id": incident.id,
        "patrol_unit_id": unit.id,
        "scope": scope,
        "estimated_minutes": None if minutes is None else round(minutes, 2),
        "assigned_at": now,
        "assigned_by": actor,
    }
    assignments = table(Assignment)
    try:
        new_id = session.execute(
            insert(assignments).values(**fields).returning(assignments.c.id)
        ).scalar_one()
    except IntegrityError as exc:
        session.rollback()
        raise ConflictError(
            _("{call_sign} is al aan een melding toegewezen", call_sign=call_sign)
        ) from exc
    incident_before = audit.state(incident)
    _write_incident(
        session,
        incident,
        dispatched_at=incident.dispatched_at or now,
        status="uitgegeven" if incident.status == "nieuw" else incident.status,
    )
    _record_both(session, now, actor, "toegewezen", unit, before, incident, incident_before)
    session.commit()
    return Assignment(id=new_id, **fields)  # as written (not attached to the session)


def _entry(
    now: datetime,
    actor: str,
    action: str,
    row: Incident | PatrolUnit,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The audit row of one change of an incident or unit (``after``: its state now)."""
    return audit.entry(
        at=now,
        actor=actor,
        entity="incident" if isinstance(row, Incident) else "unit",
        entity_id=row.id,
        action=action,
        before=before,
        after=after if after is not None else audit.state(row),
    )


def _log(
    session: Session,
    now: datetime,
    actor: str,
    action: str,
    row: Incident | PatrolUnit,
    before: dict[str, Any] | None,
) -> None:
    """Append the change of one incident or unit."""
    audit.append(session, [_entry(now, actor, action, row, before)])


def _record_both(
    session: Session,
    now: datetime,
    actor: str,
    action: str,
    unit: PatrolUnit,
    unit_before: dict[str, Any] | None,
    incident: Incident | None,
    incident_before: dict[str, Any] | None,
) -> None:
    """The unit's change and, if it changed too, its incident's, in one insert (the
    writes before are Core statements, so nothing is left to flush)."""
    rows = [_entry(now, actor, action, unit, unit_before)]
    if incident is not None and (after := audit.state(incident)) != incident_before:
        rows.append(
            _entry(now, actor, f"{action} {unit.call_sign}", incident, incident_before, after)
        )
    audit.append(session, rows)


def set_status(
    session: Session,
    *,
    call_sign: str,
    status: str,
    actor: str,
    version: int | None = None,
    incident_id: int | None = None,
    now: datetime | None = None,
) -> PatrolUnit:
    """Move a unit to ``status`` if the transition is allowed (TRANSITIONS); on scene and free
    update its incident: first arrival, and closing when the last unit is free after one
    arrived (back to 'nieuw' if none arrived).

    ``incident_id`` names the job the change is about: if the unit is on another one now,
    the change is refused (ConflictError). A change that names neither the job nor the
    ``version`` is refused while the unit has been diverted and has not reported since: it
    may be the crew closing the job they were taken from (see :func:`_names_the_job`)."""
    now = as_utc(now) if now else utc_now()
    unit = get_unit(session, call_sign=call_sign)
    _names_the_job(session, unit, incident_id=incident_id, version=version)
    if status not in STATUS_LABELS:
        raise InputError("status", _("onbekende status {status}", status=repr(status)))
    if status == "uitgegeven":
        raise ConflictError(
            _("een eenheid wordt uitgegeven door haar aan een melding toe te wijzen")
        )
    if status not in TRANSITIONS[unit.status]:
        allowed = ", ".join(
            _(STATUS_LABELS[s]) for s in TRANSITIONS[unit.status] if s != "uitgegeven"
        )
        raise ConflictError(
            _(
                "{call_sign}: {current} -> {wanted} is niet toegestaan (vanuit {current} "
                "alleen: {allowed})",
                call_sign=call_sign,
                current=_(STATUS_LABELS[unit.status]),
                wanted=_(STATUS_LABELS[status]),
                allowed=allowed or _("toewijzen"),
            )
        )
    if version is not None and version != unit.version:
        raise ConflictError(
            _(
                "{call_sign} is gewijzigd sinds versie {version}; laad opnieuw",
                call_sign=call_sign,
                version=version,
            )
        )
    before = audit.state(unit)
    incident_id = unit.incident_id
    values: dict[str, Any] = {"status": status, "status_since": now}
    if status == "beschikbaar":
        values["location_id"] = unit.home_id
    if status == "vrij":
        values["incident_id"] = None
    if status == "ter_plaatse" and incident_id is not None:
        values["location_id"] = get_incident(session, incident_id=incident_id).basisteam_id
    _write_unit(session, unit, **values)
    incident = incident_before = None
    if incident_id is not None:
        incident = _lock_incident(session, incident_id)
        incident_before = audit.state(incident)
        if status == "ter_plaatse":
            _update_open_assignment(
                session, unit.id, Assignment.arrived_at.is_(None), arrived_at=now
            )
            if incident.arrived_at is None:
                _write_incident(session, incident, arrived_at=now, status="ter_plaatse")
        elif status == "vrij":
            _update_open_assignment(session, unit.id, None, released_at=now)
            if _open_count(session, incident.id) == 0 and incident.status != "afgesloten":
                if incident.arrived_at is not None:
                    _write_incident(session, incident, status="afgesloten", cleared_at=now)
                else:
                    _write_incident(session, incident, status="nieuw")
    _record_both(session, now, actor, "status", unit, before, incident, incident_before)
    session.commit()
    return unit


def _names_the_job(
    session: Session, unit: PatrolUnit, *, incident_id: int | None, version: int | None
) -> None:
    """Refuse a status change meant for another job than the unit's current one: a late
    "vrij" for the prio-3 job a unit was diverted from must not free it from its prio-1
    job. Named (``incident_id``): it must be the current job. Unnamed and without a
    version: refused while the unit is still 'uitgegeven' on a diversion (nothing since
    shows the sender knows of the new job)."""
    if unit.incident_id is None:
        return
    if incident_id is not None:
        if incident_id != unit.incident_id:
            raise ConflictError(
                _(
                    "{call_sign} is inmiddels op melding {incident_id}, niet op melding "
                    "{incident_id2}: statuswijziging geweigerd",
                    call_sign=unit.call_sign,
                    incident_id=unit.incident_id,
                    incident_id2=incident_id,
                )
            )
        return
    if version is not None or unit.status != "uitgegeven":
        return
    scope = session.scalar(
        select(Assignment.scope).where(
            Assignment.patrol_unit_id == unit.id, Assignment.released_at.is_(None)
        )
    )
    if scope == SCOPE_NAMES[SCOPE_DIVERTED]:
        raise ConflictError(
            _(
                "{call_sign} is afgeleid naar melding {incident_id}: noem de melding "
                "(incident_id) of de versie (version) waarop deze statuswijziging slaat",
                call_sign=unit.call_sign,
                incident_id=unit.incident_id,
            )
        )


def _open_count(session: Session, incident_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.incident_id == incident_id, Assignment.released_at.is_(None))
        )
        or 0
    )
