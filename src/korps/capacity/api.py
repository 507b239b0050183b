"""JSON API of the capacity domain, mounted under ``/api/v1``: people and sick leave."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from korps.capacity import schemas, service
from korps.db.paging import PAGE_HEADERS, PagingDep, page
from korps.db.session import SessionDep
from korps.identity.deps import CurrentUser, require, unit_in_path
from korps.organisation.schemas import ErrorOut

router = APIRouter(
    tags=["capacity"],
    dependencies=[Depends(require(*service.READERS, unit=unit_in_path("slug")))],
)
RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "unknown slug"},
    422: {"model": ErrorOut, "description": "refused input, the field named"},
}


@router.get(
    "/units/{slug}/people",
    response_model=list[schemas.PersonOut],
    responses={**RESPONSES, 200: {"headers": PAGE_HEADERS}},
)
def people(
    session: SessionDep,
    me: CurrentUser,
    slug: str,
    request: Request,
    response: Response,
    paging: PagingDep,
) -> list[schemas.PersonOut]:
    """People of the unit and below, by personnel number; names only for the team's chief
    and planners."""
    total = service.people_count(session, principal=me, slug=slug)
    items = service.people(
        session, principal=me, slug=slug, limit=paging.limit, offset=paging.offset
    )
    return page(items, total=total, paging=paging, request=request, response=response)


@router.get("/units/{slug}/sick-leave", response_model=schemas.SickLeave, responses=RESPONSES)
def sick_leave(
    session: SessionDep,
    me: CurrentUser,
    slug: str,
    starts: Annotated[date, Query(alias="from", description="first day")],
    ends: Annotated[date, Query(alias="to", description="last day")],
) -> schemas.SickLeave:
    """Sick leave: days lost / days available (part-time weighted calendar days)."""
    try:
        return service.sick_leave_of(session, principal=me, slug=slug, starts=starts, ends=ends)
    except service.CapacityError as exc:
        raise HTTPException(status_code=422, detail=f"{exc.field}: {exc}") from exc
