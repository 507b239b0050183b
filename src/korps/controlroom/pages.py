"""HTML pages of the control room (Dutch UI): live board, intake, incident, KPIs.

Actions are plain forms (post, then redirect); the board refreshes itself with htmx every
3 seconds. The operator is the logged-in centralist.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.common.formatting import time
from korps.common.i18n import N_, _
from korps.controlroom import closing, kpi_pages, queries, schemas, service, unit_pages
from korps.controlroom.access import audit_caller_reads, eenheid_of_request
from korps.controlroom.access import operator as _operator
from korps.controlroom.advice import LISTED, advise
from korps.controlroom.areas import areas_for, get_eenheid
from korps.controlroom.errors import ConflictError, InputError, releasing
from korps.controlroom.models import CLOSE_NOTE_MAX, CLOSE_REASON_MAX, PatrolUnit
from korps.controlroom.reference import bundled_reference
from korps.controlroom.timeline import timeline_line
from korps.controlroom.times import local, minutes_between, utc_now
from korps.controlroom.unit_pages import refusal
from korps.db.session import SessionDep
from korps.identity.deps import require
from korps.identity.roles import Principal
from korps.organisation.models import Unit
from korps.web.limits import dutch_message
from korps.web.templating import render, templates

# every page: the role centralist on the eenheid the page concerns
router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(require("centralist", unit=eenheid_of_request))],
)
POLL_SECONDS = 3
FIELD_LABELS = {
    "eenheid": "Eenheid",
    "channel": "Kanaal",
    "category": "Classificatie",
    "priority": "Prioriteit",
    "gemeente": "Gemeente",
    "basisteam": "Basisteam",
    "address": "Adres",
    "lat": "Breedtegraad",
    "lon": "Lengtegraad",
    "caller_name": "Naam melder",
    "caller_phone": "Telefoon melder",
    "notes": "Notities",
    "received_at": "Tijd melding",
}


def _clock(value: datetime | None) -> str:
    return "" if value is None else time(local(value), "medium")  # 14:05:09 / 2:05:09 PM


def _minutes(value: float | None) -> str:
    if value is None:
        return "–"
    seconds = round(value * 60)
    return f"{seconds // 60}:{seconds % 60:02d}"


templates.env.filters["klok"] = _clock
templates.env.filters["minuten"] = _minutes
templates.env.globals["STATUS_LABELS"] = {**service.STATUS_LABELS, **service.INCIDENT_LABELS}
templates.env.globals["tijdlijn"] = timeline_line  # korps.controlroom.timeline


def _default_eenheid(session: Session, principal: Principal | None = None) -> str:
    """The meldkamer to open: the eenheid the user is centralist of (the first such
    grant on an eenheid or inside one), else one with units, else Rotterdam."""
    for scope in principal.scopes if principal is not None else ():
        if scope.role == "centralist" and scope.unit_path:
            ids = [int(p) for p in scope.unit_path.strip("/").split("/") if p]
            own = session.scalar(
                select(Unit.slug).where(Unit.id.in_(ids), Unit.kind.in_(("eenheid", "zone")))
            )
            if own:
                return own
    with_units = session.scalar(
        select(Unit.slug).join(PatrolUnit, PatrolUnit.eenheid_id == Unit.id).limit(1)
    )
    if with_units:
        return with_units
    slug = session.scalar(select(Unit.slug).where(Unit.kind == "eenheid").order_by(Unit.slug))
    return "rotterdam" if slug is None else ("rotterdam" if _exists(session, "rotterdam") else slug)


def _exists(session: Session, slug: str) -> bool:
    return session.scalar(select(Unit.id).where(Unit.slug == slug)) is not None


@router.get("/meldkamer", response_class=HTMLResponse)
@releasing
def start(request: Request, session: SessionDep) -> Response:
    principal = getattr(request.state, "principal", None)
    return RedirectResponse(f"/meldkamer/{_default_eenheid(session, principal)}", status_code=303)


@router.get("/meldkamer/{eenheid}", response_class=HTMLResponse)
@releasing
def board_page(request: Request, session: SessionDep, eenheid: str) -> HTMLResponse:
    board = queries.board(session, eenheid=eenheid)
    return render(request, "controlroom/board.html", board=board, poll=POLL_SECONDS)


@router.get("/meldkamer/{eenheid}/bord", response_class=HTMLResponse)
@releasing
def board_partial(request: Request, session: SessionDep, eenheid: str) -> HTMLResponse:
    board = queries.board(session, eenheid=eenheid)
    return render(request, "controlroom/_board.html", board=board)


def _intake_form(
    request: Request,
    session: Session,
    eenheid: str,
    values: dict[str, Any],
    error: InputError | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    root = get_eenheid(session, slug=eenheid)
    areas = areas_for(session, eenheid=root)
    gemeenten = sorted(areas.gemeente_names.items(), key=lambda item: item[1])
    split = {areas.gemeente_names[code] for code, covers in areas.covers.items() if len(covers) > 1}
    return render(
        request,
        "controlroom/intake.html",
        status_code=status_code,
        eenheid=schemas.AreaRef(slug=root.slug, name=root.name),
        reference=bundled_reference(),
        channels=bundled_reference().channels_for(areas.country),
        gemeenten=gemeenten,
        basisteams=list(zip(areas.slugs, areas.names, strict=True)),
        split=sorted(split),
        values=values,
        error=error,
        field_label=FIELD_LABELS.get(error.field, error.field) if error else None,
        operator=_operator(request),
    )


@router.get("/meldkamer/{eenheid}/nieuw", response_class=HTMLResponse)
@releasing
def intake_page(request: Request, session: SessionDep, eenheid: str) -> HTMLResponse:
    values = {"idempotency_key": uuid.uuid4().hex, "channel": "112"}
    return _intake_form(request, session, eenheid, values)


def _number(text: str | None, field: str) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        number = float(text.replace(",", "."))
    except ValueError as exc:
        raise InputError(field, _("geen getal")) from exc
    if not math.isfinite(number):
        raise InputError(field, _("geen eindig getal"))
    return number


def _priority(text: str) -> int | None:
    """The form's priority: empty (the category's), or 1, 2 or 3 (not abc, not 1.5)."""
    if not text:
        return None
    if text not in ("1", "2", "3"):
        raise InputError("priority", _(schemas.PRIORITY_MESSAGE))
    return int(text)


FormText = Annotated[str, Form()]


@router.post("/meldkamer/{eenheid}/nieuw", response_class=HTMLResponse)
@releasing
def intake_submit(
    request: Request,
    session: SessionDep,
    eenheid: str,
    channel: FormText = "",
    category: FormText = "",
    priority: FormText = "",
    gemeente: FormText = "",
    basisteam: FormText = "",
    address: FormText = "",
    lat: FormText = "",
    lon: FormText = "",
    caller_name: FormText = "",
    caller_phone: FormText = "",
    notes: FormText = "",
    idempotency_key: FormText = "",
) -> Response:
    values = {
        "channel": channel,
        "category": category,
        "priority": priority,
        "gemeente": gemeente,
        "basisteam": basisteam,
        "address": address,
        "lat": lat,
        "lon": lon,
        "caller_name": caller_name,
        "caller_phone": caller_phone,
        "notes": notes,
        "idempotency_key": idempotency_key,
    }
    operator = _operator(request)
    text = {name: value.strip() for name, value in values.items()}
    try:
        data = schemas.IncidentIn(
            eenheid=eenheid,
            channel=text["channel"],
            category=text["category"],
            priority=_priority(text["priority"]),
            gemeente=text["gemeente"],
            basisteam=text["basisteam"] or None,
            address=text["address"] or None,
            lat=_number(text["lat"], "lat"),
            lon=_number(text["lon"], "lon"),
            caller_name=text["caller_name"] or None,
            caller_phone=text["caller_phone"] or None,
            notes=text["notes"] or None,
            idempotency_key=text["idempotency_key"] or None,
        )
        incident, _new = service.intake(session, data=data, actor=operator)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "form"
        error = InputError(field, dutch_message(first))
        return _intake_form(request, session, eenheid, values, error, status_code=422)
    except InputError as error:
        return _intake_form(request, session, eenheid, values, error, status_code=422)
    response = RedirectResponse(f"/meldkamer/meldingen/{incident.id}", status_code=303)
    return response


def _incident_page(
    request: Request,
    session: Session,
    incident_id: int,
    error: str | None = None,
    status_code: int = 200,
    template: str = "controlroom/incident.html",
) -> HTMLResponse:
    """The incident page, or (``_incident.html``) its part that polls itself: that part
    leaves the caller's name and phone out, so a poll is no read of personal data."""
    incident = queries.incident_detail(session, incident_id=incident_id)
    if template == "controlroom/incident.html":
        incident = audit_caller_reads(session, [incident])[0]
    advice = None
    if incident.status != "afgesloten":
        advice = advise(session, incident_id=incident_id, limit=LISTED)
    now = utc_now()
    return render(
        request,
        template,
        status_code=status_code,
        poll=POLL_SECONDS,
        now=now,
        close_reasons=bundled_reference().close_reasons,
        reference=bundled_reference(),
        incident=incident,
        advice=advice,
        timeline=queries.timeline(session, incident_id=incident_id),
        transitions=service.TRANSITIONS,
        age=minutes_between(incident.received_at, incident.cleared_at or now),
        intervals=[
            (
                N_("melding → uitgifte"),
                minutes_between(incident.received_at, incident.dispatched_at),
            ),
            (
                N_("uitgifte → ter plaatse"),
                minutes_between(incident.dispatched_at, incident.arrived_at),
            ),
            (N_("melding → ter plaatse (aanrijdtijd)"), incident.response_minutes),
            (
                N_("ter plaatse → afgesloten"),
                minutes_between(incident.arrived_at, incident.cleared_at),
            ),
        ],
        error=error,
    )


