"""JSON API for allocation: saved scenarios and allocating a scenario given in the request."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from korps.db.session import SessionDep
from korps.organisation.datafile import DatasetError
from korps.organisation.schemas import ErrorOut
from korps.planning import store
from korps.planning.allocation import AllocationError
from korps.planning.export import result_json
from korps.planning.scenario import Scenario
from korps.planning.service import allocate_scenario

router = APIRouter(tags=["planning"])
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "unknown scenario or unit"},
    422: {"model": ErrorOut, "description": "rules that cannot be met"},
}


@router.get("/scenarios")
def list_scenarios(session: SessionDep) -> list[dict[str, str]]:
    return [{"slug": s.slug, "name": s.name} for s in store.list_saved(session)]


@router.get("/scenarios/{slug}/allocation", responses=ERRORS)
def saved_allocation(session: SessionDep, slug: str) -> dict[str, Any]:
    try:
        return result_json(store.run_saved(session, slug=slug)[2])
    except (AllocationError, DatasetError) as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc


@router.post("/allocate", responses=ERRORS)
def allocate(session: SessionDep, scenario: Scenario) -> dict[str, Any]:
    """Allocate the scenario in the body (the YAML schema of docs/allocation.md, as JSON)."""
    if scenario.workload is not None:
        raise HTTPException(status_code=422, detail="`workload` files are not read over the API")
    try:
        return result_json(allocate_scenario(session, scenario=scenario))
    except AllocationError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
