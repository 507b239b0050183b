"""User administration for the beheerder: accounts, roles on units, disable and enable."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from korps.common.i18n import _
from korps.db.session import SessionDep
from korps.identity import service
from korps.identity.deps import CurrentUser, require
from korps.identity.errors import IdentityError
from korps.identity.roles import ROLES
from korps.organisation.models import Unit
from korps.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require("beheerder"))])
Field = Annotated[str, Form(max_length=200)]


def _page(
    request: Request, session: SessionDep, *, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    units = {unit_id: slug for unit_id, slug in session.execute(select(Unit.id, Unit.slug))}
    return render(
        request,
        "identity/users.html",
        status_code=status_code,
        users=service.list_users(session),
        units=units,
        roles=ROLES,
        error=error,
        message=request.query_params.get("gedaan"),
    )


@router.get("/beheer/gebruikers", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep) -> HTMLResponse:
    return _page(request, session)


@router.post("/beheer/gebruikers", response_class=HTMLResponse, response_model=None)
def create(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    gebruikersnaam: Field,
    naam: Field,
    email: Field = "",
    soort: Field = "medewerker",
) -> Response:
    """A new account without a password: the user sets one through the reset mail."""
    try:
        service.create_user(
            session,
            username=gebruikersnaam,
            name=naam,
            email=email or None,
            kind=soort,
            actor=me.username,
        )
        session.commit()
    except IdentityError as exc:
        session.rollback()
        return _page(request, session, error=str(exc), status_code=422)
    return RedirectResponse("/beheer/gebruikers?gedaan=aangemaakt", status_code=303)


@router.post("/beheer/rollen", response_class=HTMLResponse, response_model=None)
def change_role(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    gebruikersnaam: Field,
    rol: Field,
    eenheid: Field = "",
    actie: Field = "toekennen",
) -> Response:
    try:
        if actie == "intrekken":
            service.revoke(
                session, username=gebruikersnaam, role=rol, unit=eenheid or None, actor=me.username
            )
        else:
            service.grant(
                session, username=gebruikersnaam, role=rol, unit=eenheid or None, actor=me.username
            )
        session.commit()
    except IdentityError as exc:
        session.rollback()
        return _page(request, session, error=str(exc), status_code=422)
    return RedirectResponse("/beheer/gebruikers?gedaan=rol", status_code=303)


@router.post(
    "/beheer/gebruikers/{username}/status", response_class=HTMLResponse, response_model=None
)
def change_status(
    request: Request, session: SessionDep, me: CurrentUser, username: str, uit: Field = "1"
) -> Response:
    if username == me.username:
        message = _("u kunt uw eigen account niet uitschakelen")
        return _page(request, session, error=message, status_code=422)
    try:
        service.set_disabled(session, username=username, disabled=uit == "1", actor=me.username)
        session.commit()
    except IdentityError as exc:
        session.rollback()
        return _page(request, session, error=str(exc), status_code=422)
    return RedirectResponse("/beheer/gebruikers?gedaan=status", status_code=303)