@router.get("/meldkamer/meldingen/{incident_id}", response_class=HTMLResponse)
@releasing
def incident_page(request: Request, session: SessionDep, incident_id: int) -> HTMLResponse:
    return _incident_page(request, session, incident_id)


@router.get("/meldkamer/meldingen/{incident_id}/deel", response_class=HTMLResponse)
@releasing
def incident_partial(request: Request, session: SessionDep, incident_id: int) -> HTMLResponse:
    """The live part of the incident page (htmx polls it every POLL_SECONDS)."""
    return _incident_page(request, session, incident_id, template="controlroom/_incident.html")


def _after(request: Request, session: Session, incident_id: int, action: Any) -> Response:
    try:
        action()
    except (ConflictError, InputError) as exc:
        session.rollback()
        status = 422 if isinstance(exc, InputError) else 409
        return _incident_page(request, session, incident_id, refusal(exc), status)
    return RedirectResponse(f"/meldkamer/meldingen/{incident_id}", status_code=303)


@router.post("/meldkamer/meldingen/{incident_id}/toewijzen", response_class=HTMLResponse)
@releasing
def assign(
    request: Request,
    session: SessionDep,
    incident_id: int,
    unit: Annotated[str, Form()],
    divert: Annotated[bool, Form()] = False,
) -> Response:
    return _after(
        request,
        session,
        incident_id,
        lambda: service.assign(
            session,
            incident_id=incident_id,
            call_sign=unit,
            actor=_operator(request),
            divert=divert,
        ),
    )


