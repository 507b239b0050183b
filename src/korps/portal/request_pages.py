"""The request pages (Dutch): the kinds of request besides a report (public list) and the
form of each (logged in as burger). A sent request is a dossier: the citizen gets the same
receipt and follows it under "mijn dossiers"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.db.session import SessionDep
from korps.identity.deps import PUBLIC, CurrentUser, require
from korps.identity.roles import allows
from korps.organisation.models import Unit
from korps.organisation.service import NotFoundError
from korps.portal import requests, service, workflow
from korps.portal.errors import PortalInputError
from korps.portal.pages import _gemeenten
from korps.portal.reference import portal_reference
from korps.portal.schemas import local_today
from korps.portal.team_pages import _page as team_page
from korps.web.templating import render

public_router = APIRouter(include_in_schema=False, dependencies=[Depends(PUBLIC)])
router = APIRouter(include_in_schema=False, dependencies=[Depends(require("burger"))])
team_router = APIRouter(include_in_schema=False, dependencies=[Depends(require(*service.STAFF))])
Text = Annotated[str, Form(max_length=256)]
LongText = Annotated[str, Form()]  # length checked by the service, with a message on the field


@public_router.get("/verzoek", response_class=HTMLResponse)
def kinds_page(request: Request) -> HTMLResponse:
    return render(
        request, "portal/requests.html", table=requests.request_table(),
        reference=portal_reference(),
    )  # fmt: skip


def _kind(soort: str) -> requests.Kind:
    kind = requests.request_table().kind(soort[:40])
    if kind is None:
        raise NotFoundError("onbekende soort verzoek")
    return kind


def _form(
    request: Request,
    session: Session,
    kind: requests.Kind,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    today = local_today(service.utc_now())
    return render(
        request,
        "portal/request_form.html",
        status_code=status_code,
        kind=kind,
        category=portal_reference().category(kind.category),
        contact_by=requests.CONTACT_BY,
        values=values,
        errors=errors,
        gemeenten=_gemeenten(session),
        today=today.isoformat(),
    )


@router.get("/verzoek/{soort}", response_class=HTMLResponse)
def form_page(request: Request, session: SessionDep, soort: str) -> HTMLResponse:
    return _form(request, session, _kind(soort), {}, {})


@router.post("/verzoek/{soort}", response_class=HTMLResponse, response_model=None)
def submit(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    soort: str,
    gemeente: Text = "",
    adres: Text = "",
    van: Text = "",
    tot: Text = "",
    telefoon: Text = "",
    contact: Text = "",
    datum: Text = "",
    kenmerk: Text = "",
    omschrijving: LongText = "",
) -> Response:
    kind = _kind(soort)
    values = {"gemeente": gemeente, "adres": adres, "van": van, "tot": tot,
              "telefoon": telefoon, "contact": contact, "datum": datum, "kenmerk": kenmerk,
              "omschrijving": omschrijving}  # fmt: skip
    try:
        data = requests.check_request(values, kind=kind, today=local_today(service.utc_now()))
        dossier = requests.file_request(session, reporter=me, kind=kind, data=data)
        session.commit()
    except PortalInputError as exc:
        session.rollback()
        shown = {**values, "omschrijving": omschrijving[:6000]}
        return _form(request, session, kind, shown, exc.errors, status_code=422)
    mailed = workflow.notify(session, dossier=dossier)
    target = f"/mijn/dossiers/{dossier.number}/ontvangstbewijs" + ("" if mailed else "?mail=0")
    return RedirectResponse(target, status_code=303)


@team_router.post(
    "/team/dossiers/{number}/hercontact", response_class=HTMLResponse, response_model=None
)
def plan_follow_up(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    number: str,
    contact: Text = "",
    omschrijving: LongText = "",
) -> Response:
    """Staff plan a hercontact with the reporter after an intervention (a task in the queue
    of the unit that handles it); a refusal goes back with its message."""
    dossier = service.staff_dossier(session, principal=me, number=number, audit_read=False)
    try:
        task = requests.follow_up(
            session, principal=me, dossier=dossier, text=omschrijving, contact_by=contact
        )
        session.commit()
    except PortalInputError as exc:
        session.rollback()
        return team_page(request, session, me, number, exc.errors, status_code=422)
    team_path = session.scalar(select(Unit.path).where(Unit.id == task.team_id))
    if allows(me, service.STAFF, team_path):
        return RedirectResponse(f"/team/dossiers/{task.number}?ok=hercontact", 303)
    return RedirectResponse(f"/team/dossiers/{number}?ok=hercontact", 303)
