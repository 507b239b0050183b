"""Dossiers: filing an online aangifte, and who may read which dossier.

A citizen reads only dossiers they reported; staff (medewerker, teamchef) read the dossiers
of the teams in their grants' subtrees (:func:`korps.identity.roles.unit_filter` on the
team's path). Anyone else asking for a dossier gets "not found" — the same answer as for a
number that does not exist — and the attempt is written to the audit trail."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, configure_mappers, joinedload, selectinload

from korps.audit.service import record, record_read
from korps.common.i18n import N_, _
from korps.identity.roles import Principal, unit_filter
from korps.organisation.models import Gemeente, Unit
from korps.organisation.service import NotFoundError
from korps.portal.models import Dossier, Entry, Good
from korps.portal.places import Place, resolve_place
from korps.portal.reference import PortalReference, portal_reference
from korps.portal.routing import Facts, Route, normalise_identifier, route
from korps.portal.schemas import AangifteIn, local_today
from korps.portal.workdays import add_working_days, overdue

STAFF = ("medewerker", "teamchef")
ENTITY = "dossier"
NOT_FOUND = N_("dit dossier bestaat niet of is niet van u")


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_number(session: Session, *, now: datetime) -> str:
    """A dossier number ``2026-12345678``: the year and 8 random digits (not guessable, and
    it says nothing about how many dossiers there are)."""
    for _attempt in range(20):
        number = f"{now.year}-{secrets.randbelow(10**8):08d}"
        if session.scalar(select(Dossier.id).where(Dossier.number == number)) is None:
            return number
    raise RuntimeError("no free dossier number")  # pragma: no cover - 10^8 numbers a year


def file_dossier(
    session: Session,
    *,
    reporter: Principal,
    data: AangifteIn,
    channel: str = "online",
    now: datetime | None = None,
    reference: PortalReference | None = None,
    route_by: Callable[[Session, Place], Route] | None = None,
) -> Dossier:
    """Store a new dossier with its goods, routed (by the routing rules, or ``route_by``)
    and with its deadline; audited. The caller commits. PortalInputError (nothing added)
    when the location is not right."""
    reference = reference or portal_reference()
    now = now or utc_now()
    category = reference.category(data.category)
    assert category is not None  # checked by check_aangifte
    place = resolve_place(session, gemeente=data.gemeente, lat=data.lat, lon=data.lon)
    identifiers = tuple(normalise_identifier(g.identifier) for g in data.goods if g.identifier)
    facts = Facts(
        category=category.code,
        total_value_eur=sum(g.value_eur or 0.0 for g in data.goods),
        identifiers=tuple(i for i in identifiers if i),
    )
    if route_by is not None:
        where = route_by(session, place)
    else:
        where = route(session, reference=reference, facts=facts, place=place, now=now)
    dossier = Dossier(
        number=new_number(session, now=now),
        kind=category.kind,
        category=category.code,
        channel=channel,
        status=reference.statuses[0].code,
        reporter_id=reporter.user_id,
        team_id=where.team_id,
        gemeente_code=place.gemeente_code,
        address=data.address,
        lat=place.lat,
        lon=place.lon,
        occurred_on=data.occurred_on,
        description=data.description,
        route_rule=where.rule,
        route_reason=where.reason,
        deadline=add_working_days(local_today(now), category.deadline_days),
        created_at=now,
        updated_at=now,
    )
    dossier.goods = [
        Good(
            description=g.description,
            value_eur=g.value_eur,
            identifier=normalise_identifier(g.identifier) if g.identifier else None,
        )
        for g in data.goods
    ]
    session.add(dossier)
    session.flush()
    session.add_all(
        [
            Entry(dossier_id=dossier.id, at=now, kind="status", side="burger",
                  author_id=reporter.user_id, status_to=dossier.status, public=True),
            Entry(dossier_id=dossier.id, at=now, kind="routering", side="systeem",
                  text=where.reason, public=False),
        ]
    )  # fmt: skip
    record(
        session,
        entity=ENTITY,
        entity_id=dossier.id,
        action=f"{category.kind} ingediend",
        after={
            "number": dossier.number,
            "category": dossier.category,
            "channel": channel,
            "team_id": dossier.team_id,
            "rule": where.rule,
        },
    )
    return dossier


def _with_goods(statement: Select[Dossier]) -> Select[Dossier]:
    """The dossier with its goods, and its assessment and request details (one-to-one
    backrefs the dossier page shows) joined in the same query instead of lazily loaded."""
    configure_mappers()  # the backrefs exist once the mappers are configured
    one_to_one = [getattr(Dossier, name) for name in ("assessment", "request_detail")]
    return statement.options(
        selectinload(Dossier.goods), *(joinedload(attribute) for attribute in one_to_one)
    )


def own_dossiers(session: Session, *, principal: Principal) -> list[Dossier]:
    statement = (
        select(Dossier)
        .where(Dossier.reporter_id == principal.user_id)
        .order_by(Dossier.created_at.desc(), Dossier.id.desc())
    )
    return list(session.scalars(statement))


def _refuse(session: Session, *, number: str, principal: Principal) -> NotFoundError:
    """Audit an attempt to reach a dossier that is not the caller's; the answer is 404."""
    found = session.scalar(select(Dossier.id).where(Dossier.number == number[:20]))
    session.rollback()
    record(
        session,
        entity=ENTITY,
        entity_id=found or 0,
        action="geweigerd: dossier van een ander opgevraagd",
        after={"number": number[:20], "user": principal.username},
    )
    session.commit()
    return NotFoundError(_(NOT_FOUND))


