"""JSON API of the control room, mounted under ``/api/v1/controlroom``.

Bad input gives 422 with the field named (``detail[0].loc``), a state that does not allow
the request (unit taken or uit dienst, transition out of order, closed incident) gives 409,
an unknown id or call sign 404. Who did it is the authenticated user (session or API token);
every route needs the role ``centralist`` on the eenheid it concerns (``korps.identity.deps``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Request, Response

from korps.common.fields import Moment
from korps.common.i18n import _
from korps.controlroom import closing, kpi, queries, schemas, service, units
from korps.controlroom.access import audit_caller_reads, eenheid_of_request, ensure_centralist
from korps.controlroom.advice import LISTED, advise
from korps.controlroom.errors import ConflictError, InputError, releasing
from korps.controlroom.models import CALL_SIGN_MAX
from korps.controlroom.reference import Reference, bundled_reference
from korps.controlroom.times import utc_now
from korps.db.base import MAX_ID
from korps.db.paging import PAGE_HEADERS, PagingDep, page, window
from korps.db.session import SessionDep
from korps.identity.deps import AUTHENTICATED, require
from korps.identity.roles import Principal
from korps.organisation.schemas import ErrorOut

# every route: the role centralist on the eenheid the request concerns
router = APIRouter(
    prefix="/controlroom",
    tags=["controlroom"],
    dependencies=[Depends(require("centralist", unit=eenheid_of_request))],
)
CurrentUser = Annotated[Principal, Depends(AUTHENTICATED)]
T = TypeVar("T")
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "unknown incident, unit or regional unit"},
    409: {"model": ErrorOut, "description": "the current state does not allow this"},
}
Eenheid = Annotated[str, Query(max_length=120, description="slug of the regional unit")]
IncidentId = Annotated[int, Path(ge=1, le=MAX_ID, description="id of the incident")]
CallSign = Annotated[str, Path(max_length=CALL_SIGN_MAX, description="call sign of the unit")]
PAGED: dict[int | str, dict[str, Any]] = {200: {"headers": PAGE_HEADERS}, 404: ERRORS[404]}
Since = Annotated[Moment | None, Query(description="ISO 8601; naive: UTC")]


def run(action: Callable[[], T]) -> T:
    """Call a service function; its errors become 422 (naming the field) or 409."""
    try:
        return action()
    except InputError as exc:
        detail = [{"loc": ["body", exc.field], "msg": exc.message, "type": "value_error"}]
        raise HTTPException(status_code=422, detail=detail) from exc
    except ConflictError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc


def _period(
    since: datetime | None, until: datetime | None, days: int = 7
) -> tuple[datetime, datetime]:
    until = until or utc_now()
    since = since or until - timedelta(days=days)  # Moment: within 1900-2099, no overflow
    if until <= since:
        raise HTTPException(
            status_code=422,
            detail=[
                {
                    "loc": ["query", "until"],
                    "msg": _("tot: moet na vanaf liggen"),
                    "type": "value_error",
                }
            ],
        )
    return since, until


@router.get("/reference", response_model=Reference)
@releasing
def reference() -> Reference:
    """Channels, the classification table with default priorities, norms, unit kinds."""
    return bundled_reference()


@router.post(
    "/incidents",
    response_model=schemas.IncidentOut,
    status_code=201,
    responses={200: {"model": schemas.IncidentOut, "description": "a retry: the first one"}},
)
@releasing
def create_incident(
    session: SessionDep,
    data: schemas.IncidentIn,
    response: Response,
    me: CurrentUser,
) -> schemas.IncidentOut:
    """Register an incident. With an ``idempotency_key`` already used, the first incident
    is returned with 200 and nothing is written."""
    ensure_centralist(me, session, slug=data.eenheid)
    incident, new = run(lambda: service.intake(session, data=data, actor=me.username))
    if not new:
        response.status_code = 200
    return queries.incidents_out(session, [incident], new=new)[0]


@router.get("/incidents", response_model=list[schemas.IncidentOut], responses=PAGED)
@releasing
def list_incidents(
    session: SessionDep,
    request: Request,
    response: Response,
    paging: PagingDep,
    eenheid: Eenheid,
    open_only: Annotated[bool, Query(alias="open")] = False,
    since: Since = None,
    until: Since = None,
) -> list[schemas.IncidentOut]:
    """Incidents, priority then oldest first (paged: ``limit``, ``offset``;
    ``X-Total-Count``, ``Link: rel="next"``)."""
    listed, total = queries.list_incidents(
        session,
        eenheid=eenheid,
        open_only=open_only,
        since=since,
        until=until,
        limit=paging.limit,
        offset=paging.offset,
    )
    shown = audit_caller_reads(session, listed)
    return page(shown, total=total, paging=paging, request=request, response=response)


@router.get("/incidents/{incident_id}", response_model=schemas.IncidentOut, responses=ERRORS)
@releasing
def get_incident(session: SessionDep, incident_id: IncidentId) -> schemas.IncidentOut:
    incident = queries.incident_detail(session, incident_id=incident_id)
    return audit_caller_reads(session, [incident])[0]


@router.get("/incidents/{incident_id}/advice", response_model=schemas.Advice, responses=ERRORS)
@releasing
def get_advice(
    session: SessionDep,
    incident_id: IncidentId,
    limit: Annotated[int, Query(ge=1, le=1000, description="how many candidates to list")] = LISTED,
) -> schemas.Advice:
    """Candidate units in dispatch order (the shared policy), with estimated arrival: the
    first ``limit``; ``eligible`` counts them all."""
    return run(lambda: advise(session, incident_id=incident_id, limit=limit))


@router.post(
    "/incidents/{incident_id}/assignments",
    response_model=schemas.IncidentOut,
    status_code=201,
    responses=ERRORS,
)
@releasing
def assign(
    session: SessionDep, incident_id: IncidentId, data: schemas.AssignIn, me: CurrentUser
) -> schemas.IncidentOut:
    """Send a unit. Of concurrent requests for the same unit exactly one succeeds."""
    run(
        lambda: service.assign(
            session,
            incident_id=incident_id,
            call_sign=data.unit,
            actor=me.username,
            version=data.version,
            divert=data.divert,
        )
    )
    return queries.incident_detail(session, incident_id=incident_id)


@router.post(
    "/incidents/{incident_id}/close",
    response_model=schemas.IncidentOut,
    responses={**ERRORS, 422: {"description": "no reason given where one is needed"}},
)
@releasing
def close(
    session: SessionDep,
    incident_id: IncidentId,
    me: CurrentUser,
    data: Annotated[schemas.CloseIn | None, Body()] = None,
) -> schemas.IncidentOut:
    """Close an incident no unit is on. Without any unit ever on scene a ``reason`` is
    needed (``close_reasons`` of the reference; ``anders`` with a ``note``)."""
    data = data or schemas.CloseIn()
    run(
        lambda: closing.close_incident(
            session,
            incident_id=incident_id,
            actor=me.username,
            reason=data.reason,
            note=data.note,
        )
    )
    return queries.incident_detail(session, incident_id=incident_id)


@router.get(
    "/incidents/{incident_id}/timeline",
    response_model=list[schemas.AuditOut],
    responses={**ERRORS, **PAGED},
)
@releasing
def timeline(
    session: SessionDep,
    request: Request,
    response: Response,
    paging: PagingDep,
    incident_id: IncidentId,
) -> list[schemas.AuditOut]:
    """The incident's trail, oldest first (paged like every list)."""
    found = queries.timeline(session, incident_id=incident_id)
    items = [schemas.AuditOut.model_validate(e) for e in window(found, paging)]
    return page(items, total=len(found), paging=paging, request=request, response=response)


