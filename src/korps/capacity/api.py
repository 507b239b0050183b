"""JSON API of the capacity domain, mounted under ``/api/v1``: people and sick leave."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from korps.capacity import schemas, service
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


@router.get("/units/{slug}/people", response_model=list[schemas.PersonOut], responses=RESPONSES)
def people(session: SessionDep, me: CurrentUser, slug: str) -> list[schemas.PersonOut]:
    """People of the unit and below; names only for the team's chief and planners."""
    return service.people(session, principal=me, slug=slug)


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
