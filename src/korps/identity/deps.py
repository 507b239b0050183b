"""Who is calling, and what a route needs: the one way every route declares access.

* ``Public`` routes are open to anyone (the registry's published pages and figures).
* ``require(*roles, unit=...)`` needs a logged-in user with one of ``roles`` on a unit that
  covers the one the route is about (``unit`` turns the request into that unit's path; None:
  any unit). A page sends an anonymous visitor to the login page; the API answers 401.
* ``Authenticated`` needs any logged-in user (their own account pages).

A caller is known by the session cookie (browser) or a bearer API token (scripts); nothing
else a client sends (a header, a form field, a cookie with a name) is taken as identity.
Every state-changing request from a browser carries the CSRF token (form field or
``X-CSRF-Token`` header) that matches its CSRF cookie.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.audit.service import Context, acting, attribute
from korps.common.i18n import LOCALE_COOKIE, LOCALE_COOKIE_AGE, _, chosen
from korps.db.session import SessionDep, reading
from korps.identity.errors import CsrfRefused, Forbidden, LoginRequired
from korps.identity.models import User
from korps.identity.roles import Principal, allows
from korps.identity.service import choose_language, principal_of
from korps.identity.sessions import open_session, resolve, second_factor_state
from korps.identity.tokens import token_principal
from korps.organisation.models import Unit
from korps.organisation.service import NotFoundError

SESSION_COOKIE = "korps_sessie"
CSRF_COOKIE = "korps_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

UnitOf = Callable[[Request, Session], str | None]  # the path of the unit a request is about


def client_address(request: Request) -> str:
    return (request.client.host if request.client else "onbekend")[:64]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def identify(request: Request, session: Session) -> Principal | None:
    """The caller of this request (cached on it); a session that still awaits its second
    factor identifies nobody (``request.state.pending`` says what is awaited)."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    principal: Principal | None = None
    request.state.pending = None
    request.state.login_session = None
    bearer = _bearer(request)
    if bearer is not None:
        principal = token_principal(session, value=bearer)
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        live = resolve(session, token=cookie) if cookie else None
        if live is not None:
            row, user = live
            request.state.login_session = row
            if row.pending is None:
                principal = principal_of(session, user=user, session_id=row.id)
            else:
                request.state.pending = row.pending
    request.state.principal = principal
    context = Context(
        actor=principal.username if principal else "anoniem",
        actor_id=principal.user_id if principal else None,
        request_id=request_id(request),
        client=client_address(request),
    )
    request.state.audit = context
    attribute(context)
    return principal


def request_id(request: Request) -> str:
    if not hasattr(request.state, "request_id"):
        sent = request.headers.get("x-request-id", "")
        ok = 0 < len(sent) <= 40 and sent.replace("-", "").isalnum()
        request.state.request_id = sent if ok else uuid.uuid4().hex
    value: str = request.state.request_id
    return value


def check_csrf(request: Request, form_token: str | None) -> None:
    """Browser requests that change state carry the token of their CSRF cookie."""
    if request.method in SAFE_METHODS or _bearer(request) is not None:
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER) or form_token or ""
    if not cookie or not secrets.compare_digest(cookie.encode(), sent.encode()):
        raise CsrfRefused()


async def _csrf_guard(request: Request) -> None:
    form_token = None
    if request.method not in SAFE_METHODS and CSRF_HEADER.lower() not in request.headers:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(CSRF_FIELD)
            form_token = value if isinstance(value, str) else None
    check_csrf(request, form_token)


csrf_guard = Depends(_csrf_guard)


class Access:
    """Base of every access declaration; the access-matrix test finds these on each route."""

    roles: tuple[str, ...] = ()
    public: bool = False
    unit: UnitOf | None = None

    def describe(self) -> str:
        return "public" if self.public else ",".join(self.roles) or "authenticated"


class Public(Access):
    public = True

    def __call__(self, request: Request, session: SessionDep) -> Principal | None:
        try:
            return identify(request, session)
        finally:
            release(session)


class Authenticated(Access):
    def __call__(self, request: Request, session: SessionDep) -> Principal:
        try:
            principal = identify(request, session)
        finally:
            release(session)
        if principal is None:
            raise LoginRequired(getattr(request.state, "pending", None))
        return principal


