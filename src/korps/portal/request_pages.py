"""The request pages (Dutch): the kinds of request besides a report (public list) and the
form of each (logged in as burger). A sent request is a dossier: the citizen gets the same
receipt and follows it under "mijn dossiers"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from korps.common.i18n import _
from korps.db.session import SessionDep
from korps.identity.deps import PUBLIC, CurrentUser, require
from korps.organisation.service import NotFoundError
from korps.portal import requests, service, workflow
from korps.portal.errors import PortalInputError
from korps.portal.intake_pages import _channels as intake_channels
from korps.portal.intake_pages import _reporter as intake_reporter
from korps.portal.intake_pages import registered
from korps.portal.models import Entry
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
        raise NotFoundError(_("onbekende soort verzoek"))
    return kind


def _form(
    request: Request,
    session: Session,
    kind: requests.Kind,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    intake: bool = False,
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
        channels=intake_channels() if intake else [],
        action=f"/team/verzoek/{kind.category}" if intake else f"/verzoek/{kind.category}",
    )


def request_fields(
    gemeente: Text = "",
    adres: Text = "",
    van: Text = "",
    tot: Text = "",
    telefoon: Text = "",
    contact: Text = "",
    datum: Text = "",
    kenmerk: Text = "",
    omschrijving: LongText = "",
) -> dict[str, str]:
    """The request form's fields (which of them a kind uses: ``Kind.fields``)."""
    return {"gemeente": gemeente, "adres": adres, "van": van, "tot": tot,
            "telefoon": telefoon, "contact": contact, "datum": datum, "kenmerk": kenmerk,
            "omschrijving": omschrijving}  # fmt: skip


Fields = Annotated[dict[str, str], Depends(request_fields)]


def _refused(
    request: Request, session: Session, kind: requests.Kind, values: dict[str, str],
    exc: PortalInputError, intake: bool = False,
) -> HTMLResponse:  # fmt: skip
    session.rollback()
    shown = {**values, "omschrijving": values.get("omschrijving", "")[:6000]}
    return _form(request, session, kind, shown, exc.errors, status_code=422, intake=intake)


@router.get("/verzoek/{soort}", response_class=HTMLResponse)
def form_page(request: Request, session: SessionDep, soort: str) -> HTMLResponse:
    return _form(request, session, _kind(soort), {}, {})


@router.post("/verzoek/{soort}", response_class=HTMLResponse, response_model=None)
def submit(
    request: Request, session: SessionDep, me: CurrentUser, soort: str, values: Fields
) -> Response:
    kind = _kind(soort)
    try:
        data = requests.check_request(values, kind=kind, today=local_today(service.utc_now()))
        dossier = requests.file_request(session, reporter=me, kind=kind, data=data)
        session.commit()
    except PortalInputError as exc:
        return _refused(request, session, kind, values, exc)
    mailed = workflow.notify(session, dossier=dossier)
    target = f"/mijn/dossiers/{dossier.number}/ontvangstbewijs" + ("" if mailed else "?mail=0")
    return RedirectResponse(target, status_code=303)


@team_router.get("/team/verzoek/{soort}", response_class=HTMLResponse)
def intake_page(request: Request, session: SessionDep, soort: str) -> HTMLResponse:
    return _form(request, session, _kind(soort), {"kanaal": "balie"}, {}, intake=True)


@team_router.post("/team/verzoek/{soort}", response_class=HTMLResponse, response_model=None)
def intake_submit(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    soort: str,
    values: Fields,
    kanaal: Text = "",
    melder_naam: Text = "",
    melder_email: Text = "",
) -> Response:
    """Staff register a request on behalf of a citizen (desk, 0900-8844, 101): the same
    checks and handler as online; the citizen's account found by e-mail or made."""
    kind = _kind(soort)
    shown = {**values, "kanaal": kanaal, "melder_naam": melder_naam, "melder_email": melder_email}
    now = service.utc_now()
    try:
        if kanaal not in dict(intake_channels()):
            raise PortalInputError.one("kanaal", _("kies balie, 0900-8844 of 101"))
        data = requests.check_request(values, kind=kind, today=local_today(now))
        reporter = intake_reporter(session, name=melder_naam, email=melder_email,
                                   actor=me.username)  # fmt: skip
        dossier = requests.file_request(
            session, reporter=reporter, kind=kind, data=data, channel=kanaal
        )
        session.add(Entry(dossier_id=dossier.id, at=now, kind="registratie", side="team",
                          author_id=me.user_id, text=f"geregistreerd via {kanaal}",
                          public=False))  # fmt: skip
        session.commit()
    except PortalInputError as exc:
        return _refused(request, session, kind, shown, exc, intake=True)
    return registered(request, session, me=me, dossier=dossier)


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
    return registered(request, session, me=me, dossier=task,
                      other=f"/team/dossiers/{number}?ok=hercontact")  # fmt: skip
