"""The citizen's pages (Dutch): registration, the guided online aangifte, the receipt, the
citizen's own dossiers with their status, timeline, questions and added information.

Step 1 (public) asks the eligibility questions and stores nothing: happening now or danger
sends the citizen to 112, a known suspect or violence to the desk or 0900-8844, a victim
under 13 to the parents' route. Steps 2 and 3 (logged in as burger) choose the kind of
report and fill in what, when, where and the goods; the form's draft lives in the browser's
sessionStorage (``static/portal.js``) until it is sent."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.common.i18n import _
from korps.db.session import SessionDep
from korps.identity.deps import (
    PUBLIC,
    CurrentUser,
    cookie_secure,
    require,
    start_browser_session,
)
from korps.identity.errors import IdentityError
from korps.identity.service import create_user, grant
from korps.organisation.models import Gemeente
from korps.portal import attachments, feedback, service, workflow
from korps.portal.errors import PortalInputError
from korps.portal.reference import portal_reference
from korps.portal.schemas import QUESTIONS, assess, check_aangifte, local_today
from korps.web.templating import render

public_router = APIRouter(include_in_schema=False, dependencies=[Depends(PUBLIC)])
router = APIRouter(include_in_schema=False, dependencies=[Depends(require("burger"))])
Text = Annotated[str, Form(max_length=256)]
LongText = Annotated[str, Form()]  # length checked by the service, with a message on the field
CHECKED_COOKIE = "korps_aangifte_toets"  # the eligibility questions were answered "nee"
CHECKED_SECONDS = 2 * 3600


@public_router.get("/aangifte", response_class=HTMLResponse)
def start_page(request: Request) -> HTMLResponse:
    return render(request, "portal/start.html", questions=QUESTIONS, answers={}, errors={})


@public_router.post("/aangifte/toets", response_class=HTMLResponse, response_model=None)
def check_eligibility(
    request: Request,
    nu: Text = "",
    gevaar: Text = "",
    dader_bekend: Text = "",
    geweld: Text = "",
    onder_13: Text = "",
) -> Response:
    """Step 1: nothing of these answers is stored, whatever they are."""
    answers = {
        "nu": nu,
        "gevaar": gevaar,
        "dader_bekend": dader_bekend,
        "geweld": geweld,
        "onder_13": onder_13,
    }
    partial = "HX-Request" in request.headers
    try:
        verdict = assess(answers)
    except PortalInputError as exc:
        name = "portal/_questions.html" if partial else "portal/start.html"
        return render(
            request, name, status_code=422, questions=QUESTIONS, answers=answers, errors=exc.errors
        )
    if verdict.outcome == "online":
        target = "/aangifte/soort"
        response: Response = (
            Response(status_code=204, headers={"HX-Redirect": target})
            if partial
            else RedirectResponse(target, status_code=303)
        )
        response.set_cookie(
            CHECKED_COOKIE, "ja", max_age=CHECKED_SECONDS, httponly=True, samesite="lax",
            secure=cookie_secure(request), path="/aangifte",
        )  # fmt: skip
        return response
    name = "portal/_verdict.html" if partial else "portal/verdict.html"
    return render(request, name, verdict=verdict)


def _unchecked(request: Request) -> Response | None:
    """The steps after the eligibility questions send a citizen who skipped them back to
    step 1 (guidance: the cookie only says the questions were answered "nee", no more)."""
    if request.cookies.get(CHECKED_COOKIE) == "ja":
        return None
    return RedirectResponse("/aangifte", status_code=303)


@router.get("/aangifte/soort", response_class=HTMLResponse, response_model=None)
def category_page(request: Request) -> Response:
    return _unchecked(request) or render(
        request, "portal/category.html", reference=portal_reference()
    )


def _gemeenten(session: Session) -> list[str]:
    return list(session.scalars(select(Gemeente.name).order_by(Gemeente.name)))


def render_form(
    request: Request,
    session: Session,
    values: dict[str, str],
    goods: list[tuple[str, str, str]],
    errors: dict[str, str],
    status_code: int = 200,
    intake: list[tuple[str, str]] | None = None,
    action: str = "/aangifte/nieuw",
) -> HTMLResponse:
    """The aangifte form (the whole page, or only the form for htmx after a refusal);
    ``intake`` (the channels) makes it the staff's form on behalf of a citizen."""
    reference = portal_reference()
    rows = goods + [("", "", "")] * max(0, 3 - len(goods))
    partial = "HX-Request" in request.headers and status_code == 422
    return render(
        request,
        "portal/_form.html" if partial else "portal/form.html",
        status_code=status_code,
        reference=reference,
        category=reference.category(values.get("categorie", "")),
        values=values,
        goods=rows,
        errors=errors,
        gemeenten=_gemeenten(session),
        today=local_today(service.utc_now()).isoformat(),
        intake=bool(intake),
        channels=intake or [],
        action=action,
    )


