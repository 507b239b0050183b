"""JSON API of the formation domain, mounted under ``/api/v1``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from korps.common.datafile import CATEGORY_RE
from korps.db.session import SessionDep
from korps.formation import schemas, service
from korps.formation.datafile import PERIOD_RE
from korps.identity.deps import require, unit_in_path
from korps.organisation.schemas import ErrorOut

# occupancy is not published: planners, team chiefs and the authorities of the unit read it
router = APIRouter(
    tags=["formation"],
    dependencies=[
        Depends(require("planner", "teamchef", "gezag", "beheerder", unit=unit_in_path("slug")))
    ],
)
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "unknown slug"}
}
Period = Annotated[
    str | None,
    Query(pattern=PERIOD_RE, max_length=20, description="plan period; default: the latest"),
]


@router.get("/units/{slug}/formation", response_model=schemas.GapReport, responses=NOT_FOUND)
def formation_gap(
    session: SessionDep,
    slug: str,
    category: Annotated[
        str, Query(pattern=CATEGORY_RE, max_length=40, description="formatie, wijkagenten, os ...")
    ] = service.DEFAULT_CATEGORY,
    period: Period = None,
    depth: Annotated[int | None, Query(ge=0, le=20, description="levels of rows listed")] = None,
) -> schemas.GapReport:
    """Formation, occupancy, gap and occupancy % of the unit and the units below it."""
    return service.formation_gap(session, slug=slug, category=category, period=period, depth=depth)


@router.get(
    "/units/{slug}/formation/wijkagenten", response_model=schemas.TargetOut, responses=NOT_FOUND
)
def wijkagent_target(
    session: SessionDep,
    slug: str,
    target: Annotated[
        float | None,
        Query(gt=0, le=100, description=f"percent; default {service.WIJKAGENT_TARGET.percent:g}"),
    ] = None,
    period: Period = None,
) -> schemas.TargetOut:
    """Wijkagent occupancy against the monitor target (at least 97 % of the formation)."""
    return service.wijkagent_target(session, slug=slug, target=target, period=period)
