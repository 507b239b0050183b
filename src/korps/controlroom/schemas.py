"""Pydantic shapes of the control room: intake, units, advice, board, KPIs, audit.

Input texts are stored exactly as sent (no trimming: what is read back is what was sent) or
refused with 422; their lengths are the columns' (korps.controlroom.models). Every time in
an answer carries its offset (UTC), also where SQLite hands back naive values.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from korps.common.fields import Moment, StorableText
from korps.common.i18n import N_, _
from korps.controlroom.models import (
    ADDRESS_MAX,
    CALL_SIGN_MAX,
    CALLER_NAME_MAX,
    CALLER_PHONE_MAX,
    CATEGORY_MAX,
    CHANNEL_MAX,
    CLOSE_NOTE_MAX,
    CLOSE_REASON_MAX,
    IDEMPOTENCY_KEY_MAX,
    KIND_MAX,
    NOTES_MAX,
)
from korps.controlroom.times import as_utc
from korps.db.base import MAX_ID

UnitStatus = Literal["beschikbaar", "uitgegeven", "aanrijdend", "ter_plaatse", "vrij", "uit_dienst"]
NewUnitStatus = Literal["beschikbaar", "uit_dienst"]
IncidentStatus = Literal["nieuw", "uitgegeven", "ter_plaatse", "afgesloten"]
KpiGroup = Literal["priority", "basisteam", "district", "unit"]
CALL_SIGN_RE = r"^[A-Z0-9]+(-[A-Z0-9]+)*$"
SLUG_MAX = 120
PRIORITY_MESSAGE = N_("ongeldige waarde voor prioriteit: verwacht 1, 2 of 3")
# the Dutch name of each input field, for messages ("roepnaam: maximaal 30 tekens")
FIELD_LABELS = {
    "eenheid": "eenheid",
    "channel": "kanaal",
    "category": "classificatie",
    "priority": "prioriteit",
    "gemeente": "gemeente",
    "basisteam": "basisteam",
    "address": "adres",
    "lat": "breedtegraad",
    "lon": "lengtegraad",
    "caller_name": "naam melder",
    "caller_phone": "telefoon melder",
    "notes": "notities",
    "idempotency_key": "idempotentiesleutel",
    "received_at": "tijd melding",
    "historical_import": "historische import",
    "call_sign": "roepnaam",
    "unit": "roepnaam",
    "kind": "soort",
    "status": "status",
    "version": "versie",
    "incident_id": "melding",
    "divert": "afleiden",
    "reason": "reden",
    "note": "toelichting",
    "since": "vanaf",
    "until": "tot",
}


def _priority(value: object) -> object:
    """1, 2 or 3 as a JSON integer: not ``true``, not ``1.5``, not ``"1"``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in (1, 2, 3):
        raise PydanticCustomError("priority", _(PRIORITY_MESSAGE))
    return value


