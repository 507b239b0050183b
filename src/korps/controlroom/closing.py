"""Closing an incident by hand (issue #14 item 10).

An incident no unit is on any more may be closed by the operator. One that never had a unit
on scene (``arrived_at`` empty: a duplicate, a caller who called it off, handled by phone)
needs a reason from the reference list (``close_reasons`` of datasets/meldkamer.yaml); the
reason ``anders`` needs the operator's text. The reason and text are stored with the
incident (migration 0014) and written to the audit trail in the same transaction. An
incident a unit reached is closed automatically when its last unit is vrij.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from korps.common.datatexts import shown
from korps.common.i18n import _
from korps.controlroom import audit
from korps.controlroom.errors import ConflictError, InputError
from korps.controlroom.models import CLOSE_NOTE_MAX, Incident
from korps.controlroom.queries import get_incident
from korps.controlroom.reference import Reference, bundled_reference
from korps.controlroom.service import _lock_incident, _log, _open_count
from korps.controlroom.times import as_utc, utc_now


def checked_reason(
    reference: Reference, *, reason: str | None, note: str | None, required: bool
) -> tuple[str | None, str | None]:
    """The reason code and text to store, or InputError naming ``reason`` or ``note``."""
    note = (note or "").strip() or None
    if note is not None and len(note) > CLOSE_NOTE_MAX:
        raise InputError(
            "note",
            _(
                "hoogstens {close_note_max} tekens (nu {length})",
                close_note_max=CLOSE_NOTE_MAX,
                length=len(note),
            ),
        )
    if not reason:
        if required:
            names = ", ".join(shown(r.name).lower() for r in reference.close_reasons)
            raise InputError(
                "reason",
                _(
                    "er is nooit een eenheid ter plaatse geweest: kies een reden ({names})",
                    names=names,
                ),
            )
        return None, note
    chosen = reference.close_reason(reason)
    if chosen is None:
        codes = ", ".join(r.code for r in reference.close_reasons)
        raise InputError(
            "reason",
            _("onbekende reden {reason} (een van: {codes})", reason=repr(reason[:30]), codes=codes),
        )
    if chosen.needs_text and note is None:
        raise InputError(
            "note", _("bij reden '{name}' is een toelichting verplicht", name=shown(chosen.name))
        )
    return chosen.code, note


def close_incident(
    session: Session,
    *,
    incident_id: int,
    actor: str,
    reason: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
    reference: Reference | None = None,
) -> Incident:
    """Close an incident that has no unit on it any more; without any arrival only with a
    reason (see the module docstring). Refused: ConflictError or InputError, nothing written."""
    ref = reference or bundled_reference()
    now = as_utc(now) if now else utc_now()
    get_incident(session, incident_id=incident_id)
    incident = _lock_incident(session, incident_id)
    if incident.status == "afgesloten":
        session.rollback()
        raise ConflictError(_("melding {incident_id} is al afgesloten", incident_id=incident_id))
    if _open_count(session, incident_id):
        session.rollback()
        raise ConflictError(
            _(
                "melding {incident_id} heeft nog eenheden: zet die eerst op vrij",
                incident_id=incident_id,
            )
        )
    try:
        code, text = checked_reason(
            ref, reason=reason, note=note, required=incident.arrived_at is None
        )
    except InputError:
        session.rollback()
        raise
    before = audit.state(incident)
    incident.status, incident.cleared_at = "afgesloten", now
    incident.close_reason, incident.close_note = code, text
    session.flush()
    chosen = ref.close_reason(code) if code else None
    action = "afgesloten" if chosen is None else f"afgesloten: {chosen.name.lower()}"
    _log(session, now, actor, action, incident, before)
    session.commit()
    return incident
