"""Pydantic shapes of the control room: intake, units, advice, board, KPIs, audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from korps.controlroom.models import NOTES_MAX

UnitStatus = Literal["beschikbaar", "uitgegeven", "aanrijdend", "ter_plaatse", "vrij", "uit_dienst"]
IncidentStatus = Literal["nieuw", "uitgegeven", "ter_plaatse", "afgesloten"]
KpiGroup = Literal["priority", "basisteam", "district", "unit"]
CALL_SIGN_RE = r"^[A-Z0-9]+(-[A-Z0-9]+)*$"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IncidentIn(_In):
    """A new incident (melding). ``priority`` defaults to the category's priority."""

    eenheid: str = Field(max_length=120, description="slug of the regional unit, e.g. rotterdam")
    channel: str = Field(max_length=20, description="112, 0900-8844, 101, online, desk")
    category: str = Field(max_length=60, description="code from the classification table")
    priority: int | None = Field(None, ge=1, le=3, description="overrides the category's")
    gemeente: str = Field(min_length=1, max_length=120, description="CBS code or name")
    basisteam: str | None = Field(
        None, max_length=120, description="slug, for a municipality split over basisteams"
    )
    address: str | None = Field(None, max_length=300)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    caller_name: str | None = Field(None, max_length=200)
    caller_phone: str | None = Field(None, max_length=40)
    notes: str | None = Field(None, max_length=NOTES_MAX)
    idempotency_key: str | None = Field(
        None, min_length=1, max_length=100, description="a retry with the same key is not new"
    )
    received_at: datetime | None = Field(None, description="default: now")


class UnitIn(_In):
    call_sign: str = Field(pattern=CALL_SIGN_RE, max_length=30)
    basisteam: str = Field(max_length=120, description="slug of the home basisteam")
    kind: str = Field("noodhulp", max_length=30)
    status: UnitStatus = "uit_dienst"


class StatusIn(_In):
    status: UnitStatus
    version: int | None = Field(None, description="refuse if the unit changed since this version")


class AssignIn(_In):
    unit: str = Field(max_length=30, description="call sign")
    version: int | None = Field(None, description="refuse if the unit changed since this version")
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
    status_since: datetime
    home: AreaRef
    location: AreaRef
    incident_id: int | None = None
    version: int


class AssignmentOut(_Out):
    call_sign: str
    status: UnitStatus
    scope: str | None = None
    estimated_minutes: float | None = None
    assigned_at: datetime
    assigned_by: str
    arrived_at: datetime | None = None
    released_at: datetime | None = None


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
    received_at: datetime
    dispatched_at: datetime | None = None
    arrived_at: datetime | None = None
    cleared_at: datetime | None = None
    created_by: str
    response_minutes: float | None = Field(None, description="on scene - received")
    norm_minutes: float | None = Field(None, description="the norm of the priority, if any")
    within_norm: bool | None = None
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
    at: datetime
    actor: str
    entity: str
    entity_id: int
    action: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


class Board(BaseModel):
    eenheid: AreaRef
    now: datetime
    incidents: list[IncidentOut]
    closed: list[IncidentOut]
    units: dict[str, list[PatrolUnitOut]]


class KpiRow(BaseModel):
    key: str
    label: str
    priority: int
    count: int = Field(description="incidents received in the period")
    arrived: int = Field(description="of which a unit arrived on scene")
    within_norm: int | None = None
    share_within_norm: float | None = Field(None, description="within norm / arrived")
    p50_minutes: float | None = None
    p90_minutes: float | None = None
    norm_minutes: float | None = None
    target_share: float | None = None
    met: bool | None = None


class KpiReport(BaseModel):
    eenheid: AreaRef
    since: datetime
    until: datetime
    group: KpiGroup
    rows: list[KpiRow]


class SeedReport(BaseModel):
    eenheid: str
    created: list[str]
    existing: list[str]
    skipped_basisteams: list[str] = Field(
        default_factory=list, description="basisteams without covered municipalities"
    )
