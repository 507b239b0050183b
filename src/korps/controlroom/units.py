"""The meldkamer's own units: add one, change its kind or home basisteam (issue #14 item 11).

A unit's home must be a basisteam that is an area of its eenheid (covers a municipality,
so dispatch knows where it is). Taking a unit out of service is the status ``uit_dienst``
(``service.set_status``). Every change is written to the audit trail in its transaction;
a change uses the unit's optimistic lock (``version``), as every other change of a unit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from korps.common.i18n import _
from korps.controlroom import audit, schemas
from korps.controlroom.areas import areas_for
from korps.controlroom.errors import ConflictError, InputError
from korps.controlroom.models import PatrolUnit
from korps.controlroom.queries import get_unit
from korps.controlroom.reference import Reference, bundled_reference
from korps.controlroom.service import _log, _write_unit
from korps.controlroom.times import as_utc, utc_now
from korps.organisation.models import Unit
from korps.organisation.service import eenheid_of


def _kind(reference: Reference, kind: str) -> str:
    if kind not in reference.kind_codes:
        raise InputError(
            "kind",
            _(
                "onbekende soort {kind} (een van: {kind_codes})",
                kind=repr(kind),
                kind_codes=", ".join(reference.kind_codes),
            ),
        )
    return kind


def _home(session: Session, slug: str, within: str | None = None) -> tuple[Unit, Unit]:
    """The basisteam with this slug and its eenheid, if dispatch knows where it is (and,
    with ``within``, if that eenheid has this slug)."""
    basisteam = session.scalar(select(Unit).where(Unit.slug == slug))
    if basisteam is None or basisteam.kind != "basisteam":
        raise InputError("basisteam", _("onbekend basisteam {slug}", slug=repr(slug)))
    eenheid = eenheid_of(session, unit=basisteam)
    if within is not None and (eenheid is None or eenheid.slug != within):
        raise InputError(
            "basisteam",
            _(
                "basisteam {slug} hoort niet bij eenheid {within}",
                slug=repr(slug),
                within=repr(within),
            ),
        )
    if eenheid is None or basisteam.id not in areas_for(session, eenheid=eenheid).index:
        raise InputError(
            "basisteam",
            _(
                "basisteam {slug} dekt geen gemeente en heeft dus geen plaats voor de uitgifte",
                slug=repr(slug),
            ),
        )
    return basisteam, eenheid


def create_unit(
    session: Session,
    *,
    data: schemas.UnitIn,
    actor: str,
    now: datetime | None = None,
    reference: Reference | None = None,
    within: str | None = None,
) -> PatrolUnit:
    """Add a unit with its home basisteam (which must be an area of its eenheid, and with
    ``within`` of the eenheid with that slug: the meldkamer the page is of)."""
    ref = reference or bundled_reference()
    now = as_utc(now) if now else utc_now()
    kind = _kind(ref, data.kind)
    basisteam, eenheid = _home(session, data.basisteam, within)
    taken = _("roepnaam {call_sign} bestaat al", call_sign=repr(data.call_sign))
    if session.scalar(select(PatrolUnit.id).where(PatrolUnit.call_sign == data.call_sign)):
        raise InputError("call_sign", taken)
    unit = PatrolUnit(
        call_sign=data.call_sign,
        kind=kind,
        eenheid_id=eenheid.id,
        home_id=basisteam.id,
        location_id=basisteam.id,
        status=data.status if data.status in ("beschikbaar", "uit_dienst") else "uit_dienst",
        status_since=now,
        version=1,
    )
    session.add(unit)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise InputError("call_sign", taken) from exc
    _log(session, now, actor, "aangemaakt", unit, None)
    session.commit()
    return unit


def update_unit(
    session: Session,
    *,
    call_sign: str,
    data: schemas.UnitEdit,
    actor: str,
    now: datetime | None = None,
    reference: Reference | None = None,
) -> PatrolUnit:
    """Change a unit's kind and home basisteam (within its own eenheid). A unit on a job is
    refused (its home decides the advice only when it is free); so is a stale ``version``."""
    ref = reference or bundled_reference()
    now = as_utc(now) if now else utc_now()
    unit = get_unit(session, call_sign=call_sign)
    kind = _kind(ref, data.kind)
    basisteam, eenheid = _home(session, data.basisteam)
    if eenheid.id != unit.eenheid_id:
        raise InputError(
            "basisteam",
            _(
                "basisteam {basisteam} hoort bij een andere eenheid dan {call_sign}",
                basisteam=repr(data.basisteam),
                call_sign=call_sign,
            ),
        )
    if unit.incident_id is not None:
        raise ConflictError(
            _(
                "{call_sign} staat op melding {incident_id}: wijzig de eenheid als die vrij is",
                call_sign=call_sign,
                incident_id=unit.incident_id,
            )
        )
    if data.version is not None and data.version != unit.version:
        raise ConflictError(
            _(
                "{call_sign} is gewijzigd sinds versie {version}; laad opnieuw",
                call_sign=call_sign,
                version=data.version,
            )
        )
    if kind == unit.kind and basisteam.id == unit.home_id:
        return unit
    before = audit.state(unit)
    values: dict[str, object] = {"kind": kind, "home_id": basisteam.id}
    if unit.location_id == unit.home_id:  # at home: it moves with its home
        values["location_id"] = basisteam.id
    _write_unit(session, unit, PatrolUnit.incident_id.is_(None), **values)
    _log(session, now, actor, "gewijzigd", unit, before)
    session.commit()
    return unit
