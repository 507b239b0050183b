"""Logging in with the organisation account (OpenID Connect SSO) on the web.

``GET /aanmelden/oidc`` starts a login at the provider: what the callback needs (state, nonce,
PKCE code verifier) stays in the table ``oidc_login``; the browser only gets a random handle in
the cookie ``korps_oidc``. ``GET /aanmelden/oidc/terug`` takes that row (once), finishes the
login, finds the korps user by the provider's issuer and subject (never by e-mail), creates one
when the provider's groups map to roles, brings the user's SSO grants in line with the groups
(grants given by hand are left alone) and opens a session as the password login does, TOTP
included. Every refusal is a Dutch login page with a 4xx (or 503 when the provider or the
configuration fails), never a 500.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.common.i18n import N_, _
from korps.config import Settings
from korps.db.session import SessionDep
from korps.identity.deps import PUBLIC, start_browser_session
from korps.identity.deps import cookie_secure as _cookie_secure
from korps.identity.deps import local_target as _local
from korps.identity.errors import IdentityError
from korps.identity.models import NAME_MAX, Grant, OidcLogin, User
from korps.identity.oidc import (
    LOGIN_MAX_AGE_SECONDS,
    LoginStart,
    OidcConfig,
    OidcError,
    OidcIdentity,
    config_from_settings,
    finish_login,
    start_login,
)
from korps.identity.roles import ROLES
from korps.identity.secrets import digest, new_secret
from korps.identity.service import create_user, grant, revoke
from korps.organisation.models import Unit
from korps.organisation.service import NotFoundError
from korps.web.templating import render

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

OIDC_COOKIE = "korps_oidc"
COOKIE_PATH = "/aanmelden/oidc"
ACTOR = "systeem:sso"  # who changes users and grants on the provider's word (audit trail)
SOURCE = "oidc"  # role_grant.source of the grants SSO gives and takes back
NOT_CONFIGURED = N_("Aanmelden met de organisatie-account (SSO) is hier niet ingesteld.")
NO_LOGIN = "Er is geen aanmelding gestart; begin opnieuw."
NO_ROLE = "Uw organisatie-account geeft geen rol in korps; vraag een beheerder."
DISABLED = "Dit account is uitgeschakeld; neem contact op met de beheerder."
BUSY = "Er liep tegelijk een andere aanmelding voor dit account; begin opnieuw."


class Refused(Exception):
    """An SSO login that does not go on: ``status`` and a Dutch ``message`` for the page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def checked_config(settings: Settings) -> OidcConfig | None:
    """The SSO configuration (None: not set), with every role of the role map a korps role
    given on a unit; :class:`OidcError` (Dutch) otherwise. Units are checked at login: the
    app may start before the organisation is loaded."""
    config = config_from_settings(settings)
    if config is None:
        return None
    for value, grants in config.role_map.items():
        for role, _unit in grants:
            if role not in ROLES:
                raise OidcError(
                    _(
                        "KORPS_OIDC_ROLE_MAP, {value}: onbekende rol '{role}' (rollen: {roles}).",
                        value=value,
                        role=role,
                        roles=", ".join(ROLES),
                    )
                )
            if role == "burger":
                raise OidcError(
                    _(
                        "KORPS_OIDC_ROLE_MAP, {value}: de rol burger wordt niet via SSO gegeven.",
                        value=value,
                    )
                )
    return config


def _config(request: Request) -> OidcConfig:
    config: OidcConfig | None = getattr(request.app.state, "oidc", None)
    if config is None:
        raise NotFoundError(_(NOT_CONFIGURED))
    return config


def _login_page(request: Request, status: int, error: str, volgende: str = "/") -> Response:
    response = render(
        request,
        "identity/login.html",
        status_code=status,
        error=error,
        volgende=volgende,
        oidc_enabled=True,
    )
    response.delete_cookie(OIDC_COOKIE, path=COOKIE_PATH)
    return response


@router.get("/aanmelden/oidc", response_model=None, dependencies=[Depends(PUBLIC)])
def begin(request: Request, session: SessionDep, volgende: str = "/") -> Response:
    config = _config(request)
    target = _local(volgende)
    try:
        started = start_login(config)
    except OidcError as error:
        return _login_page(request, 503, str(error), target)
    handle = new_secret()
    now = datetime.now(UTC)
    session.execute(  # logins never finished are of no use after their time
        delete(OidcLogin).where(
            OidcLogin.started_at < now - timedelta(seconds=LOGIN_MAX_AGE_SECONDS)
        )
    )
    session.add(
        OidcLogin(
            digest=digest(handle),
            state=started.state,
            nonce=started.nonce,
            code_verifier=started.code_verifier,
            started_at=datetime.fromtimestamp(started.started_at, UTC),
            volgende=target,
        )
    )
    session.commit()
    response = RedirectResponse(started.url, status_code=303)
    response.set_cookie(
        OIDC_COOKIE,
        handle,
        max_age=int(LOGIN_MAX_AGE_SECONDS),
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=_cookie_secure(request),
    )
    return response


def _take_login(session: Session, handle: str) -> tuple[LoginStart, str] | None:
    """The started login of this handle, deleted in the same statement (used once)."""
    if not handle or len(handle) > 100:
        return None
    taken = session.execute(
        delete(OidcLogin)
        .where(OidcLogin.digest == digest(handle))
        .returning(
            OidcLogin.state,
            OidcLogin.nonce,
            OidcLogin.code_verifier,
            OidcLogin.started_at,
            OidcLogin.volgende,
        )
    ).first()
    session.commit()
    if taken is None:
        return None
    state, nonce, verifier, started_at, volgende = taken
    if started_at.tzinfo is None:  # SQLite gives it back without its zone (stored in UTC)
        started_at = started_at.replace(tzinfo=UTC)
    start = LoginStart(
        url="", state=state, nonce=nonce, code_verifier=verifier, started_at=started_at.timestamp()
    )
    return start, volgende


