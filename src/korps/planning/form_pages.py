"""HTML page: create a scenario with a form (unit, level, total, weights, rules); it is saved
as the same YAML a planner could have typed, through the same validated path."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.common.datafile import DatasetError
from korps.db.session import SessionDep
from korps.identity.deps import CurrentUser
from korps.identity.roles import Principal, allows
from korps.organisation.models import Unit, UnitFigure
from korps.planning import store
from korps.planning.allocation import AllocationError
from korps.planning.form import WEIGHT_ROWS, scenario_from_form
from korps.planning.router import router
from korps.planning.scenario import GEMEENTE_INDICATORS
from korps.web.templating import render

KINDS = ("district", "basisteam", "team", "dienst", "afdeling", "eenheid")
MAX_FIELD = 2000


def _units(session: Session, me: Principal) -> list[Unit]:
    """The regional units and districts this planner plans for."""
    query = select(Unit).where(Unit.kind.in_(("eenheid", "district"))).order_by(Unit.name)
    return [u for u in session.scalars(query) if allows(me, store.PLANNERS, u.path)]


def _columns(session: Session) -> list[str]:
    figures = set(session.scalars(select(UnitFigure.category).distinct()))
    return sorted(figures | set(GEMEENTE_INDICATORS))


def _form(
    request: Request,
    session: Session,
    me: Principal,
    *,
    values: dict[str, str],
    status_code: int = 200,
    error: str | None = None,
    taken: str | None = None,
    text: str = "",
) -> HTMLResponse:
    return render(
        request,
        "planning/new.html",
        status_code=status_code,
        units=_units(session, me),
        columns=_columns(session),
        kinds=KINDS,
        rows=WEIGHT_ROWS,
        values=values,
        error=error,
        taken=taken,
        text=text,
    )


@router.get("/scenarios/nieuw", response_class=HTMLResponse)
def new_page(request: Request, session: SessionDep, me: CurrentUser) -> HTMLResponse:
    defaults = {"niveau": "basisteam", "stap": "0,1", "kolom0": "inwoners", "gewicht0": "1"}
    return _form(request, session, me, values=defaults)


@router.post("/scenarios/nieuw", response_class=HTMLResponse, response_model=None)
async def create_from_form(request: Request, session: SessionDep, me: CurrentUser) -> Response:
    values = {k: str(v)[:MAX_FIELD] for k, v in (await request.form()).items() if k != "csrf_token"}
    text = ""
    try:
        scenario = scenario_from_form(values)
        text = store.to_yaml(scenario)
        saved = store.save(
            session, text=text, file="formulier", writer=me, ask=not values.get("bevestig")
        )
    except store.NameTaken as taken:
        session.rollback()
        return _form(
            request,
            session,
            me,
            values=values,
            status_code=422,  # asks: nothing saved until confirmed
            error=str(taken),
            taken=taken.saved.name,
            text=text,
        )
    except (DatasetError, AllocationError) as exc:
        session.rollback()
        return _form(
            request, session, me, values=values, status_code=422, error=str(exc), text=text
        )
    return RedirectResponse(f"/scenarios/{saved.slug}?opgeslagen={saved.version}", status_code=303)
