"""Personal API tokens (bearer; shown once, stored as a digest, scoped to one grant,
expiring, revocable) and single-use e-mailed tokens (password reset)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.common.i18n import _, using
from korps.config import get_settings
from korps.identity import mail
from korps.identity.errors import IdentityError
from korps.identity.models import ApiToken, Grant, OneTimeToken, User
from korps.identity.passwords import PasswordRejected, check_new_password, hash_password
from korps.identity.roles import Principal, Scope
from korps.identity.secrets import digest, new_secret
from korps.identity.sessions import end_all_sessions
from korps.organisation.models import Unit

TOKEN_PREFIX = "korps_"


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def create_api_token(
    session: Session, *, user: User, grant_id: int, name: str, days: int
) -> tuple[str, ApiToken]:
    """A new token for one of ``user``'s grants; the value is returned once."""
    limit = get_settings().api_token_days
    if not 1 <= days <= limit:
        raise IdentityError(_("geldigheid: 1 tot {limit} dagen", limit=limit))
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise IdentityError(_("naam van het token: 1 tot 100 tekens"))
    grant = session.get(Grant, grant_id)
    if grant is None or grant.user_id != user.id:
        raise IdentityError(_("dit token kan alleen een rol krijgen die u zelf hebt"))
    value = TOKEN_PREFIX + new_secret()
    token = ApiToken(
        digest=digest(value),
        user_id=user.id,
        grant_id=grant.id,
        name=name,
        created_at=_now(),
        expires_at=_now() + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    record(
        session,
        actor=user.username,
        entity="user",
        entity_id=user.id,
        action="API-token aangemaakt",
        after={"token": token.id, "rol": grant.role},
    )
    session.commit()
    return value, token


def resolve_api_token(session: Session, *, value: str) -> tuple[ApiToken, User] | None:
    if not value.startswith(TOKEN_PREFIX) or len(value) > 100:
        return None
    found = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.digest == digest(value), ApiToken.revoked_at.is_(None))
    ).first()
    if found is None:
        return None
    token, user = found
    if user.disabled or _aware(token.expires_at) <= _now():
        return None
    return token, user


def list_api_tokens(session: Session, *, user_id: int) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
    return list(session.scalars(query))


def revoke_api_token(session: Session, *, user: User, token_id: int) -> None:
    done = session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=_now())
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise IdentityError(_("onbekend of al ingetrokken token"))
    record(
        session,
        actor=user.username,
        entity="user",
        entity_id=user.id,
        action="API-token ingetrokken",
        after={"token": token_id},
    )
    session.commit()


def request_reset(session: Session, *, email_or_username: str) -> None:
    """Mail a single-use reset link when the account exists; the caller says the same thing
    either way (no way to learn which addresses have an account)."""
    key = email_or_username.strip().lower()[:254]
    user = session.scalar(select(User).where((User.email == key) | (User.username == key)))
    if user is None or user.disabled or not user.email:
        return
    value = issue_reset_token(session, user=user)
    link = f"{get_settings().base_url.rstrip('/')}/wachtwoord-herstellen/{value}"
    minutes = get_settings().reset_token_minutes
    with using(mail.language_of(user.locale)):
        subject = _("korps: nieuw wachtwoord instellen")
        body = _(
            "Beste gebruiker,\n\nMet deze link stelt u een nieuw wachtwoord in voor korps "
            "(gebruikersnaam {username}). De link werkt één keer en {minutes} minuten:\n\n"
            "{link}\n\nHebt u dit niet aangevraagd? Dan hoeft u niets te doen.\n",
            username=user.username,
            minutes=minutes,
            link=link,
        )
    mail.send(to=user.email, subject=subject, body=body)


def issue_reset_token(session: Session, *, user: User) -> str:
    value = new_secret()
    minutes = get_settings().reset_token_minutes
    session.add(
        OneTimeToken(
            digest=digest(value),
            user_id=user.id,
            purpose="reset",
            created_at=_now(),
            expires_at=_now() + timedelta(minutes=minutes),
        )
    )
    record(session, entity="user", entity_id=user.id, action="herstellink verstuurd")
    session.commit()
    return value


def reset_password(session: Session, *, value: str, password: str) -> User:
    """Set a new password with a reset token; the token is spent by one conditional UPDATE,
    so two uses of one link can never both succeed."""
    row = session.scalar(
        select(OneTimeToken).where(
            OneTimeToken.digest == digest(value[:100]), OneTimeToken.purpose == "reset"
        )
    )
    if row is None or row.used_at is not None:
        raise IdentityError(_("deze herstellink is ongeldig of al gebruikt; vraag een nieuwe aan"))
    if _aware(row.expires_at) <= _now():
        raise IdentityError(_("deze herstellink is verlopen; vraag een nieuwe aan"))
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        raise IdentityError(_("dit account is uitgeschakeld; neem contact op met de beheerder"))
    try:
        check_new_password(password, username=user.username, name=user.name)
    except PasswordRejected as exc:
        raise IdentityError(str(exc)) from exc
    spent = session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.id == row.id, OneTimeToken.used_at.is_(None))
        .values(used_at=_now())
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise IdentityError(_("deze herstellink is ongeldig of al gebruikt; vraag een nieuwe aan"))
    set_password(session, user=user, password=password, checked=True)
    return user


def set_password(session: Session, *, user: User, password: str, checked: bool = False) -> None:
    """A new password ends every session of the user (a stolen session dies with it)."""
    if not checked:
        try:
            check_new_password(password, username=user.username, name=user.name)
        except PasswordRejected as exc:
            raise IdentityError(str(exc)) from exc
    user.password_hash = hash_password(password)
    user.password_changed_at = _now()
    user.failed_logins = 0
    user.locked_until = None
    end_all_sessions(session, user_id=user.id)
    record(
        session,
        actor=user.username,
        entity="user",
        entity_id=user.id,
        action="wachtwoord gewijzigd",
    )
    session.commit()


def token_principal(session: Session, *, value: str) -> Principal | None:
    """The caller of a live API token, with the one grant it carries: one query."""
    if not value.startswith(TOKEN_PREFIX) or len(value) > 100:
        return None
    row = session.execute(
        select(
            User.id,
            User.username,
            User.name,
            User.kind,
            User.disabled,
            ApiToken.expires_at,
            Grant.role,
            Grant.unit_id,
            Unit.path,
            Unit.slug,
        )
        .join(User, User.id == ApiToken.user_id)
        .join(Grant, Grant.id == ApiToken.grant_id)
        .outerjoin(Unit, Unit.id == Grant.unit_id)
        .where(ApiToken.digest == digest(value), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    user_id, username, name, kind, disabled, expires_at, role, unit_id, path, slug = row
    if disabled or _aware(expires_at) <= _now():
        return None
    return Principal(
        user_id=user_id,
        username=username,
        name=name,
        kind=kind,
        scopes=(Scope(role, unit_id, path, slug),),
        via="token",
    )
