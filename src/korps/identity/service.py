"""Users and grants: create, list, disable, grant and revoke, and the principal of a user.

Every change is written to the audit trail in the same transaction."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from korps.audit.service import record
from korps.common.i18n import LOCALES, _, chosen
from korps.identity.errors import IdentityError
from korps.identity.grants import scopes_of
from korps.identity.models import Grant, User
from korps.identity.passwords import PasswordRejected, check_new_password, hash_password
from korps.identity.roles import ROLES, Principal
from korps.identity.sessions import end_all_sessions
from korps.organisation.models import Unit

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
KINDS = ("medewerker", "burger")


def now() -> datetime:
    return datetime.now(UTC)


def get_user(session: Session, *, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise IdentityError(_("onbekende gebruiker {username}", username=repr(username[:80])))
    return user


def list_users(session: Session) -> list[User]:
    query = select(User).options(selectinload(User.grants)).order_by(User.username)
    return list(session.scalars(query))


def _unit(session: Session, slug: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.slug == slug))
    if unit is None:
        raise IdentityError(_("onbekende eenheid {slug}", slug=repr(slug[:120])))
    return unit


def create_user(
    session: Session,
    *,
    username: str,
    name: str,
    email: str | None = None,
    kind: str = "medewerker",
    password: str | None = None,
    demo: bool = False,
    actor: str = "systeem",
) -> User:
    """Add a user; ``password`` None makes an account that logs in by SSO or a reset mail."""
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise IdentityError(
            _(
                "gebruikersnaam: 3 tot 80 tekens; kleine letters, cijfers, punt, streep of "
                "liggend streepje"
            )
        )
    if kind not in KINDS:
        raise IdentityError(_("soort account: {kinds}", kinds=", ".join(KINDS)))
    name = name.strip()
    if not 1 <= len(name) <= 200 or "\x00" in name:
        raise IdentityError(_("naam: 1 tot 200 tekens"))
    if email is not None:
        email = email.strip().lower()
        if len(email) > 254 or not EMAIL_RE.match(email):
            raise IdentityError(_("geen geldig e-mailadres: {email}", email=repr(email[:80])))
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise IdentityError(_("gebruikersnaam {username} bestaat al", username=repr(username)))
    if email and session.scalar(select(User.id).where(User.email == email)) is not None:
        raise IdentityError(_("dit e-mailadres hoort al bij een account"))
    password_hash = None
    if password is not None:
        try:
            check_new_password(password, username=username, name=name)
        except PasswordRejected as exc:
            raise IdentityError(str(exc)) from exc
        password_hash = hash_password(password)
    user = User(
        username=username,
        name=name,
        email=email,
        kind=kind,
        password_hash=password_hash,
        demo=demo,
        created_at=now(),
        password_changed_at=now() if password else None,
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor=actor,
        entity="user",
        entity_id=user.id,
        action="aangemaakt",
        after={"username": username, "kind": kind, "demo": demo},
    )
    return user


def set_disabled(session: Session, *, username: str, disabled: bool, actor: str) -> User:
    user = get_user(session, username=username)
    user.disabled = disabled
    if disabled:
        end_all_sessions(session, user_id=user.id)
    record(
        session,
        actor=actor,
        entity="user",
        entity_id=user.id,
        action="geblokkeerd" if disabled else "gedeblokkeerd",
    )
    return user


def grant(session: Session, *, username: str, role: str, unit: str | None, actor: str) -> Grant:
    """Give ``role`` on ``unit`` (and its subtree); ``burger`` takes no unit."""
    if role not in ROLES:
        raise IdentityError(
            _(
                "onbekende rol {role} (rollen: {roles})",
                role=repr(role[:40]),
                roles=", ".join(ROLES),
            )
        )
    user = get_user(session, username=username)
    if role == "burger":
        if unit:
            raise IdentityError(_("de rol burger hoort niet bij een eenheid"))
        unit_id = None
    else:
        if not unit:
            raise IdentityError(_("de rol {role} hoort bij een eenheid (--unit SLUG)", role=role))
        if user.kind == "burger":
            raise IdentityError(_("een burgeraccount krijgt geen medewerkersrol"))
        unit_id = _unit(session, unit).id
    for existing in user.grants:
        if existing.role == role and existing.unit_id == unit_id:
            return existing
    new = Grant(user_id=user.id, role=role, unit_id=unit_id, created_at=now())
    session.add(new)
    session.flush()
    record(
        session,
        actor=actor,
        entity="user",
        entity_id=user.id,
        action="rol toegekend",
        after={"role": role, "unit": unit},
    )
    return new


def revoke(session: Session, *, username: str, role: str, unit: str | None, actor: str) -> None:
    user = get_user(session, username=username)
    unit_id = _unit(session, unit).id if unit else None
    found = [g for g in user.grants if g.role == role and g.unit_id == unit_id]
    if not found:
        raise IdentityError(
            _(
                "{username} heeft de rol {role} op {unit} niet",
                username=user.username,
                role=role[:40],
                unit=unit or "-",
            )
        )
    for item in found:
        user.grants.remove(item)
    session.flush()
    record(
        session,
        actor=actor,
        entity="user",
        entity_id=user.id,
        action="rol ingetrokken",
        before={"role": role, "unit": unit},
    )


def principal_of(
    session: Session,
    *,
    user: User,
    via: str = "session",
    session_id: int | None = None,
    grant_id: int | None = None,
) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        name=user.name,
        kind=user.kind,
        scopes=scopes_of(session, user_id=user.id, grant_id=grant_id),
        via=via,
        session_id=session_id,
    )


def choose_language(session: Session, *, user: User, locale: str, actor: str) -> str:
    """Keep ``locale`` as the language of ``user``'s account (pages after login, e-mails);
    audited. IdentityError for a language korps does not speak. Not committed."""
    picked = chosen(locale)
    if picked is None:
        raise IdentityError(_("taal: kies uit {choices}", choices=", ".join(LOCALES)))
    if user.locale != picked:
        record(
            session,
            actor=actor,
            entity="user",
            entity_id=user.id,
            action="taal gewijzigd",
            before={"taal": user.locale},
            after={"taal": picked},
        )
        user.locale = picked
    return picked