def goods_of(
    what: list[str] | None, value: list[str] | None, ident: list[str] | None
) -> list[tuple[str, str, str]]:
    """The goods table's columns as rows (at most 50 read)."""
    what, value, ident = what or [], value or [], ident or []
    size = min(max(len(what), len(value), len(ident)), 50)

    def cell(column: list[str], i: int) -> str:
        return column[i] if i < len(column) else ""

    return [(cell(what, i), cell(value, i), cell(ident, i)) for i in range(size)]


@router.get("/aangifte/nieuw", response_class=HTMLResponse, response_model=None)
def form_page(request: Request, session: SessionDep, categorie: str = "") -> Response:
    return _unchecked(request) or render_form(
        request, session, {"categorie": categorie[:40]}, [], {}
    )


@router.post("/aangifte/nieuw", response_class=HTMLResponse, response_model=None)
def submit(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    categorie: Text = "",
    datum: Text = "",
    gemeente: Text = "",
    adres: Text = "",
    lat: Text = "",
    lon: Text = "",
    omschrijving: LongText = "",
    goed_omschrijving: Annotated[list[str] | None, Form()] = None,
    goed_waarde: Annotated[list[str] | None, Form()] = None,
    goed_kenmerk: Annotated[list[str] | None, Form()] = None,
) -> Response:
    values = {
        "categorie": categorie,
        "datum": datum,
        "gemeente": gemeente,
        "adres": adres,
        "lat": lat,
        "lon": lon,
        "omschrijving": omschrijving,
    }
    goods = goods_of(goed_omschrijving, goed_waarde, goed_kenmerk)
    now = service.utc_now()
    try:
        data = check_aangifte(values, goods, reference=portal_reference(), today=local_today(now))
        dossier = service.file_dossier(session, reporter=me, data=data, now=now)
        session.commit()
    except PortalInputError as exc:
        session.rollback()
        shown = {**values, "omschrijving": omschrijving[:6000]}
        return render_form(request, session, shown, goods[:20], exc.errors, status_code=422)
    mailed = workflow.notify(session, dossier=dossier)
    target = f"/mijn/dossiers/{dossier.number}/ontvangstbewijs" + ("" if mailed else "?mail=0")
    if "HX-Request" in request.headers:
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.get("/mijn/dossiers", response_class=HTMLResponse)
def my_dossiers(request: Request, session: SessionDep, me: CurrentUser) -> HTMLResponse:
    dossiers = service.own_dossiers(session, principal=me)
    return render(request, "portal/mine.html", dossiers=dossiers, reference=portal_reference())


@router.get("/mijn/dossiers/{number}/ontvangstbewijs", response_class=HTMLResponse)
def receipt(request: Request, session: SessionDep, me: CurrentUser, number: str) -> HTMLResponse:
    dossier = service.citizen_dossier(session, principal=me, number=number)
    shown = service.names(
        session, unit_ids={dossier.team_id}, gemeente_codes={dossier.gemeente_code}
    )
    return render(
        request,
        "portal/receipt.html",
        dossier=dossier,
        names=shown,
        reference=portal_reference(),
        reporter=me,
    )