@router.get("/aanmelden/oidc/terug", response_model=None, dependencies=[Depends(PUBLIC)])
def finish(request: Request, session: SessionDep) -> Response:
    config = _config(request)
    taken = _take_login(session, request.cookies.get(OIDC_COOKIE, ""))
    if taken is None:
        return _login_page(request, 400, NO_LOGIN)
    start, volgende = taken
    query = request.url.query
    try:  # the callback as registered: what matters to finish_login is its query
        found = finish_login(
            config, start=start, callback_url=config.redirect_uri + (f"?{query}" if query else "")
        )
    except OidcError as error:
        return _login_page(request, 400, str(error), volgende)
    try:
        user = _sign_in(session, found)
    except Refused as refused:
        return _login_page(request, refused.status, refused.message, volgende)
    except IntegrityError:  # the same person's first login twice at once
        session.rollback()
        return _login_page(request, 409, BUSY, volgende)
    response = start_browser_session(request, session, user=user, volgende=volgende)
    response.delete_cookie(OIDC_COOKIE, path=COOKIE_PATH)
    return response


def _sign_in(session: Session, found: OidcIdentity) -> User:
    """The korps user of this identity with its SSO grants reconciled (not yet committed);
    :class:`Refused` when there is none to be or it may not log in."""
    key = f"{found.issuer} {found.subject}"
    if len(key) > NAME_MAX:
        raise Refused(400, "De identiteitsprovider gaf een te lange gebruikers-id (sub).")
    units = _units(session, found)
    user = session.scalar(select(User).where(User.oidc_subject == key))
    if user is None:
        if not found.grants:
            log.info("SSO login of %s refused: no mapped group", key)
            raise Refused(403, NO_ROLE)
        user = _create(session, found, key)
    if user.disabled:
        record(
            session,
            actor=user.username,
            entity="user",
            entity_id=user.id,
            action="aanmelding via SSO geweigerd (uitgeschakeld)",
        )
        session.commit()
        raise Refused(403, DISABLED)
    try:
        _reconcile(session, user, found, units)
    except IdentityError as error:
        session.rollback()
        raise Refused(400, str(error)) from error
    if session.scalar(select(Grant.id).where(Grant.user_id == user.id).limit(1)) is None:
        session.commit()  # the revocations stand
        raise Refused(403, NO_ROLE)
    record(
        session,
        actor=user.username,
        entity="user",
        entity_id=user.id,
        action="aanmelding via SSO",
        after={"issuer": found.issuer[:200]},
    )
    return user


def _units(session: Session, found: OidcIdentity) -> dict[str, int]:
    """The unit ids of the slugs the identity's grants name; an unknown one refuses the login
    (the role map names a unit this database does not have)."""
    slugs = sorted({slug for _role, slug in found.grants})
    rows = session.execute(select(Unit.slug, Unit.id).where(Unit.slug.in_(slugs)))
    known = {slug: unit_id for slug, unit_id in rows}
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        log.warning("KORPS_OIDC_ROLE_MAP names unknown units: %s", unknown)
        raise Refused(
            503,
            f"De rollenkaart voor SSO (KORPS_OIDC_ROLE_MAP) noemt een onbekende eenheid "
            f"'{unknown[0][:120]}'; vraag een beheerder.",
        )
    return known


def _username(session: Session, found: OidcIdentity, key: str) -> str:
    """The e-mail's local part made a valid username (else ``sso-<hash>``), unique."""
    local = (found.email or "").partition("@")[0].lower()
    base = re.sub(r"[^a-z0-9._-]", "", local).lstrip("._-")[:70]
    if len(base) < 3:
        base = "sso-" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    similar = select(User.username).where(User.username.startswith(base, autoescape=True))
    taken = set(session.scalars(similar))
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _create(session: Session, found: OidcIdentity, key: str) -> User:
    username = _username(session, found, key)
    name = (found.name or "").replace("\x00", "").strip()[:NAME_MAX] or username
    try:
        # no e-mail address and no password: the account opens only through the provider
        # (an address would let a reset mail set a password beside it)
        user = create_user(session, username=username, name=name, password=None, actor=ACTOR)
    except IdentityError as error:
        session.rollback()
        raise Refused(400, str(error)) from error
    user.oidc_subject = key
    record(
        session,
        actor=ACTOR,
        entity="user",
        entity_id=user.id,
        action="gekoppeld aan SSO",
        after={"issuer": found.issuer[:200], "subject": found.subject[:200]},
    )
    return user


def _reconcile(session: Session, user: User, found: OidcIdentity, units: dict[str, int]) -> None:
    """Give the mapped grants the user lacks (source ``oidc``) and take back the SSO grants
    the provider no longer maps to; grants given by hand stay as they are."""
    wanted = {(role, units[slug]) for role, slug in found.grants}
    current = session.execute(
        select(Grant.role, Grant.unit_id, Grant.source, Unit.slug)
        .outerjoin(Unit, Grant.unit_id == Unit.id)
        .where(Grant.user_id == user.id)
    ).all()
    for role, unit_id, source, slug in current:
        if source == SOURCE and (role, unit_id) not in wanted:
            revoke(session, username=user.username, role=role, unit=slug, actor=ACTOR)
    have = {(role, unit_id) for role, unit_id, _source, _slug in current}
    for role, slug in found.grants:
        if (role, units[slug]) not in have:
            given = grant(session, username=user.username, role=role, unit=slug, actor=ACTOR)
            given.source = SOURCE
    session.flush()
    session.expire(user, ["grants"])
