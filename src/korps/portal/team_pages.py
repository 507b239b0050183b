"""The teams' pages (Dutch): the work queue of the teams in the caller's grants
(medewerker, teamchef), and a dossier with its routing explanation, full timeline and the
actions: assign to me, a message to the citizen, a status change by the whitelist (a
question with an answer deadline, forwarding, closing with a decision)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.common.i18n import _
from korps.db.session import SessionDep
from korps.identity.deps import CurrentUser, require
from korps.identity.models import User
from korps.identity.roles import Principal, allows
from korps.portal import attachments, queue, service, workflow
from korps.portal.errors import PortalInputError
from korps.portal.reference import portal_reference
from korps.portal.schemas import local_today
from korps.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require(*service.STAFF))])
Text = Annotated[str, Form(max_length=256)]
LongText = Annotated[str, Form()]


def filters_of(params: Mapping[str, str]) -> service.QueueFilter:
    """The queue's filters from its query string (also kept in the bulk form)."""

    def on(name: str) -> bool:
        return params.get(name, "") in ("true", "on", "1")

    return service.QueueFilter(
        status=params.get("status", "")[:40],
        category=params.get("categorie", "")[:40],
        overdue_only=on("te_laat"),
        unassigned=on("niet_toegewezen"),
        mine=on("van_mij"),
        open_only=not on("alles"),
    )


def queue_page(
    request: Request,
    session: Session,
    me: Principal,
    filters: service.QueueFilter,
    *,
    query: str = "",
    errors: dict[str, str] | None = None,
    chosen: Collection[str] = (),
    status_code: int = 200,
) -> HTMLResponse:
    """The work queue with its filters, the bulk form (colleagues of the teams shown) and,
    after a refused bulk action, the refused dossiers named."""
    reference = portal_reference()
    today = local_today(service.utc_now())
    dossiers = service.queue(session, principal=me, filters=filters, today=today)
    overdue = {d.id for d in dossiers if service.is_overdue(d, today=today)}
    shown = service.names(
        session,
        unit_ids={d.team_id for d in dossiers},
        gemeente_codes={d.gemeente_code for d in dossiers},
    )
    per_team = Counter(shown.get(f"unit:{d.team_id}", "?") for d in dossiers)
    people: dict[int, str] = {}
    for members in queue.colleagues(session, team_ids={d.team_id for d in dossiers}).values():
        people.update(members)
    return render(
        request,
        "portal/queue.html",
        status_code=status_code,
        dossiers=dossiers,
        overdue=overdue,
        names=shown,
        per_team=sorted(per_team.items()),
        overdue_count=len(overdue),
        reference=reference,
        filters=filters,
        me=me,
        colleagues=sorted(people.items(), key=lambda item: (item[1], item[0])),
        query=query or request.url.query,
        errors=errors or {},
        chosen=set(chosen),
        teamchef=allows(me, ("teamchef",)),
    )


@router.get("/team/werkvoorraad", response_class=HTMLResponse)
def work_queue(request: Request, session: SessionDep, me: CurrentUser) -> HTMLResponse:
    return queue_page(request, session, me, filters_of(request.query_params))


def _page(
    request: Request,
    session: Session,
    me: CurrentUser,
    number: str,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    dossier = service.staff_dossier(session, principal=me, number=number)
    reference = portal_reference()
    today = local_today(service.utc_now())
    entries = service.timeline(session, dossier=dossier, public_only=False)
    authors = {e.author_id for e in entries if e.author_id} | {dossier.reporter_id}
    if dossier.assignee_id:
        authors.add(dossier.assignee_id)
    rows = session.execute(select(User.id, User.name).where(User.id.in_(authors)))
    people: dict[int, str] = {user_id: name for user_id, name in rows}
    shown = service.names(
        session, unit_ids={dossier.team_id}, gemeente_codes={dossier.gemeente_code}
    )
    return render(
        request,
        "portal/team_dossier.html",
        status_code=status_code,
        dossier=dossier,
        status=reference.status(dossier.status),
        allowed=[reference.status(s) for s in reference.allowed(dossier.status, "medewerker")],
        reference=reference,
        entries=entries,
        people=people,
        names=shown,
        overdue=service.is_overdue(dossier, today=today),
        files=attachments.of_dossier(session, dossier=dossier),
        colleagues=queue.colleagues(session, team_ids={dossier.team_id})[dossier.team_id],
        errors=errors or {},
    )


@router.get("/team/dossiers/{number}", response_class=HTMLResponse)
def dossier_page(request: Request, session: SessionDep, me: CurrentUser, number: str) -> Response:
    return _page(request, session, me, number)


def _done(number: str, what: str) -> RedirectResponse:
    return RedirectResponse(f"/team/dossiers/{number}?ok={what}", status_code=303)


@router.post("/team/dossiers/{number}/status", response_class=HTMLResponse, response_model=None)
def change_status(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    number: str,
    status: Text = "",
    toelichting: LongText = "",
    doorzetten_naar: Text = "",
    termijn: Text = "",
) -> Response:
    dossier = service.staff_dossier(session, principal=me, number=number, audit_read=False)
    try:
        days = None
        if termijn.strip():
            if not termijn.strip().isdigit():
                raise PortalInputError.one("termijn", _("een aantal werkdagen (1 tot 60)"))
            days = int(termijn.strip())
        workflow.change_status(
            session,
            principal=me,
            dossier=dossier,
            to=status.strip(),
            text=toelichting,
            forward_to=doorzetten_naar,
            answer_days=days,
        )
        session.commit()
    except PortalInputError as exc:
        session.rollback()
        return _page(request, session, me, number, exc.errors, status_code=422)
    if status.strip() in workflow.NEWS_STATUSES:
        workflow.notify(session, dossier=dossier)
    return _done(number, "status")


@router.post("/team/dossiers/{number}/bericht", response_class=HTMLResponse, response_model=None)
def message(
    request: Request, session: SessionDep, me: CurrentUser, number: str, bericht: LongText = ""
) -> Response:
    dossier = service.staff_dossier(session, principal=me, number=number, audit_read=False)
    try:
        workflow.team_message(session, principal=me, dossier=dossier, text=bericht)
        session.commit()
    except PortalInputError as exc:
        session.rollback()
        return _page(request, session, me, number, exc.errors, status_code=422)
    workflow.notify(session, dossier=dossier)
    return _done(number, "bericht")


@router.post("/team/dossiers/{number}/toewijzen", response_class=HTMLResponse, response_model=None)
def assign(
    request: Request, session: SessionDep, me: CurrentUser, number: str, aan: Text = ""
) -> Response:
    """Assign to me, or to the colleague ``aan`` (a user id from the page's list)."""
    dossier = service.staff_dossier(session, principal=me, number=number, audit_read=False)
    try:
        user_id = user_id_of(aan, field="aan")
        queue.assign_to(session, principal=me, dossier=dossier, user_id=user_id)
        session.commit()
    except PortalInputError as exc:
        session.rollback()
        return _page(request, session, me, number, exc.errors, status_code=422)
    return _done(number, "toegewezen")


def user_id_of(text: str, *, field: str) -> int | None:
    """A colleague's id from a form (empty: the caller)."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 10:
        raise PortalInputError.one(field, _("kies een collega uit de lijst"))
    return int(text)