@router.get("/units", response_model=list[schemas.PatrolUnitOut], responses=PAGED)
@releasing
def list_units(
    session: SessionDep, request: Request, response: Response, paging: PagingDep, eenheid: Eenheid
) -> list[schemas.PatrolUnitOut]:
    """Units in call-sign order (paged like every list)."""
    units, total = queries.list_units(
        session, eenheid=eenheid, limit=paging.limit, offset=paging.offset
    )
    return page(units, total=total, paging=paging, request=request, response=response)


@router.post("/units", response_model=schemas.PatrolUnitOut, status_code=201)
@releasing
def create_unit(
    session: SessionDep, data: schemas.UnitIn, me: CurrentUser
) -> schemas.PatrolUnitOut:
    ensure_centralist(me, session, slug=data.basisteam)
    unit = run(lambda: units.create_unit(session, data=data, actor=me.username))
    return queries.units_out(session, [unit])[0]


@router.put("/units/{call_sign}", response_model=schemas.PatrolUnitOut, responses=ERRORS)
@releasing
def update_unit(
    session: SessionDep, call_sign: CallSign, data: schemas.UnitEdit, me: CurrentUser
) -> schemas.PatrolUnitOut:
    """Change a unit's kind and home basisteam (within its eenheid; not while on a job)."""
    ensure_centralist(me, session, slug=data.basisteam)
    unit = run(
        lambda: units.update_unit(session, call_sign=call_sign, data=data, actor=me.username)
    )
    return queries.units_out(session, [unit])[0]


