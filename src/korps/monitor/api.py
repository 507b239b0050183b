"""JSON API of the monitor: the status table of a unit (the same figures as the pages)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from korps.db.session import SessionDep
from korps.identity.deps import require, unit_in_path
from korps.monitor import schemas, service

router = APIRouter(
    tags=["monitor"],
    dependencies=[Depends(require(*service.READERS, unit=unit_in_path("slug")))],
)


@router.get("/monitor/{slug}", response_model=schemas.Overview)
def monitor_status(session: SessionDep, slug: str) -> schemas.Overview:
    """Per indicator of the unit's plan: actuals, targets as published, status and trend."""
    return service.overview(session, slug=slug, today=service.today())
