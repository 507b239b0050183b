"""Logging in and server-side sessions: password check with throttling per account and per
address (lockout, audited), the TOTP step, idle and absolute timeouts, list and end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.common.i18n import N_, _
from korps.config import get_settings
from korps.identity.errors import LoginRefused
from korps.identity.grants import scopes_of
from korps.identity.models import LoginFailure, LoginSession, User
from korps.identity.passwords import hash_password, needs_rehash, verify_password
from korps.identity.roles import needs_second_factor
from korps.identity.secrets import digest, new_secret

WRONG = N_("gebruikersnaam of wachtwoord onjuist")
TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most once a minute


@dataclass(frozen=True)
class Opened:
    token: str  # the cookie value; only its digest is stored
    session: LoginSession


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _refuse_address(session: Session, *, address: str, now: datetime) -> None:
    settings = get_settings()
    since = now - timedelta(minutes=settings.lockout_minutes)
    count = session.scalar(
        select(func.count()).where(LoginFailure.address == address, LoginFailure.at >= since)
    )
    if (count or 0) >= settings.address_max_failures:
        raise LoginRefused(
            _(
                "te veel mislukte aanmeldingen vanaf dit adres; probeer het over "
                "{lockout_minutes} minuten opnieuw",
                lockout_minutes=settings.lockout_minutes,
            )
        )


def _failed(session: Session, *, user: User | None, address: str, now: datetime) -> None:
    """Count a failure (committed: a refusal must not roll the counters back)."""
    settings = get_settings()
    session.add(LoginFailure(address=address[:64], at=now))
    if user is not None:
        user.failed_logins += 1
        if user.failed_logins >= settings.login_max_failures:
            user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            user.failed_logins = 0
            record(
                session,
                actor=user.username,
                entity="user",
                entity_id=user.id,
                action="geblokkeerd na mislukte aanmeldingen",
                after={"tot": user.locked_until.isoformat(), "adres": address[:64]},
            )
        else:
            record(
                session,
                actor=user.username,
                entity="user",
                entity_id=user.id,
                action="aanmelding mislukt",
                after={"adres": address[:64]},
            )
    session.commit()


def check_password(session: Session, *, username: str, password: str, address: str) -> User:
    """The user whose password this is; :class:`LoginRefused` otherwise (one message for an
    unknown name and a wrong password; a locked or disabled account says so)."""
    now = _now()
    _refuse_address(session, address=address, now=now)
    user = session.scalar(select(User).where(User.username == username.strip().lower()[:80]))
    if user is not None and user.locked_until is not None and _aware(user.locked_until) > now:
        minutes = int((_aware(user.locked_until) - now).total_seconds() // 60) + 1
        raise LoginRefused(
            _(
                "dit account is tijdelijk geblokkeerd na te veel mislukte pogingen; probeer het "
                "over {minutes} minuten opnieuw",
                minutes=minutes,
            )
        )
    if not verify_password(user.password_hash if user else None, password[:256]) or user is None:
        _failed(session, user=user, address=address, now=now)
        raise LoginRefused(_(WRONG))
    if user.disabled:
        raise LoginRefused(_("dit account is uitgeschakeld; neem contact op met de beheerder"))
    user.failed_logins = 0
    user.locked_until = None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def second_factor_state(session: Session, *, user: User) -> str | None:
    """What the user must still do after the password: ``totp`` (give a code), ``enrol``
    (set up TOTP: their roles change state) or None."""
    if user.totp_enabled:
        return "totp"
    roles = {scope.role for scope in scopes_of(session, user_id=user.id)}
    return "enrol" if needs_second_factor(roles) else None


def open_session(
    session: Session, *, user: User, address: str, agent: str, pending: str | None
) -> Opened:
    token = new_secret()
    now = _now()
    row = LoginSession(
        digest=digest(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        address=address[:64],
        agent=agent[:200],
        pending=pending,
    )
    session.add(row)
    session.flush()
    if pending is None:
        record(
            session,
            actor=user.username,
            entity="user",
            entity_id=user.id,
            action="aangemeld",
            after={"sessie": row.id, "adres": address[:64]},
        )
    session.commit()
    return Opened(token, row)


def complete(session: Session, *, row: LoginSession, user: User) -> None:
    """The second factor is done: the session opens everything the user's roles allow."""
    row.pending = None
    record(
        session,
        actor=user.username,
        entity="user",
        entity_id=user.id,
        action="aangemeld",
        after={"sessie": row.id, "adres": row.address},
    )
    session.commit()


def resolve(session: Session, *, token: str) -> tuple[LoginSession, User] | None:
    """The live session of a cookie value, or None (unknown, ended, idle or too old, or the
    user is disabled). Touches ``last_seen_at`` at most once a minute."""
    if not token or len(token) > 100:
        return None
    found = session.execute(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.digest == digest(token), LoginSession.ended_at.is_(None))
    ).first()
    if found is None:
        return None
    row, user = found
    settings = get_settings()
    now = _now()
    idle = now - _aware(row.last_seen_at) > timedelta(minutes=settings.session_idle_minutes)
    old = now - _aware(row.created_at) > timedelta(hours=settings.session_absolute_hours)
    if user.disabled or idle or old:
        end(session, row=row, reason="verlopen" if not user.disabled else "uitgeschakeld")
        return None
    if now - _aware(row.last_seen_at) > TOUCH_EVERY:
        session.execute(
            update(LoginSession).where(LoginSession.id == row.id).values(last_seen_at=now)
        )
        session.commit()
    return row, user


def end(session: Session, *, row: LoginSession, reason: str = "afgemeld") -> None:
    if row.ended_at is None:
        session.execute(
            update(LoginSession)
            .where(LoginSession.id == row.id, LoginSession.ended_at.is_(None))
            .values(ended_at=_now())
        )
        record(
            session,
            entity="user",
            entity_id=row.user_id,
            action=f"sessie beëindigd ({reason})",
            after={"sessie": row.id},
        )
        session.commit()


def list_sessions(session: Session, *, user_id: int) -> list[LoginSession]:
    query = (
        select(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
        .order_by(LoginSession.created_at.desc())
    )
    return list(session.scalars(query))


def end_session_of(session: Session, *, user_id: int, session_id: int) -> None:
    row = session.get(LoginSession, session_id)
    if row is None or row.user_id != user_id:
        raise LoginRefused(_("onbekende sessie"))
    end(session, row=row, reason="beëindigd door gebruiker")


def end_all_sessions(session: Session, *, user_id: int) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
        .values(ended_at=_now())
    )


def forget_old_failures(session: Session) -> None:
    since = _now() - timedelta(days=1)
    session.execute(delete(LoginFailure).where(LoginFailure.at < since))