class Require(Access):
    def __init__(self, roles: tuple[str, ...], unit: UnitOf | None) -> None:
        self.roles = roles
        self.unit = unit

    def __call__(self, request: Request, session: SessionDep) -> Principal:
        try:
            with reading(session):  # a few SELECTs: no BEGIN/COMMIT round trips
                principal = identify(request, session)
                if principal is None:
                    raise LoginRequired(getattr(request.state, "pending", None))
                path = self.unit(request, session) if self.unit is not None else None
        finally:
            release(session)
        if not allows(principal, self.roles, path):
            wanted = " of ".join(self.roles)
            raise Forbidden(_("hiervoor is de rol {wanted} nodig op deze eenheid", wanted=wanted))
        return principal


def release(session: Session) -> None:
    """End the access check's reads, so its pooled connection goes back before the route
    waits for a worker thread: a check that kept it would let requests queued for a thread
    hold every connection (measured: the pool runs dry at 100 clients). Objects stay
    loaded (the sessions do not expire on commit)."""
    if session.in_transaction():
        session.commit()


def require(*roles: str, unit: UnitOf | None = None) -> Require:
    return Require(roles, unit)


def unit_in_path(name: str = "slug") -> UnitOf:
    """The unit named by the path parameter ``name`` (a slug); unknown: 404."""

    def resolve_unit(request: Request, session: Session) -> str | None:
        slug = str(request.path_params.get(name, ""))[:120]
        path = session.scalar(select(Unit.path).where(Unit.slug == slug))
        if path is None:
            raise NotFoundError(_("onbekende eenheid {slug}", slug=repr(slug)))
        return path

    return resolve_unit


PUBLIC = Public()
AUTHENTICATED = Authenticated()
CurrentUser = Annotated[Principal, Depends(AUTHENTICATED)]
MaybeUser = Annotated[Principal | None, Depends(PUBLIC)]


def audit_context(request: Request) -> Context:
    context: Context | None = getattr(request.state, "audit", None)
    return context or Context(actor="anoniem", client=client_address(request))


__all__ = [
    "AUTHENTICATED",
    "PUBLIC",
    "Access",
    "CsrfRefused",
    "CurrentUser",
    "Forbidden",
    "LoginRequired",
    "MaybeUser",
    "acting",
    "audit_context",
    "csrf_guard",
    "identify",
    "require",
]


def cookie_secure(request: Request) -> bool:
    """Secure cookies over HTTPS (or always, with KORPS_SECURE_COOKIES=true)."""
    from korps.config import get_settings

    setting = get_settings().secure_cookies
    return setting if setting is not None else request.url.scheme == "https"


def local_target(target: str | None) -> str:
    """Only a path on this site is a place to go after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target[:500]
    return "/"


def start_browser_session(
    request: Request, session: Session, *, user: User, volgende: str | None
) -> RedirectResponse:
    """After a successful first step (password, SSO, e-mailed link): open the session and
    send the browser on: to the TOTP step, to TOTP enrolment, or to ``volgende``."""
    pending = second_factor_state(session, user=user)
    opened = open_session(
        session,
        user=user,
        address=client_address(request),
        agent=request.headers.get("user-agent", ""),
        pending=pending,
    )
    target = {"totp": "/aanmelden/totp", "enrol": "/account/totp"}.get(pending or "", "")
    response = RedirectResponse(target or local_target(volgende), status_code=303)
    remember_language(request, session, user=user, response=response)
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
        path="/",
    )
    return response


def remember_language(
    request: Request, session: Session, *, user: User, response: Response
) -> None:
    """At login the account's language wins: the browser gets it as its language cookie.
    An account without one takes the language the browser chose (a citizen who switched to
    English before logging in gets English e-mail too)."""
    if user.locale:
        response.set_cookie(LOCALE_COOKIE, user.locale, max_age=LOCALE_COOKIE_AGE, path="/",
                            samesite="lax", secure=cookie_secure(request))  # fmt: skip
        return
    browser = chosen(request.cookies.get(LOCALE_COOKIE))
    if browser is not None:
        choose_language(session, user=user, locale=browser, actor=user.username)
        session.commit()
