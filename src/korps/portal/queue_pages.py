"""The work queue's bulk actions and the teamchef's view of the team's load (issue 16.7)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from korps.common.i18n import _
from korps.db.session import SessionDep
from korps.identity.deps import CurrentUser, require
from korps.portal import queue, service, workflow
from korps.portal.errors import PortalInputError
from korps.portal.schemas import local_today
from korps.portal.team_pages import filters_of, queue_page, user_id_of
from korps.web.templating import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=256)]
LongText = Annotated[str, Form()]
Numbers = Annotated[list[str] | None, Form()]  # each cut to a number's length by the service


def _days(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 3:
        raise PortalInputError.one("termijn", _("een aantal werkdagen (1 tot 60)"))
    return int(text)


@router.post(
    "/team/werkvoorraad/bulk",
    response_class=HTMLResponse,
    response_model=None,
    dependencies=[Depends(require(*service.STAFF))],
)
def bulk(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    dossiers: Numbers = None,
    actie: Text = "",
    toewijzen_aan: Text = "",
    status: Text = "",
    toelichting: LongText = "",
    doorzetten_naar: Text = "",
    termijn: Text = "",
    filters: Text = "",
) -> Response:
    """Assign the chosen dossiers, or change their status, all or none; a refusal shows
    the queue again with every refused dossier named."""
    query = urlencode(parse_qsl(filters)[:10])
    chosen = (dossiers or [])[: queue.BULK_MAX + 1]
    try:
        action = queue.BulkAction(
            kind=actie.strip(),
            assignee_id=user_id_of(toewijzen_aan, field="toewijzen_aan") or me.user_id,
            status=status.strip(),
            text=toelichting,
            forward_to=doorzetten_naar,
            answer_days=_days(termijn),
        )
        changed = queue.bulk(session, principal=me, numbers=chosen, action=action)
        session.commit()
    except PortalInputError as exc:
        session.rollback()
        return queue_page(
            request, session, me, filters_of(dict(parse_qsl(query))), query=query,
            errors=exc.errors, chosen=chosen, status_code=422,
        )  # fmt: skip
    if action.kind == "status" and action.status in workflow.NEWS_STATUSES:
        for dossier in changed:
            workflow.notify(session, dossier=dossier)
    done = urlencode([*parse_qsl(query), ("bijgewerkt", str(len(changed)))])
    return RedirectResponse(f"/team/werkvoorraad?{done}", status_code=303)


@router.get(
    "/team/belasting",
    response_class=HTMLResponse,
    dependencies=[Depends(require("teamchef"))],
)
def team_load(request: Request, session: SessionDep, me: CurrentUser) -> HTMLResponse:
    """Per team of the teamchef: open dossiers and those past their deadline per colleague."""
    rows = queue.team_load(session, principal=me, today=local_today(service.utc_now()))
    totals: dict[str, tuple[int, int]] = {}
    for row in rows:
        n, k = totals.get(row.team, (0, 0))
        totals[row.team] = (n + row.open, k + row.overdue)
    return render(request, "portal/team_load.html", rows=rows, totals=totals)