@router.post("/units/{call_sign}/status", response_model=schemas.PatrolUnitOut, responses=ERRORS)
@releasing
def set_status(
    session: SessionDep, call_sign: CallSign, data: schemas.StatusIn, me: CurrentUser
) -> schemas.PatrolUnitOut:
    """Change a unit's status; a transition out of order, or a change for another job than
    the unit's current one (``incident_id``), is refused with 409."""
    unit = run(
        lambda: service.set_status(
            session,
            call_sign=call_sign,
            status=data.status,
            actor=me.username,
            version=data.version,
            incident_id=data.incident_id,
        )
    )
    return queries.units_out(session, [unit])[0]


@router.get("/board", response_model=schemas.Board, responses=ERRORS)
@releasing
def board(session: SessionDep, eenheid: Eenheid) -> schemas.Board:
    return queries.board(session, eenheid=eenheid)


@router.get("/kpi", response_model=schemas.KpiReport, responses=ERRORS)
@releasing
def kpis(
    session: SessionDep,
    eenheid: Eenheid,
    since: Since = None,
    until: Since = None,
    group: schemas.KpiGroup = "priority",
) -> schemas.KpiReport:
    """Response-time KPIs per priority and group against the norms (default: last 7 days)."""
    since, until = _period(since, until)
    return kpi.kpis(session, eenheid=eenheid, since=since, until=until, group=group)


@router.get("/export.csv", response_class=Response, responses=ERRORS)
@releasing
def export(
    session: SessionDep,
    eenheid: Eenheid,
    since: Since = None,
    until: Since = None,
) -> Response:
    """Incidents in the columns of docs/incidents-csv.md (read by korps sim)."""
    since, until = _period(since, until, days=365)
    text = kpi.export_csv(session, eenheid=eenheid, since=since, until=until)
    name = f"incidenten-{eenheid}-{since:%Y%m%d}-{until:%Y%m%d}.csv"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/audit", response_model=list[schemas.AuditOut], responses=PAGED)
@releasing
def audit_log(
    session: SessionDep,
    request: Request,
    response: Response,
    paging: PagingDep,
    entity: Annotated[str | None, Query(pattern="^(incident|unit)$")] = None,
    entity_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[schemas.AuditOut]:
    """The control room's trail (incidents and units), oldest first (paged)."""
    found, total = queries.trail(
        session, entity=entity, entity_id=entity_id, limit=paging.limit, offset=paging.offset
    )
    items = [schemas.AuditOut.model_validate(e) for e in found]
    return page(items, total=total, paging=paging, request=request, response=response)