def citizen_dossier(
    session: Session, *, principal: Principal, number: str, audit_read: bool = True
) -> Dossier:
    """The caller's own dossier ``number``; anyone else's: audited, NotFoundError."""
    dossier = session.scalar(
        _with_goods(
            select(Dossier).where(
                Dossier.number == number[:20], Dossier.reporter_id == principal.user_id
            )
        )
    )
    if dossier is None:
        raise _refuse(session, number=number, principal=principal)
    if audit_read:
        record_read(session, entity=ENTITY, entity_id=dossier.id, what="eigen dossier")
    return dossier


def staff_dossier(
    session: Session, *, principal: Principal, number: str, audit_read: bool = True
) -> Dossier:
    """Dossier ``number`` when its team lies under one of the caller's staff grants."""
    dossier = session.scalar(
        _with_goods(
            select(Dossier)
            .join(Unit, Unit.id == Dossier.team_id)
            .where(Dossier.number == number[:20], unit_filter(principal, STAFF, Unit.path))
        )
    )
    if dossier is None:
        raise _refuse(session, number=number, principal=principal)
    if audit_read:
        record_read(session, entity=ENTITY, entity_id=dossier.id, what="dossier")
    return dossier


@dataclass(frozen=True)
class QueueFilter:
    status: str = ""
    category: str = ""
    overdue_only: bool = False
    unassigned: bool = False
    mine: bool = False
    open_only: bool = True


def queue(
    session: Session,
    *,
    principal: Principal,
    filters: QueueFilter,
    today: date,
    reference: PortalReference | None = None,
    limit: int = 500,
) -> list[Dossier]:
    """The dossiers of the caller's teams, by deadline (earliest first)."""
    reference = reference or portal_reference()
    statement = (
        select(Dossier)
        .join(Unit, Unit.id == Dossier.team_id)
        .where(unit_filter(principal, STAFF, Unit.path))
        .order_by(Dossier.deadline, Dossier.id)
        .limit(limit)
    )
    open_codes = [s.code for s in reference.statuses if s.open]
    if filters.status:
        statement = statement.where(Dossier.status == filters.status)
    elif filters.open_only:
        statement = statement.where(Dossier.status.in_(open_codes))
    if filters.category:
        statement = statement.where(Dossier.category == filters.category)
    if filters.overdue_only:
        statement = statement.where(Dossier.deadline < today, Dossier.status.in_(open_codes))
    if filters.unassigned:
        statement = statement.where(Dossier.assignee_id.is_(None))
    if filters.mine:
        statement = statement.where(Dossier.assignee_id == principal.user_id)
    return list(session.scalars(statement))


def is_overdue(dossier: Dossier, *, today: date, reference: PortalReference | None = None) -> bool:
    reference = reference or portal_reference()
    return overdue(dossier.deadline, today, open_=reference.status(dossier.status).open)


def timeline(session: Session, *, dossier: Dossier, public_only: bool) -> list[Entry]:
    statement = select(Entry).where(Entry.dossier_id == dossier.id).order_by(Entry.at, Entry.id)
    if public_only:
        statement = statement.where(Entry.public.is_(True))
    return list(session.scalars(statement))


def names(session: Session, *, unit_ids: set[int], gemeente_codes: set[str]) -> dict[str, str]:
    """Display names: ``unit:<id>`` and ``gemeente:<code>``."""
    found: dict[str, str] = {}
    if unit_ids:
        for unit_id, name in session.execute(
            select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))
        ):
            found[f"unit:{unit_id}"] = name
    if gemeente_codes:
        rows = session.execute(
            select(Gemeente.code, Gemeente.name).where(Gemeente.code.in_(gemeente_codes))
        )
        for code, name in rows:
            found[f"gemeente:{code}"] = name
    return found
