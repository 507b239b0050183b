"""The teams' work queue beyond the list (issue 16.7): assignment to a colleague, bulk
actions and the team's load.

* A dossier can be assigned to a *colleague*: someone with a medewerker or teamchef grant
  that covers the dossier's team (a grant on the district covers its basisteams).
* A bulk action (assign, or a status change by the whitelist) checks every dossier chosen
  and is one transaction: when one is refused, none is changed and every refused dossier is
  named with its reason.
* The team load: per team under the caller's teamchef grants, the open dossiers and those
  past their deadline per colleague (and not assigned)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from korps.common.i18n import N_, _
from korps.identity.models import Grant, User
from korps.identity.roles import Principal, unit_filter
from korps.organisation.models import Unit
from korps.portal import workflow
from korps.portal.errors import PortalInputError
from korps.portal.models import Dossier
from korps.portal.reference import PortalReference, portal_reference
from korps.portal.service import STAFF, utc_now

ASSIGNABLE = ("medewerker", "teamchef")
BULK_MAX = 200  # dossiers in one bulk action
NOT_YOURS = N_("bestaat niet of valt niet onder uw teams")


def colleagues(session: Session, *, team_ids: set[int]) -> dict[int, dict[int, str]]:
    """Per team id: the users (id -> name) a dossier of that team may be assigned to."""
    team, granted = aliased(Unit), aliased(Unit)
    rows = session.execute(
        select(team.id, User.id, User.name)
        .join(granted, team.path.startswith(granted.path))
        .join(Grant, Grant.unit_id == granted.id)
        .join(User, User.id == Grant.user_id)
        .where(team.id.in_(team_ids), Grant.role.in_(ASSIGNABLE), User.disabled.is_(False))
        .order_by(User.name, User.id)
    )
    found: dict[int, dict[int, str]] = {team_id: {} for team_id in team_ids}
    for team_id, user_id, name in rows:
        found[team_id][user_id] = name
    return found


def _assignee(session: Session, *, dossier: Dossier, user_id: int) -> tuple[int, str]:
    eligible = colleagues(session, team_ids={dossier.team_id})[dossier.team_id]
    if user_id in eligible:
        return user_id, eligible[user_id]
    name = session.scalar(select(User.name).where(User.id == user_id))
    who = name or "deze persoon"
    raise PortalInputError.one(
        "toewijzen_aan",
        _("{who} heeft geen rol medewerker of teamchef op het team van dit dossier", who=who),
    )


def assign_to(
    session: Session,
    *,
    principal: Principal,
    dossier: Dossier,
    user_id: int | None,
    now: datetime | None = None,
) -> None:
    """Assign ``dossier`` to the colleague ``user_id`` (the caller when None); someone who
    may not handle the team's dossiers is refused (PortalInputError). The caller commits."""
    to = None if user_id is None else _assignee(session, dossier=dossier, user_id=user_id)
    workflow.assign(session, principal=principal, dossier=dossier, to=to, now=now)


@dataclass(frozen=True)
class BulkAction:
    """``kind``: ``toewijzen`` (to ``assignee_id``) or ``status`` (to ``status``, with the
    text, forwarding target or answer days the status requires)."""

    kind: str
    assignee_id: int | None = None
    status: str = ""
    text: str = ""
    forward_to: str = ""
    answer_days: int | None = None


def bulk(
    session: Session,
    *,
    principal: Principal,
    numbers: list[str],
    action: BulkAction,
    now: datetime | None = None,
    reference: PortalReference | None = None,
) -> list[Dossier]:
    """Apply ``action`` to the dossiers ``numbers``, all or none: PortalInputError naming
    every refused dossier (number -> reason) with nothing changed, else the dossiers changed
    (the caller commits). The dossiers are locked while they are checked and changed."""
    reference = reference or portal_reference()
    now = now or utc_now()
    chosen = list(dict.fromkeys(n.strip()[:20] for n in numbers if n.strip()))
    if not chosen:
        raise PortalInputError.one("dossiers", _("kies ten minste één dossier"))
    if len(chosen) > BULK_MAX:
        raise PortalInputError.one(
            "dossiers", _("hoogstens {bulk_max} dossiers tegelijk", bulk_max=BULK_MAX)
        )
    if action.kind not in ("toewijzen", "status"):
        raise PortalInputError.one("actie", _("kies toewijzen of status wijzigen"))
    if action.kind == "toewijzen" and action.assignee_id is None:
        raise PortalInputError.one("toewijzen_aan", _("kies aan wie de dossiers worden toegewezen"))
    found = {
        d.number: d
        for d in session.scalars(
            select(Dossier)
            .join(Unit, Unit.id == Dossier.team_id)
            .where(Dossier.number.in_(chosen), unit_filter(principal, STAFF, Unit.path))
            .order_by(Dossier.id)
            .with_for_update(of=Dossier)
        )
    }
    refused: dict[str, str] = {}
    for number in chosen:
        dossier = found.get(number)
        if dossier is None:
            refused[number] = _(NOT_YOURS)
            continue
        try:
            if action.kind == "toewijzen":
                assign_to(
                    session, principal=principal, dossier=dossier,
                    user_id=action.assignee_id, now=now,
                )  # fmt: skip
            else:
                workflow.change_status(
                    session, principal=principal, dossier=dossier, to=action.status,
                    text=action.text, forward_to=action.forward_to,
                    answer_days=action.answer_days, now=now, reference=reference,
                )  # fmt: skip
        except PortalInputError as exc:
            refused[number] = "; ".join(exc.errors.values())
    if refused:
        session.rollback()
        raise PortalInputError(refused)
    return [found[n] for n in chosen]


@dataclass(frozen=True)
class Load:
    """One row of a team's load: a colleague (or nobody: not assigned) and their open
    dossiers, of which past the deadline."""

    team_id: int
    team: str
    assignee_id: int | None
    assignee: str
    open: int
    overdue: int


def team_load(
    session: Session,
    *,
    principal: Principal,
    today: date,
    reference: PortalReference | None = None,
) -> list[Load]:
    """Per team under the caller's teamchef grants: the open dossiers per assignee (every
    colleague who may handle them, also with none) and how many are past their deadline."""
    reference = reference or portal_reference()
    open_codes = [s.code for s in reference.statuses if s.open]
    late = func.sum(case((Dossier.deadline < today, 1), else_=0))
    rows = session.execute(
        select(Dossier.team_id, Dossier.assignee_id, func.count(Dossier.id), late)
        .join(Unit, Unit.id == Dossier.team_id)
        .where(Dossier.status.in_(open_codes), unit_filter(principal, ("teamchef",), Unit.path))
        .group_by(Dossier.team_id, Dossier.assignee_id)
    ).all()
    counts = {(team_id, who): (int(n), int(k or 0)) for team_id, who, n, k in rows}
    teams = dict(
        session.execute(
            select(Unit.id, Unit.name).where(
                Unit.id.in_({team_id for team_id, _ in counts}),
            )
        ).all()
    )
    people = colleagues(session, team_ids=set(teams))
    names = dict(
        session.execute(
            select(User.id, User.name).where(User.id.in_({w for _, w in counts if w}))
        ).all()
    )
    result: list[Load] = []
    for team_id, team in sorted(teams.items(), key=lambda item: item[1]):
        members: dict[int | None, str] = {None: "niet toegewezen"}
        members.update(people[team_id].items())
        members.update({w: names.get(w, "?") for t, w in counts if t == team_id and w})
        for who, name in members.items():
            n, k = counts.get((team_id, who), (0, 0))
            result.append(Load(team_id, team, who, name, n, k))
    return result
