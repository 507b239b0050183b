"""JSON API of the organisation registry, mounted under ``/api/v1``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from korps.db.paging import PAGE_HEADERS, PagingDep, page, window
from korps.db.session import SessionDep
from korps.identity.deps import PUBLIC
from korps.organisation import schemas, service

router = APIRouter(tags=["organisation"], dependencies=[Depends(PUBLIC)])  # published
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": schemas.ErrorOut, "description": "unknown slug or code"}
}
Kind = Annotated[
    str | None,
    Query(pattern="^(korps|eenheid|dienst|afdeling|district|basisteam|team|zone|directie)$"),
]


PAGED: dict[int | str, dict[str, Any]] = {200: {"headers": PAGE_HEADERS}}


@router.get("/units", response_model=list[schemas.UnitSummary], responses=PAGED)
def list_units(
    session: SessionDep,
    request: Request,
    response: Response,
    paging: PagingDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    kind: Kind = None,
) -> list[schemas.UnitSummary]:
    """Units (paged: ``limit``, ``offset``; ``X-Total-Count``, ``Link: rel="next"``)."""
    units, total = service.list_units_page(
        session, q=q, kind=kind, limit=paging.limit, offset=paging.offset
    )
    return page(units, total=total, paging=paging, request=request, response=response)


@router.get("/units/{slug}", response_model=schemas.UnitDetail, responses=NOT_FOUND)
def get_unit(session: SessionDep, slug: str) -> schemas.UnitDetail:
    return service.unit_detail(session, slug=slug)


@router.get("/units/{slug}/tree", response_model=schemas.UnitNode, responses=NOT_FOUND)
def get_unit_tree(
    session: SessionDep, slug: str, depth: Annotated[int | None, Query(ge=0, le=20)] = None
) -> schemas.UnitNode:
    return service.unit_tree(session, slug=slug, depth=depth)


@router.get("/municipalities", response_model=list[schemas.GemeenteRef], responses=PAGED)
def list_municipalities(
    session: SessionDep,
    request: Request,
    response: Response,
    paging: PagingDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> list[schemas.GemeenteRef]:
    """Municipalities (paged like every list)."""
    found = service.list_gemeenten(session, q=q)
    items = window(found, paging)
    return page(items, total=len(found), paging=paging, request=request, response=response)


@router.get("/municipalities/{code}", response_model=schemas.GemeenteDetail, responses=NOT_FOUND)
def get_municipality(session: SessionDep, code: str) -> schemas.GemeenteDetail:
    return service.gemeente_detail(session, code=code)


@router.get("/partnerships", response_model=list[schemas.PartnershipOut], responses=PAGED)
def list_partnerships(
    session: SessionDep,
    request: Request,
    response: Response,
    paging: PagingDep,
    kind: Annotated[str | None, Query(pattern="^(veiligheidsregio|veiligheidshuis|riec)$")] = None,
) -> list[schemas.PartnershipOut]:
    found = service.list_partnerships(session, kind=kind)
    items = window(found, paging)
    return page(items, total=len(found), paging=paging, request=request, response=response)


@router.get("/datasets", response_model=list[schemas.DatasetOut], responses=PAGED)
def list_datasets(
    session: SessionDep, request: Request, response: Response, paging: PagingDep
) -> list[schemas.DatasetOut]:
    found = service.list_datasets(session)
    items = window(found, paging)
    return page(items, total=len(found), paging=paging, request=request, response=response)


@router.get(
    "/datasets/{name}/totals",
    response_model=list[schemas.TotalOut],
    responses={**NOT_FOUND, **PAGED},
)
def dataset_totals(
    session: SessionDep, name: str, request: Request, response: Response, paging: PagingDep
) -> list[schemas.TotalOut]:
    found = service.dataset_totals(session, name=name)
    items = window(found, paging)
    return page(items, total=len(found), paging=paging, request=request, response=response)