def dossier_page_with_errors(
    request: Request,
    session: Session,
    me: CurrentUser,
    number: str,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    dossier = service.citizen_dossier(session, principal=me, number=number)
    reference = portal_reference()
    entries = service.timeline(session, dossier=dossier, public_only=True)
    shown = service.names(
        session, unit_ids={dossier.team_id}, gemeente_codes={dossier.gemeente_code}
    )
    return render(
        request,
        "portal/dossier.html",
        status_code=status_code,
        dossier=dossier,
        status=reference.status(dossier.status),
        reference=reference,
        entries=entries,
        names=shown,
        files=attachments.of_dossier(session, dossier=dossier),
        feedback=feedback.of_dossier(session, dossier=dossier),
        limits=(attachments.MAX_FILES, attachments.MAX_BYTES // (1024 * 1024)),
        errors=errors or {},
    )


@router.get("/mijn/dossiers/{number}", response_class=HTMLResponse)
def dossier_page(request: Request, session: SessionDep, me: CurrentUser, number: str) -> Response:
    return dossier_page_with_errors(request, session, me, number)


def _citizen_adds(
    request: Request, session: Session, me: CurrentUser, number: str, kind: str, text: str
) -> Response:
    dossier = service.citizen_dossier(session, principal=me, number=number, audit_read=False)
    try:
        workflow.citizen_moves(session, principal=me, dossier=dossier, kind=kind, text=text)
        session.commit()
    except PortalInputError as exc:
        session.rollback()
        return dossier_page_with_errors(request, session, me, number, exc.errors, status_code=422)
    return RedirectResponse(f"/mijn/dossiers/{number}?{urlencode({'ok': kind})}", status_code=303)


@router.post("/mijn/dossiers/{number}/antwoord", response_class=HTMLResponse, response_model=None)
def answer(
    request: Request, session: SessionDep, me: CurrentUser, number: str, antwoord: LongText = ""
) -> Response:
    return _citizen_adds(request, session, me, number, "antwoord", antwoord)


@router.post("/mijn/dossiers/{number}/aanvulling", response_class=HTMLResponse, response_model=None)
def add_information(
    request: Request, session: SessionDep, me: CurrentUser, number: str, aanvulling: LongText = ""
) -> Response:
    return _citizen_adds(request, session, me, number, "aanvulling", aanvulling)


@router.post(
    "/mijn/dossiers/{number}/tevredenheid", response_class=HTMLResponse, response_model=None
)
def give_feedback(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    number: str,
    tevreden: Text = "",
    cijfer: Text = "",
    toelichting: LongText = "",
    heropenen: Text = "",
) -> Response:
    dossier = service.citizen_dossier(session, principal=me, number=number, audit_read=False)
    try:
        feedback.give(
            session, principal=me, dossier=dossier, satisfied=tevreden, score=cijfer,
            text=toelichting, reopen=heropenen == "ja",
        )  # fmt: skip
        session.commit()
    except PortalInputError as exc:
        session.rollback()
        return dossier_page_with_errors(request, session, me, number, exc.errors, status_code=422)
    return RedirectResponse(f"/mijn/dossiers/{number}?ok=tevredenheid", status_code=303)


@public_router.get("/registreren", response_class=HTMLResponse)
def register_page(request: Request) -> HTMLResponse:
    return render(request, "portal/register.html", values={}, error=None)


@public_router.post("/registreren", response_class=HTMLResponse, response_model=None)
def register(
    request: Request,
    session: SessionDep,
    gebruikersnaam: Text = "",
    naam: Text = "",
    email: Text = "",
    wachtwoord: Text = "",
    herhaling: Text = "",
) -> Response:
    """A citizen's account (kind burger, role burger, no unit), logged in at once."""
    values = {"gebruikersnaam": gebruikersnaam, "naam": naam, "email": email}
    try:
        if wachtwoord != herhaling:
            raise IdentityError(_("de twee wachtwoorden zijn niet gelijk"))
        if not email.strip():
            raise IdentityError(_("vul uw e-mailadres in: daarheen sturen wij bericht bij nieuws"))
        user = create_user(
            session,
            username=gebruikersnaam,
            name=naam,
            email=email,
            kind="burger",
            password=wachtwoord,
            actor="registratie",
        )
        grant(session, username=user.username, role="burger", unit=None, actor="registratie")
        session.commit()
    except IdentityError as exc:
        session.rollback()
        return render(
            request, "portal/register.html", status_code=422, values=values, error=str(exc)
        )
    return start_browser_session(request, session, user=user, volgende="/aangifte")
