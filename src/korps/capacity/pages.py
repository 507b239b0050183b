"""HTML pages of a team's capacity: people, absences, roster generation, deployable
capacity (table and heatmap), the wall schedule (XLSX) and iCalendar per person."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field

from korps.capacity import edits, export, lending, rostering, schemas, service, templates
from korps.capacity.forms import submit
from korps.capacity.generator import RosterError, SolveOptions
from korps.capacity.twin import roster_effect
from korps.common.i18n import _
from korps.db.session import SessionDep
from korps.identity.deps import CurrentUser, require, unit_in_path
from korps.identity.roles import Principal
from korps.web.templating import render

READ = Depends(require(*service.READERS, unit=unit_in_path("slug")))
EDIT = Depends(require(*service.EDITORS, unit=unit_in_path("slug")))
router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/capaciteit", response_class=HTMLResponse, dependencies=[Depends(require(*service.READERS))]
)
def landing(request: Request, me: CurrentUser) -> HTMLResponse:
    units = sorted({s.unit_slug for s in me.scopes if s.unit_slug and s.role in service.READERS})
    return render(request, "capacity/landing.html", units=units)


def _page(
    request: Request,
    session: SessionDep,
    me: Principal,
    slug: str,
    *,
    error: str | None = None,
    field: str | None = None,
) -> HTMLResponse:
    unit = service.unit_by_slug(session, slug=slug)
    people = service.people(session, principal=me, slug=slug)
    roster = rostering.latest_roster(session, principal=me, slug=slug)
    cells = rostering.deployable(session, roster=roster) if roster else []
    today = date.today()
    first = roster.starts if roster else today
    away = service.absences(
        session, unit=unit, starts=today - timedelta(days=7), ends=today + timedelta(days=60)
    )
    context: dict[str, Any] = {
        "unit": unit,
        "people": people,
        "roster": roster,
        "cells": cells,
        "shortfall": [c for c in cells if c.shortfall > 0],
        "absences": away,
        "editor": service.sees_names(me, unit),
        "error": error,
        "field": field,
        "today": today,
        "templates": templates.shift_templates(session, unit=unit),
        "weeks": lending.weekly_hours(session, unit=unit, starts=first, weeks=4),
    }
    return render(request, "capacity/team.html", status_code=422 if error else 200, **context)


@router.get("/eenheden/{slug}/capaciteit", response_class=HTMLResponse, dependencies=[READ])
def team_page(request: Request, session: SessionDep, me: CurrentUser, slug: str) -> HTMLResponse:
    return _page(request, session, me, slug)


@router.post("/eenheden/{slug}/capaciteit/afwezigheid", response_model=None, dependencies=[EDIT])
def add_absence(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    slug: str,
    number: Annotated[str, Form(max_length=20)],
    kind: Annotated[str, Form(max_length=20)],
    starts: Annotated[str, Form(max_length=10)],
    ends: Annotated[str, Form(max_length=10)],
) -> Response:
    def action() -> None:
        data = schemas.AbsenceIn.model_validate(
            {"number": number, "kind": kind, "starts": starts, "ends": ends}
        )
        service.add_absence(session, principal=me, data=data)

    return submit(
        session,
        action,
        redirect=f"/eenheden/{slug}/capaciteit#inzetbaar",
        failed=lambda message, field: _page(request, session, me, slug, error=message, field=field),
    )


def _cars(values: list[str]) -> tuple[int, ...] | None:
    """Cars per shift template from the form (one field per template), or None: defaults."""
    if not values:
        return None
    try:
        return tuple(int(v) for v in values)
    except ValueError as exc:
        raise service.CapacityError(
            "cars", _("auto's per dienst: hele getallen van 0 tot 50")
        ) from exc


@router.post("/eenheden/{slug}/capaciteit/rooster", response_model=None, dependencies=[EDIT])
def make_roster(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    slug: str,
    starts: Annotated[str, Form(max_length=10)],
    weeks: Annotated[int, Form(ge=1, le=8)],
    cars: Annotated[list[Annotated[str, Field(max_length=3)]], Form(max_length=24)] = [],  # noqa: B006
) -> Response:
    def action() -> None:
        try:
            first = date.fromisoformat(starts)
        except ValueError as exc:
            raise service.CapacityError("starts", _("geen datum (JJJJ-MM-DD)")) from exc
        try:
            rostering.generate(
                session,
                principal=me,
                slug=slug,
                starts=first,
                weeks=weeks,
                cars=_cars(cars),
                options=SolveOptions(time_limit=min(10.0 * weeks, 60.0)),
            )
        except (RosterError, ValueError) as exc:
            if isinstance(exc, service.CapacityError):
                raise
            raise service.CapacityError("rooster", str(exc)) from exc

    return submit(
        session,
        action,
        redirect=f"/eenheden/{slug}/capaciteit#inzetbaar",
        failed=lambda message, field: _page(request, session, me, slug, error=message, field=field),
    )


@router.post("/eenheden/{slug}/capaciteit/dienst", response_model=None, dependencies=[EDIT])
def edit_shift(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    slug: str,
    number: Annotated[str, Form(max_length=20)],
    day: Annotated[str, Form(max_length=10)],
    shift: Annotated[str, Form(max_length=20)],
) -> Response:
    roster = rostering.latest_roster(session, principal=me, slug=slug)
    try:
        if roster is None:
            raise service.CapacityError("roster", _("nog geen rooster"))
        try:
            when = date.fromisoformat(day)
        except ValueError as exc:
            raise service.CapacityError("day", _("geen datum (JJJJ-MM-DD)")) from exc
        edits.edit_shift(
            session, principal=me, roster_id=roster.id, number=number, day=when, shift=shift
        )
    except service.CapacityError as exc:
        session.rollback()
        return _page(request, session, me, slug, error=str(exc), field=exc.field)
    session.commit()
    return RedirectResponse(f"/eenheden/{slug}/capaciteit#inzetbaar", status_code=303)


@router.get("/eenheden/{slug}/capaciteit/effect", response_class=HTMLResponse, dependencies=[READ])
def twin_effect(request: Request, session: SessionDep, me: CurrentUser, slug: str) -> HTMLResponse:
    """The latest roster in the digital twin: planned units against units on the road."""
    unit = service.unit_by_slug(session, slug=slug)
    roster = rostering.latest_roster(session, principal=me, slug=slug)
    if roster is None:
        return render(
            request,
            "capacity/effect.html",
            422,
            unit=unit,
            error=_("nog geen rooster"),
            field="roster",
        )
    try:
        effect = roster_effect(session, roster=roster, team=slug, days=14, replications=2)
    except ValueError as exc:
        return render(request, "capacity/effect.html", 422, unit=unit, error=str(exc), field="twin")
    return render(request, "capacity/effect.html", unit=unit, effect=effect, error=None)


@router.get("/eenheden/{slug}/capaciteit/rooster.xlsx", dependencies=[READ])
def wall_schedule(session: SessionDep, me: CurrentUser, slug: str) -> Response:
    roster = rostering.latest_roster(session, principal=me, slug=slug)
    if roster is None:
        return Response(_("nog geen rooster"), status_code=404, media_type="text/plain")
    unit = service.unit_by_slug(session, slug=slug)
    content = export.wall_schedule(session, roster=roster, names=service.sees_names(me, unit))
    headers = {"Content-Disposition": f'attachment; filename="rooster-{slug}.xlsx"'}
    return Response(content, media_type=XLSX, headers=headers)


@router.get("/eenheden/{slug}/capaciteit/rooster/{number}.ics", dependencies=[READ])
def person_calendar(session: SessionDep, me: CurrentUser, slug: str, number: str) -> Response:
    roster = rostering.latest_roster(session, principal=me, slug=slug)
    content = export.calendar(session, roster=roster, number=number[:20]) if roster else None
    if content is None:
        return Response("geen diensten", status_code=404, media_type="text/plain")
    headers = {"Content-Disposition": f'attachment; filename="{number[:20]}.ics"'}
    return Response(content, media_type="text/calendar", headers=headers)
