"""HTML pages of a team's roster planning: its shift templates, its people's wishes and the
printable wall schedule (people by days, pseudonymous unless the reader may see names)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from korps.audit.service import record_read
from korps.capacity import export, rostering, schemas, service, templates, wishlist
from korps.capacity.forms import submit
from korps.db.base import MAX_ID
from korps.db.session import SessionDep
from korps.identity.deps import CurrentUser, require, unit_in_path
from korps.identity.roles import Principal
from korps.web.templating import render

READ = Depends(require(*service.READERS, unit=unit_in_path("slug")))
EDIT = Depends(require(*service.EDITORS, unit=unit_in_path("slug")))
router = APIRouter(include_in_schema=False)
Text20 = Annotated[str, Form(max_length=20)]
Date10 = Annotated[str, Form(max_length=10)]


def _templates_page(
    request: Request,
    session: SessionDep,
    me: Principal,
    slug: str,
    error: str = "",
    field: str = "",
) -> HTMLResponse:
    unit = service.unit_by_slug(session, slug=slug)
    context = {
        "unit": unit,
        "templates": templates.shift_templates(session, unit=unit),
        "own": templates.own_templates(session, unit=unit),
        "editor": service.sees_names(me, unit),
        "weekday_text": schemas.weekday_text,
        "error": error,
        "field": field,
    }
    return render(request, "capacity/templates.html", 422 if error else 200, **context)


def _on_templates(
    request: Request, session: SessionDep, me: Principal, slug: str, action: Callable[[], object]
) -> Response:
    """Run a change of the templates; back to the templates page, or it again with the error."""
    return submit(
        session,
        action,
        redirect=f"/eenheden/{slug}/capaciteit/diensten",
        failed=lambda message, field: _templates_page(request, session, me, slug, message, field),
    )


def _on_wishes(
    request: Request, session: SessionDep, me: Principal, slug: str, action: Callable[[], object]
) -> Response:
    """Run a change of the wishes; back to the wishes page, or it again with the error."""
    return submit(
        session,
        action,
        redirect=f"/eenheden/{slug}/capaciteit/wensen",
        failed=lambda message, field: _wishes_page(request, session, me, slug, message, field),
    )


@router.get(
    "/eenheden/{slug}/capaciteit/diensten", response_class=HTMLResponse, dependencies=[READ]
)
def shift_templates(
    request: Request, session: SessionDep, me: CurrentUser, slug: str
) -> HTMLResponse:
    return _templates_page(request, session, me, slug)


@router.post("/eenheden/{slug}/capaciteit/diensten", response_model=None, dependencies=[EDIT])
def save_template(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    slug: str,
    name: Text20,
    start: Annotated[str, Form(max_length=5)],
    end: Annotated[str, Form(max_length=5)],
    days: Annotated[str, Form(max_length=40)] = "ma-zo",
    crews: Annotated[str, Form(max_length=3)] = "1",
    night: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    def action() -> None:
        data = schemas.TeamShiftIn.model_validate(
            {
                "unit": slug,
                "name": name,
                "start": start,
                "end": end,
                "days": days,
                "crews": crews,
                "night": night == "on",
            }
        )
        templates.save_template(session, principal=me, data=data)

    return _on_templates(request, session, me, slug, action)


@router.post(
    "/eenheden/{slug}/capaciteit/diensten/verwijderen", response_model=None, dependencies=[EDIT]
)
def remove_template(
    request: Request, session: SessionDep, me: CurrentUser, slug: str, name: Text20
) -> Response:
    return _on_templates(
        request,
        session,
        me,
        slug,
        lambda: templates.remove_template(session, principal=me, slug=slug, name=name),
    )


def _wishes_page(
    request: Request,
    session: SessionDep,
    me: Principal,
    slug: str,
    error: str = "",
    field: str = "",
) -> HTMLResponse:
    unit = service.unit_by_slug(session, slug=slug)
    today = date.today()
    roster = rostering.latest_roster(session, principal=me, slug=slug)
    context = {
        "unit": unit,
        "wishes": wishlist.team_wishes(
            session, unit=unit, starts=today - timedelta(days=7), ends=today + timedelta(days=366)
        ),
        "labels": wishlist.LABELS,
        "templates": templates.shift_templates(session, unit=unit),
        "roster": roster,
        "editor": service.sees_names(me, unit),
        "error": error,
        "field": field,
    }
    return render(request, "capacity/wishes.html", 422 if error else 200, **context)


@router.get("/eenheden/{slug}/capaciteit/wensen", response_class=HTMLResponse, dependencies=[READ])
def wishes(request: Request, session: SessionDep, me: CurrentUser, slug: str) -> HTMLResponse:
    return _wishes_page(request, session, me, slug)


@router.post("/eenheden/{slug}/capaciteit/wensen", response_model=None, dependencies=[EDIT])
def add_wish(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    slug: str,
    number: Text20,
    kind: Text20,
    starts: Date10,
    ends: Date10,
    shift: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    def action() -> None:
        data = schemas.WishIn.model_validate(
            {"number": number, "kind": kind, "shift": shift or None, "starts": starts, "ends": ends}
        )
        wishlist.add_wish(session, principal=me, data=data)

    return _on_wishes(request, session, me, slug, action)


@router.post(
    "/eenheden/{slug}/capaciteit/wensen/verwijderen", response_model=None, dependencies=[EDIT]
)
def remove_wish(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    slug: str,
    wish: Annotated[int, Form(ge=1, le=MAX_ID)],
) -> Response:
    return _on_wishes(
        request,
        session,
        me,
        slug,
        lambda: wishlist.remove_wish(session, principal=me, slug=slug, wish_id=wish),
    )


@router.get(
    "/eenheden/{slug}/capaciteit/rooster/afdrukken",
    response_class=HTMLResponse,
    dependencies=[READ],
)
def printable(request: Request, session: SessionDep, me: CurrentUser, slug: str) -> HTMLResponse:
    """The latest roster as the team's wall schedule, laid out for paper (print CSS)."""
    unit = service.unit_by_slug(session, slug=slug)
    roster = rostering.latest_roster(session, principal=me, slug=slug)
    if roster is None:
        return render(request, "capacity/print.html", 404, unit=unit, table=None, roster=None)
    table = export.schedule(session, roster=roster, names=service.sees_names(me, unit))
    if table.named:
        record_read(
            session, entity="capacity_roster", entity_id=roster.id, what="rooster met namen"
        )
    return render(request, "capacity/print.html", unit=unit, table=table, roster=roster)
