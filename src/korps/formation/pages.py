"""HTML page: formation against occupancy (bezetting) of a unit and the units below it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from korps.db.session import SessionDep
from korps.formation import service
from korps.identity.deps import require, unit_in_path
from korps.organisation.datafile import CATEGORY_RE
from korps.web.templating import render

# occupancy is not published: planners, team chiefs and the authorities of the unit read it
router = APIRouter(
    include_in_schema=False,
    dependencies=[
        Depends(require("planner", "teamchef", "gezag", "beheerder", unit=unit_in_path("slug")))
    ],
)


@router.get("/eenheden/{slug}/bezetting", response_class=HTMLResponse)
def occupancy_page(
    request: Request,
    session: SessionDep,
    slug: str,
    category: Annotated[str, Query(pattern=CATEGORY_RE, max_length=40)] = "wijkagenten",
) -> HTMLResponse:
    report = service.formation_gap(session, slug=slug, category=category, period=None, depth=2)
    target = service.wijkagent_target(session, slug=slug) if category == "wijkagenten" else None
    return render(request, "formation/occupancy.html", report=report, target=target)
