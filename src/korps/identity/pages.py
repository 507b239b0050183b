"""Login, the second factor, logout, password reset and the user's own account pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from korps.common.i18n import LANGUAGES, _
from korps.db.session import SessionDep
from korps.identity import sessions, tokens, totp
from korps.identity.deps import (
    PUBLIC,
    SESSION_COOKIE,
    Access,
    CurrentUser,
    LoginRequired,
    client_address,
    identify,
    local_target,
    release,
    start_browser_session,
)
from korps.identity.errors import IdentityError, LoginRefused
from korps.identity.mail import MailError
from korps.identity.models import LoginSession, User
from korps.identity.service import choose_language
from korps.web.templating import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=256)]


_local = local_target


class PendingLogin(Access):
    """A session between the password and the second factor (or its enrolment)."""

    def describe(self) -> str:
        return "pending"

    def __call__(self, request: Request, session: SessionDep) -> tuple[LoginSession, User]:
        try:
            identify(request, session)
            row: LoginSession | None = request.state.login_session
            user = session.get(User, row.user_id) if row is not None else None
        finally:
            release(session)
        if row is None or user is None:
            raise LoginRequired()
        return row, user


PENDING = PendingLogin()
Pending = Annotated[tuple[LoginSession, User], Depends(PENDING)]


@router.get("/aanmelden", response_class=HTMLResponse, dependencies=[Depends(PUBLIC)])
def login_page(request: Request, volgende: str = "/") -> HTMLResponse:
    oidc = getattr(request.app.state, "oidc", None) is not None
    return render(
        request, "identity/login.html", error=None, volgende=_local(volgende), oidc_enabled=oidc
    )


@router.post(
    "/aanmelden", response_class=HTMLResponse, response_model=None, dependencies=[Depends(PUBLIC)]
)
def login(
    request: Request,
    session: SessionDep,
    gebruikersnaam: Text,
    wachtwoord: Text,
    volgende: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    try:
        user = sessions.check_password(
            session, username=gebruikersnaam, password=wachtwoord, address=client_address(request)
        )
    except LoginRefused as exc:
        session.rollback()
        return render(
            request,
            "identity/login.html",
            status_code=401,
            error=str(exc),
            volgende=_local(volgende),
            oidc_enabled=getattr(request.app.state, "oidc", None) is not None,
        )
    return start_browser_session(request, session, user=user, volgende=volgende)


@router.get("/aanmelden/totp", response_class=HTMLResponse)
def totp_page(request: Request, pending: Pending) -> Response:
    if pending[0].pending != "totp":
        return RedirectResponse("/", status_code=303)
    return render(request, "identity/totp.html", error=None)


@router.post("/aanmelden/totp", response_class=HTMLResponse, response_model=None)
def totp_submit(
    request: Request,
    session: SessionDep,
    pending: Pending,
    code: Annotated[str, Form(max_length=40)],
) -> Response:
    row, user = pending
    if row.pending != "totp":
        return RedirectResponse("/", status_code=303)
    ok = totp.verify(session, user=user, code=code) or totp.use_recovery_code(
        session, user=user, code=code
    )
    if not ok:
        session.commit()
        return render(
            request,
            "identity/totp.html",
            status_code=401,
            error=_("de code klopt niet of is al gebruikt"),
        )
    sessions.complete(session, row=row, user=user)
    return RedirectResponse("/", status_code=303)


@router.get("/account/totp", response_class=HTMLResponse)
def enrol_page(request: Request, session: SessionDep, pending: Pending) -> HTMLResponse:
    _row, user = pending
    uri = totp.begin_enrolment(session, user=user)
    return render(
        request, "identity/enrol.html", error=None, qr=totp.qr_svg(uri), secret=user.totp_secret
    )


@router.post("/account/totp", response_class=HTMLResponse, response_model=None)
def enrol_submit(
    request: Request,
    session: SessionDep,
    pending: Pending,
    code: Annotated[str, Form(max_length=40)],
) -> Response:
    row, user = pending
    try:
        codes = totp.finish_enrolment(session, user=user, code=code)
    except IdentityError as exc:
        uri = totp.provisioning_uri(user)
        return render(
            request,
            "identity/enrol.html",
            status_code=422,
            error=str(exc),
            qr=totp.qr_svg(uri),
            secret=user.totp_secret,
        )
    if row.pending is not None:
        sessions.complete(session, row=row, user=user)
    return render(request, "identity/recovery.html", codes=codes)


@router.post("/afmelden", response_model=None)
def logout(request: Request, session: SessionDep, pending: Pending) -> Response:
    sessions.end(session, row=pending[0], reason="afgemeld")
    response = RedirectResponse("/aanmelden?afgemeld=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, session: SessionDep, me: CurrentUser) -> HTMLResponse:
    return _account(request, session, me.user_id, message=None, error=None)


def _account(
    request: Request,
    session: SessionDep,
    user_id: int,
    *,
    message: str | None,
    error: str | None,
    token_value: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    user = session.get(User, user_id)
    return render(
        request,
        "identity/account.html",
        status_code=status_code,
        user=user,
        grants=list(user.grants) if user else [],
        sessions=sessions.list_sessions(session, user_id=user_id),
        current_session=getattr(request.state.login_session, "id", None),
        api_tokens=tokens.list_api_tokens(session, user_id=user_id),
        message=message,
        error=error,
        token_value=token_value,
        languages=LANGUAGES,
    )


@router.post("/account/sessies/{session_id}/beeindigen", response_model=None)
def end_session(
    request: Request, session: SessionDep, me: CurrentUser, session_id: int
) -> Response:
    try:
        sessions.end_session_of(session, user_id=me.user_id, session_id=session_id)
    except LoginRefused as exc:
        return _account(request, session, me.user_id, message=None, error=str(exc), status_code=404)
    return RedirectResponse("/account", status_code=303)


@router.post("/account/taal", response_class=HTMLResponse, response_model=None)
def change_language(
    request: Request, session: SessionDep, me: CurrentUser, taal: Annotated[str, Form(max_length=8)]
) -> Response:
    """The account's language: these pages from now on, and every e-mail to the user."""
    user = session.get(User, me.user_id)
    assert user is not None
    try:
        picked = choose_language(session, user=user, locale=taal, actor=user.username)
    except IdentityError as exc:
        return _account(request, session, me.user_id, message=None, error=str(exc), status_code=422)
    session.commit()
    return RedirectResponse(f"/account?lang={picked}", status_code=303)


