"""HTML pages of the organisation registry (Dutch UI)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from korps.common.i18n import _
from korps.db.session import SessionDep
from korps.identity.deps import PUBLIC
from korps.organisation import service
from korps.organisation.service import NotFoundError
from korps.organisation.sources import sources
from korps.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(PUBLIC)])  # published


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> HTMLResponse:
    return render(
        request,
        "organisation/home.html",
        units=service.top_units(session),
        datasets=service.list_datasets(session),
    )


@router.get("/zoeken", response_class=HTMLResponse)
def search(
    request: Request, session: SessionDep, q: Annotated[str, Query(max_length=100)] = ""
) -> HTMLResponse:
    units = service.list_units(session, q=q, limit=100) if q else []
    gemeenten = service.list_gemeenten(session, q=q) if q else []
    template = (
        "_partials/search_results.html"
        if "HX-Request" in request.headers
        else "organisation/search.html"
    )
    return render(request, template, q=q, units=units, gemeenten=gemeenten)


@router.get("/eenheden/{slug}", response_class=HTMLResponse)
def unit_page(request: Request, session: SessionDep, slug: str) -> HTMLResponse:
    return render(request, "organisation/unit.html", unit=service.unit_detail(session, slug=slug))


@router.get("/gemeenten/{code}", response_class=HTMLResponse)
def gemeente_page(request: Request, session: SessionDep, code: str) -> HTMLResponse:
    return render(
        request, "organisation/gemeente.html", gemeente=service.gemeente_detail(session, code=code)
    )


@router.get("/gemeenten", response_class=HTMLResponse)
def gemeenten_page(
    request: Request, session: SessionDep, q: Annotated[str, Query(max_length=100)] = ""
) -> HTMLResponse:
    return render(
        request,
        "organisation/gemeenten.html",
        q=q,
        gemeenten=service.list_gemeenten(session, q=q or None),
    )


@router.get("/samenwerking", response_class=HTMLResponse)
def partnerships_page(request: Request, session: SessionDep) -> HTMLResponse:
    return render(
        request, "organisation/partnerships.html", partnerships=service.list_partnerships(session)
    )


@router.get("/bronnen", response_class=HTMLResponse)
def sources_page(request: Request) -> HTMLResponse:
    return render(request, "organisation/sources.html", sources=list(sources().values()))


@router.get("/bronnen/{file}", response_class=HTMLResponse)
def source_page(request: Request, file: str) -> HTMLResponse:
    source = sources().get(file)
    if source is None:
        raise NotFoundError(_("onbekende bron {file}", file=repr(file[:60])))
    return render(request, "organisation/source.html", source=source)
