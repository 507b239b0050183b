"""Roles and the one authorisation rule every domain uses.

A grant is (role, unit) and covers the unit's whole subtree (materialised paths: a grant
on ``/1/7/`` covers ``/1/7/42/``). A :class:`Principal` is who is calling, with the grants
of this request (all of the user's, or only the one an API token is scoped to).
Services filter their queries with :func:`unit_filter` (what the user may read) and check
before each write with :func:`allows`; routes declare what they need
(``korps.identity.deps.require``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, false, or_
from sqlalchemy.orm import InstrumentedAttribute

from korps.common.i18n import N_

#: role -> what it allows (Dutch, shown through the catalogue: ``{{ text | t }}``)
ROLES: dict[str, str] = {
    "beheerder": N_("beheer: gebruikers, rollen en de audittrail"),
    "planner": N_("formatie, bezetting, scenario's en de digital twin van een eenheid"),
    "centralist": N_("de meldkamer van een eenheid"),
    "teamchef": N_("leiding van een basisteam of dienst"),
    "medewerker": N_("behandelt dossiers van een team"),
    "gezag": N_("burgemeester of officier van justitie: leest monitor en rapportages"),
    "burger": N_("alleen de eigen dossiers"),
}
#: roles that change state: their holders must log in with a second factor (TOTP)
CHANGING_ROLES = frozenset({"beheerder", "planner", "centralist", "teamchef", "medewerker"})
STAFF_ROLES = frozenset(ROLES) - {"burger"}


@dataclass(frozen=True)
class Scope:
    role: str
    unit_id: int | None
    unit_path: str | None  # None: not tied to a unit (burger)
    unit_slug: str | None = None


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    name: str
    kind: str  # medewerker | burger
    scopes: tuple[Scope, ...] = field(default_factory=tuple)
    via: str = "session"  # session | token
    session_id: int | None = None

    def roles(self) -> set[str]:
        return {s.role for s in self.scopes}


def allows(principal: Principal | None, roles: Iterable[str], unit_path: str | None = None) -> bool:
    """True when one of the principal's grants has one of ``roles`` and covers the unit at
    ``unit_path`` (any unit when ``unit_path`` is None)."""
    if principal is None:
        return False
    wanted = set(roles)
    for scope in principal.scopes:
        if scope.role not in wanted:
            continue
        if unit_path is None or (
            scope.unit_path is not None and unit_path.startswith(scope.unit_path)
        ):
            return True
    return False


def granted_paths(principal: Principal | None, roles: Iterable[str]) -> list[str]:
    if principal is None:
        return []
    wanted = set(roles)
    return [s.unit_path for s in principal.scopes if s.role in wanted and s.unit_path]


def unit_filter(
    principal: Principal | None, roles: Iterable[str], path: InstrumentedAttribute[str]
) -> ColumnElement[bool]:
    """A WHERE clause: the unit at ``path`` lies in a subtree one of ``roles`` is granted on."""
    paths = granted_paths(principal, roles)
    if not paths:
        return false()
    return or_(*(path.startswith(p, autoescape=True) for p in paths))


def needs_second_factor(roles: Iterable[str]) -> bool:
    return any(role in CHANGING_ROLES for role in roles)
