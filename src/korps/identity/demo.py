"""Demo accounts for `make run` / `korps demo`: a beheerder and one user per role on the
bundled data, marked as demo accounts. Never created any other way."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.identity.models import User
from korps.identity.service import create_user, grant

#: (username, name, kind, role, unit slug)
DEMO_USERS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("demo-beheerder", "Demo Beheerder", "medewerker", "beheerder", "politie"),
    ("demo-planner", "Demo Planner Rotterdam", "medewerker", "planner", "rotterdam"),
    ("demo-centralist", "Demo Centralist Rotterdam", "medewerker", "centralist", "rotterdam"),
    ("demo-teamchef", "Demo Teamchef", "medewerker", "teamchef", None),
    ("demo-medewerker", "Demo Medewerker", "medewerker", "medewerker", None),
    ("demo-gezag", "Demo Burgemeester Rotterdam", "medewerker", "gezag", "rotterdam"),
    ("demo-burger", "Demo Burger", "burger", "burger", None),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    unit: str | None


def _first_basisteam(session: Session, under: str) -> str | None:
    from korps.organisation.models import Unit

    root = session.scalar(select(Unit).where(Unit.slug == under))
    if root is None:
        return None
    return session.scalar(
        select(Unit.slug)
        .where(Unit.kind == "basisteam", Unit.path.startswith(root.path))
        .order_by(Unit.path)
    )


def create_demo_accounts(session: Session) -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet, each with a fresh random password;
    returns the new ones (their passwords are shown once)."""
    made: list[DemoAccount] = []
    for username, name, kind, role, unit in DEMO_USERS:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            continue
        if role in ("teamchef", "medewerker"):
            unit = _first_basisteam(session, "rotterdam")
        password = secrets.token_urlsafe(12)
        create_user(
            session,
            username=username,
            name=name,
            email=f"{username}@korps.localhost",
            kind=kind,
            password=password,
            demo=True,
            actor="korps demo",
        )
        grant(session, username=username, role=role, unit=unit, actor="korps demo")
        made.append(DemoAccount(username, password, role, unit))
    session.commit()
    return made