@router.post("/meldkamer/meldingen/{incident_id}/afsluiten", response_class=HTMLResponse)
@releasing
def close(
    request: Request,
    session: SessionDep,
    incident_id: int,
    reason: Annotated[str, Form(max_length=CLOSE_REASON_MAX)] = "",
    note: Annotated[str, Form(max_length=CLOSE_NOTE_MAX)] = "",
) -> Response:
    """Close an incident; without any unit ever on scene only with a reason."""
    return _after(
        request,
        session,
        incident_id,
        lambda: closing.close_incident(
            session,
            incident_id=incident_id,
            actor=_operator(request),
            reason=reason.strip() or None,
            note=note,
        ),
    )


@router.post("/meldkamer/meldingen/{incident_id}/status", response_class=HTMLResponse)
@releasing
def unit_status(
    request: Request,
    session: SessionDep,
    incident_id: int,
    unit: Annotated[str, Form()],
    status: Annotated[str, Form()],
) -> Response:
    return _after(
        request,
        session,
        incident_id,
        lambda: service.set_status(
            session,
            call_sign=unit,
            status=status,
            actor=_operator(request),
            incident_id=incident_id,  # the job on this page: never another one
        ),
    )


@router.post("/meldkamer/{eenheid}/eenheden/status", response_class=HTMLResponse)
@releasing
def board_unit_status(
    request: Request,
    session: SessionDep,
    eenheid: str,
    unit: Annotated[str, Form()],
    status: Annotated[str, Form()],
) -> Response:
    """Status buttons on the board (in/uit dienst, beschikbaar): only for this board's units
    (the access check is on the eenheid of the path; the unit must be one of it)."""
    try:
        if (
            queries.get_unit(session, call_sign=unit).eenheid_id
            != get_eenheid(session, slug=eenheid).id
        ):
            raise InputError("unit", _("{unit} hoort niet bij deze meldkamer", unit=unit[:30]))
        service.set_status(session, call_sign=unit, status=status, actor=_operator(request))
    except (ConflictError, InputError) as exc:
        session.rollback()
        board = queries.board(session, eenheid=eenheid)
        return render(
            request,
            "controlroom/board.html",
            status_code=409,
            board=board,
            poll=POLL_SECONDS,
            error=refusal(exc),
        )
    return RedirectResponse(f"/meldkamer/{eenheid}", status_code=303)


router.include_router(kpi_pages.router)  # response times (nested: declares its access)
router.include_router(unit_pages.router)  # the meldkamer's units (nested: declares its access)