@router.post("/account/wachtwoord", response_class=HTMLResponse, response_model=None)
def change_password(
    request: Request, session: SessionDep, me: CurrentUser, huidig: Text, nieuw: Text
) -> Response:
    user = session.get(User, me.user_id)
    assert user is not None
    from korps.identity.passwords import verify_password

    if not verify_password(user.password_hash, huidig):
        return _account(
            request,
            session,
            me.user_id,
            message=None,
            error=_("het huidige wachtwoord klopt niet"),
            status_code=422,
        )
    try:
        tokens.set_password(session, user=user, password=nieuw)
    except IdentityError as exc:
        session.rollback()
        return _account(request, session, me.user_id, message=None, error=str(exc), status_code=422)
    response = RedirectResponse("/aanmelden?wachtwoord=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    naam: Annotated[str, Form(max_length=100)],
    rol: Annotated[int, Form(ge=1, le=2**31 - 1)],
    dagen: Annotated[int, Form(ge=1, le=3650)] = 30,
) -> HTMLResponse:
    user = session.get(User, me.user_id)
    assert user is not None
    try:
        value, _token = tokens.create_api_token(
            session, user=user, grant_id=rol, name=naam, days=dagen
        )
    except IdentityError as exc:
        session.rollback()
        return _account(request, session, me.user_id, message=None, error=str(exc), status_code=422)
    return _account(
        request, session, me.user_id, message=_("Token aangemaakt."), error=None, token_value=value
    )


@router.post("/account/tokens/{token_id}/intrekken", response_model=None)
def revoke_token(request: Request, session: SessionDep, me: CurrentUser, token_id: int) -> Response:
    user = session.get(User, me.user_id)
    assert user is not None
    try:
        tokens.revoke_api_token(session, user=user, token_id=token_id)
    except IdentityError as exc:
        return _account(request, session, me.user_id, message=None, error=str(exc), status_code=404)
    return RedirectResponse("/account", status_code=303)


@router.get("/wachtwoord-vergeten", response_class=HTMLResponse, dependencies=[Depends(PUBLIC)])
def forgot_page(request: Request) -> HTMLResponse:
    return render(request, "identity/forgot.html", sent=False, error=None)


@router.post("/wachtwoord-vergeten", response_class=HTMLResponse, dependencies=[Depends(PUBLIC)])
def forgot(
    request: Request, session: SessionDep, adres: Annotated[str, Form(max_length=254)]
) -> HTMLResponse:
    try:
        tokens.request_reset(session, email_or_username=adres)
    except MailError:
        session.rollback()
        return render(
            request,
            "identity/forgot.html",
            status_code=503,
            sent=False,
            error=_("de e-mail kon nu niet worden verstuurd; probeer het later opnieuw"),
        )
    return render(request, "identity/forgot.html", sent=True, error=None)


@router.get(
    "/wachtwoord-herstellen/{token}", response_class=HTMLResponse, dependencies=[Depends(PUBLIC)]
)
def reset_page(request: Request, token: str) -> HTMLResponse:
    return render(request, "identity/reset.html", token=token[:100], error=None)


@router.post(
    "/wachtwoord-herstellen/{token}",
    response_class=HTMLResponse,
    response_model=None,
    dependencies=[Depends(PUBLIC)],
)
def reset(request: Request, session: SessionDep, token: str, nieuw: Text) -> Response:
    try:
        tokens.reset_password(session, value=token, password=nieuw)
    except IdentityError as exc:
        session.rollback()
        return render(
            request, "identity/reset.html", status_code=422, token=token[:100], error=str(exc)
        )
    return RedirectResponse("/aanmelden?wachtwoord=1", status_code=303)
