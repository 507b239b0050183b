"""Triage: the ordered routing rules of ``datasets/portal.yaml`` decide which team gets a new
dossier; the first rule that matches wins and its explanation is kept on the dossier
("waarom hier"). Targets: the basisteam covering the location, that basisteam's district,
or the eenheid of the location (when no loaded basisteam covers it, every target falls
back to the nearest unit there is, and the explanation says so)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from korps.organisation.models import Unit
from korps.portal.models import Dossier, Good
from korps.portal.places import Place
from korps.portal.reference import NO_UNIT_NOTE, PortalReference, Rule


@dataclass(frozen=True)
class Route:
    team_id: int
    rule: str
    reason: str


@dataclass(frozen=True)
class Facts:
    category: str
    total_value_eur: float
    identifiers: tuple[str, ...]
    ib_level: str | None = None  # known once the individual assessment is made


def normalise_identifier(text: str) -> str:
    """A frame or serial number compared without spaces, dashes and case."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _seen_recently(session: Session, identifiers: tuple[str, ...], since: datetime) -> bool:
    if not identifiers:
        return False
    found = session.scalar(
        select(func.count(Good.id))
        .join(Dossier, Good.dossier_id == Dossier.id)
        .where(Good.identifier.in_(identifiers), Dossier.created_at >= since)
    )
    return bool(found)


def matches(rule: Rule, facts: Facts, *, session: Session, now: datetime) -> bool:
    when = rule.when
    if when.categories is not None and facts.category not in when.categories:
        return False
    if when.min_value_eur is not None and facts.total_value_eur < when.min_value_eur:
        return False
    if when.ib_levels is not None and facts.ib_level not in when.ib_levels:
        return False
    if when.same_identifier_within_days is not None:
        since = now - timedelta(days=when.same_identifier_within_days)
        if not _seen_recently(session, facts.identifiers, since):
            return False
    return True


def _target(rule: Rule, place: Place) -> tuple[int, str]:
    """The unit the rule names for this place; when the place has none of that kind, the
    nearest unit it has (basisteam, district, eenheid), with a note saying so."""
    preferred = {
        "basisteam": place.basisteam_id,
        "district": place.district_id,
        "eenheid": place.eenheid_id,
    }[rule.to]
    if preferred is not None:
        return preferred, ""
    for unit_id in (place.basisteam_id, place.district_id, place.eenheid_id):
        if unit_id is not None:
            return unit_id, f" ({NO_UNIT_NOTE.format(to=rule.to)})"
    raise LookupError("no unit for this place")


def route_by_rule(session: Session, *, rule: Rule, place: Place) -> Route:
    """Where ``rule`` sends a dossier at ``place``, with the explanation."""
    team_id, note = _target(rule, place)
    name = session.scalar(select(Unit.name).where(Unit.id == team_id)) or "?"
    reason = f"{rule.explanation}{note}: {name} ({place.gemeente_name})"
    return Route(team_id=team_id, rule=rule.name, reason=reason[:300])


def route(
    session: Session, *, reference: PortalReference, facts: Facts, place: Place, now: datetime
) -> Route:
    """The team of a new dossier and why."""
    for rule in reference.routing:
        if matches(rule, facts, session=session, now=now):
            return route_by_rule(session, rule=rule, place=place)
    raise LookupError("no routing rule matched")  # the last rule matches all (validated)
