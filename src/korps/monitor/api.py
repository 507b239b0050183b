"""JSON API of the monitor: the status table of a unit (the same figures as the pages), for a
year or a quarter (``?periode=2025-K2``; default this year)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from korps.db.session import SessionDep
from korps.identity.deps import require, unit_in_path
from korps.monitor import periods, schemas, service
from korps.organisation.schemas import ErrorOut

router = APIRouter(
    tags=["monitor"],
    dependencies=[Depends(require(*service.READERS, unit=unit_in_path("slug")))],
)


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "unknown unit"},
    422: {"model": ErrorOut, "description": "an unknown period, the field named"},
}


@router.get("/monitor/{slug}", response_model=schemas.Overview, responses=ERRORS)
def monitor_status(
    session: SessionDep, slug: str, periode: Annotated[str, Query(max_length=20)] = ""
) -> schemas.Overview:
    """Per indicator of the unit's plan: actuals, targets as published, status and trend."""
    try:
        view = periods.parse_view(periode)
    except ValueError as exc:
        raise HTTPException(422, detail=f"periode: {exc}") from None
    return service.overview(session, slug=slug, today=service.today(), view=view)
