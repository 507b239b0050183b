"""JSON API for allocation: saved scenarios and allocating a scenario given in the request."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, Response, UploadFile
from pydantic import BaseModel

from korps.common.datafile import DatasetError
from korps.db.paging import PAGE_HEADERS, PagingDep, page, window
from korps.db.session import SessionDep
from korps.identity.deps import CurrentUser, require
from korps.organisation.schemas import ErrorOut
from korps.planning import store
from korps.planning.allocation import AllocationError
from korps.planning.export import result_json
from korps.planning.models import WorkloadTable
from korps.planning.scenario import Scenario
from korps.planning.service import allocate_scenario, list_workload, store_workload
from korps.planning.workload import MAX_BYTES

router = APIRouter(tags=["planning"], dependencies=[Depends(require("planner"))])
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "unknown scenario or unit"},
    422: {"model": ErrorOut, "description": "rules that cannot be met"},
}


PAGED: dict[int | str, dict[str, Any]] = {200: {"headers": PAGE_HEADERS}}


@router.get("/scenarios", responses=PAGED)
def list_scenarios(
    session: SessionDep, me: CurrentUser, request: Request, response: Response, paging: PagingDep
) -> list[dict[str, str]]:
    found = store.list_saved(session, reader=me)
    items = [{"slug": s.slug, "name": s.name} for s in window(found, paging)]
    return page(items, total=len(found), paging=paging, request=request, response=response)


@router.get("/scenarios/{slug}/allocation", responses=ERRORS)
def saved_allocation(session: SessionDep, me: CurrentUser, slug: str) -> dict[str, Any]:
    try:
        return result_json(store.run_saved(session, slug=slug, reader=me)[2])
    except (AllocationError, DatasetError) as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc


@router.post("/allocate", responses=ERRORS)
def allocate(session: SessionDep, me: CurrentUser, scenario: Scenario) -> dict[str, Any]:
    """Allocate the scenario in the body (the YAML schema of docs/allocation.md, as JSON).

    A `workload` file is never read over the API: upload the table to
    `/workload-tables` and name it with `workload_table`."""
    store.ensure_may_use(session, principal=me, scenario=scenario)
    try:
        return result_json(allocate_scenario(session, scenario=scenario))
    except AllocationError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc


class WorkloadTableOut(BaseModel):
    id: int
    name: str
    filename: str
    teams: int
    created_at: datetime


def _table_out(table: WorkloadTable) -> WorkloadTableOut:
    return WorkloadTableOut(
        id=table.id,
        name=table.name,
        filename=table.filename,
        teams=table.team_count,
        created_at=table.created_at,
    )


@router.get("/workload-tables", responses=PAGED)
def list_workload_tables(
    session: SessionDep, request: Request, response: Response, paging: PagingDep
) -> list[WorkloadTableOut]:
    found = list_workload(session)
    items = [_table_out(t) for t in window(found, paging)]
    return page(items, total=len(found), paging=paging, request=request, response=response)


@router.post("/workload-tables", status_code=201, responses=ERRORS)
async def upload_workload_table(
    session: SessionDep,
    file: Annotated[UploadFile, File(description="CSV or XLSX: a `team` column + indicators")],
    name: Annotated[str, Form(max_length=200)] = "",
) -> WorkloadTableOut:
    """Store a workload table; a scenario refers to it with `workload_table: <id>`."""
    data = await file.read(MAX_BYTES + 1)
    try:
        table = store_workload(
            session, data=data, filename=file.filename or "upload.csv", name=name
        )
        session.commit()
    except DatasetError as exc:
        session.rollback()
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return _table_out(table)
