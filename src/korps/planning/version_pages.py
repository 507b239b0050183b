"""HTML pages for a scenario's history: versions, opening and restoring one, soft delete,
and comparing two scenarios (or two versions)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from korps.common.datafile import DatasetError
from korps.common.i18n import _
from korps.db.base import MAX_ID
from korps.db.session import SessionDep
from korps.identity.deps import CurrentUser
from korps.planning import compare, store, versions
from korps.planning.allocation import AllocationError
from korps.planning.chart import bars
from korps.planning.router import router
from korps.web.templating import render

Version = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.get("/scenarios/vergelijk", response_class=HTMLResponse)
def compare_page(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    a: Annotated[str, Query(max_length=120)],
    b: Annotated[str, Query(max_length=120)],
    va: Version = None,
    vb: Version = None,
) -> HTMLResponse:
    """A and B on the union of their teams, each beside its own current figure."""
    left = store.run_saved(session, slug=a, reader=me, version=va)
    right = store.run_saved(session, slug=b, reader=me, version=vb)
    a_label = left[0].name + (f" (versie {va})" if va else "")
    b_label = right[0].name + (f" (versie {vb})" if vb else "")
    return render(
        request,
        "planning/compare.html",
        a_label=a_label,
        b_label=b_label,
        left=left,
        right=right,
        pairs=compare.pairs(left[2], right[2]),
        warnings=compare.warnings(("A", left[1], left[2]), ("B", right[1], right[2])),
    )


@router.get("/scenarios/{slug}/versies", response_class=HTMLResponse)
def versions_page(
    request: Request, session: SessionDep, me: CurrentUser, slug: str
) -> HTMLResponse:
    saved = store.get_saved(session, slug=slug, reader=me)
    return render(
        request,
        "planning/versions.html",
        saved=saved,
        versions=store.versions(session, saved=saved),
    )


@router.get("/scenarios/{slug}/versies/{number}", response_class=HTMLResponse)
def version_page(
    request: Request, session: SessionDep, me: CurrentUser, slug: str, number: int
) -> HTMLResponse:
    saved = store.get_saved(session, slug=slug, reader=me)
    version = store.get_version(session, saved=saved, number=number)
    try:
        _saved, scenario, result = store.run_saved(session, slug=slug, reader=me, version=number)
    except (DatasetError, AllocationError) as exc:
        return render(
            request,
            "planning/version.html",
            saved=saved,
            version=version,
            error=str(exc),
            result=None,
        )
    return render(
        request,
        "planning/version.html",
        saved=saved,
        version=version,
        scenario=scenario,
        result=result,
        chart=bars(result),
        error=None,
    )


@router.post("/scenarios/{slug}/versies/{number}/terugzetten", response_model=None)
def restore_version(
    request: Request, session: SessionDep, me: CurrentUser, slug: str, number: int
) -> HTMLResponse | RedirectResponse:
    """Version ``number`` becomes the newest version (nothing in between is lost)."""
    try:
        saved = versions.restore(session, slug=slug, number=number, writer=me)
    except (DatasetError, AllocationError) as exc:
        session.rollback()
        current = store.get_saved(session, slug=slug, reader=me)
        return render(
            request,
            "planning/versions.html",
            status_code=422,
            saved=current,
            versions=store.versions(session, saved=current),
            error=_(
                "versie {number} kan niet worden teruggezet: {error}", number=number, error=exc
            ),
        )
    return RedirectResponse(
        f"/scenarios/{saved.slug}?opgeslagen={saved.version}&teruggezet={number}", status_code=303
    )


@router.post("/scenarios/{slug}/verwijderen")
def delete_scenario(session: SessionDep, me: CurrentUser, slug: str) -> RedirectResponse:
    saved = versions.delete(session, slug=slug, writer=me)
    return RedirectResponse(f"/scenarios?verwijderd={saved.slug}", status_code=303)


@router.post("/scenarios/{slug}/terughalen")
def undelete_scenario(session: SessionDep, me: CurrentUser, slug: str) -> RedirectResponse:
    saved = versions.undelete(session, slug=slug, writer=me)
    return RedirectResponse(f"/scenarios/{saved.slug}?teruggehaald=1", status_code=303)
