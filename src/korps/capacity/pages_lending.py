"""HTML page of flexteam lending: the lendings from and to a team, entering one (from the
team whose person is lent; overlapping lending refused), and the team's deployable hours per
week, where a lending shows as hours lent out in one team and lent in in the other."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from korps.capacity import lending, schemas, service
from korps.capacity.forms import submit
from korps.db.session import SessionDep
from korps.identity.deps import CurrentUser, require, unit_in_path
from korps.identity.roles import Principal
from korps.web.templating import render

READ = Depends(require(*service.READERS, unit=unit_in_path("slug")))
EDIT = Depends(require(*service.EDITORS, unit=unit_in_path("slug")))
router = APIRouter(include_in_schema=False)
WEEKS = 8


def _monday(text: str | None) -> date:
    try:
        day = date.fromisoformat(text) if text else date.today()
    except ValueError:
        day = date.today()
    return day - timedelta(days=day.weekday())


def _page(
    request: Request,
    session: SessionDep,
    me: Principal,
    slug: str,
    *,
    starts: str | None = None,
    error: str = "",
    field: str = "",
) -> HTMLResponse:
    unit = service.unit_by_slug(session, slug=slug)
    first = _monday(starts)
    context = {
        "unit": unit,
        "lendings": lending.lendings(session, unit=unit),
        "weeks": lending.weekly_hours(session, unit=unit, starts=first, weeks=WEEKS),
        "first": first,
        "editor": service.sees_names(me, unit),
        "error": error,
        "field": field,
    }
    return render(request, "capacity/lending.html", 422 if error else 200, **context)


@router.get(
    "/eenheden/{slug}/capaciteit/uitlening", response_class=HTMLResponse, dependencies=[READ]
)
def lending_page(
    request: Request, session: SessionDep, me: CurrentUser, slug: str, vanaf: str | None = None
) -> HTMLResponse:
    return _page(request, session, me, slug, starts=(vanaf or "")[:10] or None)


@router.post("/eenheden/{slug}/capaciteit/uitlening", response_model=None, dependencies=[EDIT])
def lend(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    slug: str,
    number: Annotated[str, Form(max_length=20)],
    to_unit: Annotated[str, Form(max_length=120)],
    starts: Annotated[str, Form(max_length=10)],
    ends: Annotated[str, Form(max_length=10)],
    hours_per_week: Annotated[str, Form(max_length=6)],
) -> Response:
    def action() -> None:
        data = schemas.LendingIn.model_validate(
            {
                "number": number,
                "from_unit": slug,
                "to_unit": to_unit,
                "starts": starts,
                "ends": ends,
                "hours_per_week": hours_per_week.replace(",", "."),
            }
        )
        service.add_lending(session, principal=me, data=data)

    return submit(
        session,
        action,
        redirect=f"/eenheden/{slug}/capaciteit/uitlening?vanaf={starts}",
        failed=lambda message, field: _page(
            request, session, me, slug, error=message, field=field, starts=starts
        ),
    )
