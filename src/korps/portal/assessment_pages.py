"""The individual assessment's pages (Dutch): the citizen fills it in from their own open
dossier, staff of the dossier's team complete or revise it. Both show the level and the
advised measures the rule table gives; anyone else gets "not found" (audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from korps.db.session import SessionDep
from korps.identity.deps import CurrentUser, require
from korps.identity.roles import Principal
from korps.portal import assessment, service
from korps.portal.errors import PortalInputError
from korps.portal.models import Dossier
from korps.portal.reference import portal_reference
from korps.web.templating import render, templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require("burger"))])
team_router = APIRouter(include_in_schema=False, dependencies=[Depends(require(*service.STAFF))])
CITIZEN = "/mijn/dossiers/{number}/beoordeling"
TEAM = "/team/dossiers/{number}/beoordeling"
CLOSED = "dit dossier is gesloten; de beoordeling kan alleen het team nog aanpassen"


def _show(
    request: Request,
    session: Session,
    *,
    dossier: Dossier,
    side: str,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    rules = assessment.rule_table()
    found = assessment.of_dossier(session, dossier=dossier)
    if form is None and found is not None:
        form = {code: assessment.YES if yes else assessment.NO
                for code, yes in found.answers.items()}  # fmt: skip
    base = "/team/dossiers" if side == "team" else "/mijn/dossiers"
    return render(
        request,
        "portal/ib.html",
        status_code=status_code,
        dossier=dossier,
        reference=portal_reference(),
        rules=rules,
        found=found,
        values=form or {},
        errors=errors or {},
        side=side,
        action=f"{base}/{dossier.number}/beoordeling",
        back=f"{base}/{dossier.number}",
        open=portal_reference().status(dossier.status).open,
    )


def _save(
    request: Request,
    session: Session,
    *,
    me: Principal,
    dossier: Dossier,
    side: str,
    form: dict[str, str],
) -> Response:
    try:
        if side == "burger" and not portal_reference().status(dossier.status).open:
            raise PortalInputError.one("beoordeling", CLOSED)
        answers = assessment.check_answers(form, rules=assessment.rule_table())
        team = dossier.team_id
        assessment.save(session, principal=me, dossier=dossier, answers=answers, side=side)
        moved = dossier.team_id != team
        session.commit()
    except PortalInputError as exc:
        session.rollback()
        return _show(request, session, dossier=dossier, side=side, form=form,
                     errors=exc.errors, status_code=422)  # fmt: skip
    if side == "team" and moved:  # the dossier went to another unit's queue
        return RedirectResponse(f"/team/werkvoorraad?herrouteerd={dossier.number}", 303)
    base = "/team/dossiers" if side == "team" else "/mijn/dossiers"
    return RedirectResponse(f"{base}/{dossier.number}/beoordeling?ok=1", status_code=303)


async def _form(request: Request) -> dict[str, str]:
    """The yes/no answers posted (only the rule table's questions are read)."""
    posted = await request.form()
    codes = {q.code for q in assessment.rule_table().questions}
    return {k: str(v)[:10] for k, v in posted.items() if k in codes and isinstance(v, str)}


Answers = Annotated[dict[str, str], Depends(_form)]


@router.get(CITIZEN, response_class=HTMLResponse)
def citizen_page(request: Request, session: SessionDep, me: CurrentUser, number: str) -> Response:
    dossier = service.citizen_dossier(session, principal=me, number=number)
    return _show(request, session, dossier=dossier, side="burger")


@router.post(CITIZEN, response_class=HTMLResponse, response_model=None)
def citizen_save(
    request: Request, session: SessionDep, me: CurrentUser, number: str, form: Answers
) -> Response:
    dossier = service.citizen_dossier(session, principal=me, number=number, audit_read=False)
    return _save(request, session, me=me, dossier=dossier, side="burger", form=form)


@team_router.get(TEAM, response_class=HTMLResponse)
def team_page(request: Request, session: SessionDep, me: CurrentUser, number: str) -> Response:
    dossier = service.staff_dossier(session, principal=me, number=number)
    return _show(request, session, dossier=dossier, side="team")


@team_router.post(TEAM, response_class=HTMLResponse, response_model=None)
def team_save(
    request: Request, session: SessionDep, me: CurrentUser, number: str, form: Answers
) -> Response:
    dossier = service.staff_dossier(session, principal=me, number=number, audit_read=False)
    return _save(request, session, me=me, dossier=dossier, side="team", form=form)


templates.env.globals["ib_rules"] = assessment.rule_table  # the summary in portal/_extras.html