Priority = Annotated[int, BeforeValidator(_priority), Field(ge=1, le=3)]
Version = Annotated[int, Field(ge=0, le=MAX_ID)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
UtcTime = Annotated[datetime, AfterValidator(as_utc)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IncidentIn(_In):
    """A new incident (melding). ``priority`` defaults to the category's priority."""

    eenheid: StorableText = Field(
        max_length=SLUG_MAX, description="slug of the regional unit, e.g. rotterdam"
    )
    channel: StorableText = Field(max_length=CHANNEL_MAX, description="112, 0900-8844, 101 ...")
    category: StorableText = Field(
        max_length=CATEGORY_MAX, description="code from the classification table"
    )
    priority: Priority | None = Field(None, description="1, 2 or 3; overrides the category's")
    gemeente: StorableText = Field(min_length=1, max_length=120, description="CBS code or name")
    basisteam: StorableText | None = Field(
        None, max_length=SLUG_MAX, description="slug, for a municipality split over basisteams"
    )
    address: StorableText | None = Field(None, max_length=ADDRESS_MAX)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    caller_name: StorableText | None = Field(None, max_length=CALLER_NAME_MAX)
    caller_phone: StorableText | None = Field(None, max_length=CALLER_PHONE_MAX)
    notes: StorableText | None = Field(None, max_length=NOTES_MAX)
    idempotency_key: StorableText | None = Field(
        None,
        min_length=1,
        max_length=IDEMPOTENCY_KEY_MAX,
        description="a retry with the same key and body is not new; another body under a used "
        "key is refused (422)",
    )
    received_at: Moment | None = Field(
        None,
        description="default: now; at most 24 hours back unless historical_import (naive: UTC)",
    )
    historical_import: bool = Field(
        False, description="an incident of the past being imported: received_at may be older"
    )


class UnitIn(_In):
    call_sign: StorableText = Field(pattern=CALL_SIGN_RE, max_length=CALL_SIGN_MAX)
    basisteam: StorableText = Field(max_length=SLUG_MAX, description="slug of the home basisteam")
    kind: StorableText = Field("noodhulp", max_length=KIND_MAX)
    status: NewUnitStatus = Field("uit_dienst", description="beschikbaar or uit_dienst")


class UnitEdit(_In):
    """A unit's kind and home basisteam (its call sign stays)."""

    basisteam: StorableText = Field(max_length=SLUG_MAX, description="slug of the home basisteam")
    kind: StorableText = Field("noodhulp", max_length=KIND_MAX)
    version: Version | None = Field(None, description="refuse if the unit changed since this")


class CloseIn(_In):
    """Why an incident is closed: required when no unit was ever on scene."""

    reason: StorableText | None = Field(
        None, max_length=CLOSE_REASON_MAX, description="code of close_reasons (reference)"
    )
    note: StorableText | None = Field(
        None, max_length=CLOSE_NOTE_MAX, description="the operator's text (required: anders)"
    )


class StatusIn(_In):
    status: UnitStatus
    version: Version | None = Field(None, description="refuse if the unit changed since this")
    incident_id: Id | None = Field(
        None,
        description="the incident (job) this change is about; a change of a unit that is "
        "now on another incident is refused (409)",
    )


class AssignIn(_In):
    unit: StorableText = Field(max_length=CALL_SIGN_MAX, description="call sign")
    version: Version | None = Field(None, description="refuse if the unit changed since this")
    divert: bool = Field(
        False,
        description="take the unit from its prio-3 job for this prio-1 incident (the advice "
        "offers it, scope 3, when no unit is free)",
    )


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class AreaRef(_Out):
    slug: str
    name: str


class PatrolUnitOut(_Out):
    call_sign: str
    kind: str
    status: UnitStatus
    status_since: UtcTime
    home: AreaRef
    location: AreaRef
    incident_id: int | None = None
    version: int


class AssignmentOut(_Out):
    call_sign: str
    status: UnitStatus
    scope: str | None = None
    estimated_minutes: float | None = None
    assigned_at: UtcTime
    assigned_by: str
    arrived_at: UtcTime | None = None
    released_at: UtcTime | None = None


class IncidentOut(_Out):
    id: int
    eenheid: str
    channel: str
    category: str
    category_name: str
    priority: int
    status: IncidentStatus
    gemeente_code: str
    gemeente: str
    basisteam: AreaRef
    district: AreaRef | None = None
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    caller_name: str | None = None
    caller_phone: str | None = None
    notes: str | None = None
    received_at: UtcTime
    dispatched_at: UtcTime | None = None
    arrived_at: UtcTime | None = None
    cleared_at: UtcTime | None = None
    created_by: str
    response_minutes: float | None = Field(None, description="on scene - received")
    norm_minutes: float | None = Field(None, description="the norm of the priority, if any")
    within_norm: bool | None = None
    close_reason: str | None = Field(None, description="why it was closed without arrival")
    close_reason_name: str | None = None
    close_note: str | None = None
    units: list[AssignmentOut] = Field(default_factory=list)


class Candidate(BaseModel):
    rank: int
    call_sign: str
    kind: str
    status: UnitStatus
    home: AreaRef
    scope: int = Field(description="policy scope: 0 own, 1 district, 2 wider, 3 diverted")
    scope_name: str
    travel_minutes: float = Field(description="estimated arrival, minutes from now")
    response_minutes: float = Field(description="received -> estimated arrival")
    meets_norm: bool | None = Field(None, description="None when the priority has no norm")


class Advice(BaseModel):
    incident_id: int
    priority: int
    basisteam: AreaRef
    norm_minutes: float | None = None
    elapsed_minutes: float
    candidates: list[Candidate]
    eligible: int = Field(description="units the policy would send; the first are listed")


class AuditOut(_Out):
    id: int
    at: UtcTime
    actor: str
    entity: str
    entity_id: int
    action: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


class Board(BaseModel):
    eenheid: AreaRef
    now: UtcTime
    incidents: list[IncidentOut]
    closed: list[IncidentOut]
    units: dict[str, list[PatrolUnitOut]]


class KpiRow(BaseModel):
    key: str
    label: str
    priority: int
    count: int = Field(description="incidents received in the period")
    arrived: int = Field(description="of which a unit arrived on scene")
    closed_without_unit: int = Field(0, description="closed with no unit ever on scene")
    within_norm: int | None = Field(None, description="on scene within the norm")
    late: int | None = Field(
        None, description="on scene after the norm, or open past it with nobody on scene"
    )
    pending: int | None = Field(None, description="open, nobody on scene, norm not run out")
    share_within_norm: float | None = Field(None, description="within / (within + late)")
    ci_low: float | None = Field(None, description="95 % Wilson interval of the share: low")
    ci_high: float | None = Field(None, description="95 % Wilson interval of the share: high")
    too_few: bool = Field(False, description="fewer judged incidents than min_incidents")
    min_incidents: int = Field(0, description="judged incidents needed for a verdict")
    p50_minutes: float | None = None
    p90_minutes: float | None = None
    norm_minutes: float | None = None
    target_share: float | None = None
    met: bool | None = Field(None, description="None: no norm, or too few to judge")


class KpiReport(BaseModel):
    eenheid: AreaRef
    since: UtcTime
    until: UtcTime
    group: KpiGroup
    rows: list[KpiRow]
    min_incidents: int = Field(0, description="judged incidents needed for a verdict")


class SeedReport(BaseModel):
    eenheid: str
    created: list[str]
    existing: list[str]
    skipped_basisteams: list[str] = Field(
        default_factory=list, description="basisteams without covered municipalities"
    )
