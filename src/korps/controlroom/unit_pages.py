"""HTML pages to manage a meldkamer's units (issue #14 item 11): list them, add one, change
its kind or home basisteam, take it out of service (uit dienst) and back (beschikbaar).

Every route needs the role centralist on the eenheid the page or the unit belongs to
(``korps.identity.deps``); forms carry the CSRF token; every change is audited by the
service (``korps.controlroom.units``, ``service.set_status``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from korps.common.i18n import _
from korps.controlroom import queries, schemas, service, units
from korps.controlroom.access import eenheid_of_request, operator
from korps.controlroom.areas import areas_for, get_eenheid
from korps.controlroom.errors import ConflictError, InputError, releasing
from korps.controlroom.models import CALL_SIGN_MAX, KIND_MAX
from korps.controlroom.reference import bundled_reference
from korps.db.session import SessionDep
from korps.identity.deps import require
from korps.organisation.models import Unit
from korps.web.limits import dutch_message
from korps.web.templating import render

router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(require("centralist", unit=eenheid_of_request))],
)
Text = Annotated[str, Form(max_length=120)]


def refusal(exc: ConflictError | InputError | ValidationError) -> str:
    """A refusal as the operator reads it, the field named in Dutch."""
    if isinstance(exc, ValidationError):
        return dutch_message(exc.errors()[0])
    if isinstance(exc, InputError):
        return f"{schemas.FIELD_LABELS.get(exc.field, exc.field)}: {exc.message}"
    return str(exc)


def _page(
    request: Request,
    session: Session,
    eenheid: str,
    error: str | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    root = get_eenheid(session, slug=eenheid)
    areas = areas_for(session, eenheid=root)
    listed, _total = queries.list_units(session, eenheid=eenheid, limit=100_000)
    return render(
        request,
        "controlroom/units.html",
        status_code=status_code,
        eenheid=schemas.AreaRef(slug=root.slug, name=root.name),
        units=listed,
        basisteams=list(zip(areas.slugs, areas.names, strict=True)),
        kinds=bundled_reference().unit_kinds,
        error=error,
        values=values or {},
    )


@router.get("/meldkamer/{eenheid}/eenheden", response_class=HTMLResponse)
@releasing
def units_page(request: Request, session: SessionDep, eenheid: str) -> HTMLResponse:
    return _page(request, session, eenheid)


@router.post("/meldkamer/{eenheid}/eenheden", response_class=HTMLResponse)
@releasing
def add_unit(
    request: Request,
    session: SessionDep,
    eenheid: str,
    call_sign: Annotated[str, Form(max_length=CALL_SIGN_MAX * 2)] = "",
    basisteam: Text = "",
    kind: Annotated[str, Form(max_length=KIND_MAX * 2)] = "",
) -> Response:
    values = {"call_sign": call_sign, "basisteam": basisteam, "kind": kind}
    try:
        data = schemas.UnitIn(
            call_sign=call_sign.strip().upper(), basisteam=basisteam, kind=kind or "noodhulp"
        )
        units.create_unit(session, data=data, actor=operator(request), within=eenheid)
    except (InputError, ValidationError) as exc:
        session.rollback()
        return _page(request, session, eenheid, refusal(exc), values, status_code=422)
    return RedirectResponse(f"/meldkamer/{eenheid}/eenheden", status_code=303)


def _eenheid_slug(session: Session, call_sign: str) -> str:
    unit = queries.get_unit(session, call_sign=call_sign)
    slug = session.get(Unit, unit.eenheid_id)
    return slug.slug if slug is not None else ""


@router.post("/meldkamer/eenheden/{call_sign}/wijzigen", response_class=HTMLResponse)
@releasing
def edit_unit(
    request: Request,
    session: SessionDep,
    call_sign: str,
    basisteam: Text = "",
    kind: Annotated[str, Form(max_length=KIND_MAX * 2)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    eenheid = _eenheid_slug(session, call_sign)
    try:
        data = schemas.UnitEdit(
            basisteam=basisteam,
            kind=kind or "noodhulp",
            version=int(version) if version.isdigit() else None,
        )
        units.update_unit(session, call_sign=call_sign, data=data, actor=operator(request))
    except (ConflictError, InputError, ValidationError) as exc:
        session.rollback()
        status = 409 if isinstance(exc, ConflictError) else 422
        return _page(request, session, eenheid, refusal(exc), status_code=status)
    return RedirectResponse(f"/meldkamer/{eenheid}/eenheden", status_code=303)


@router.post("/meldkamer/eenheden/{call_sign}/dienst", response_class=HTMLResponse)
@releasing
def duty(
    request: Request,
    session: SessionDep,
    call_sign: str,
    status: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """In or out of service: ``uit_dienst`` (from free) or ``beschikbaar`` (from uit dienst)."""
    eenheid = _eenheid_slug(session, call_sign)
    try:
        if status not in ("uit_dienst", "beschikbaar"):
            raise InputError("status", _("kies uit dienst of beschikbaar"))
        service.set_status(session, call_sign=call_sign, status=status, actor=operator(request))
    except (ConflictError, InputError) as exc:
        session.rollback()
        return _page(request, session, eenheid, refusal(exc), status_code=409)
    return RedirectResponse(f"/meldkamer/{eenheid}/eenheden", status_code=303)
