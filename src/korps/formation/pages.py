"""HTML page: formation against occupancy (bezetting) of a unit and the units below it, and
uploading an occupancy file there (the validated, all-or-nothing path of the command line)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from korps.common.datafile import CATEGORY_RE, DatasetError
from korps.common.i18n import _
from korps.db.session import SessionDep
from korps.formation import service
from korps.identity.deps import require, unit_in_path
from korps.web.templating import render

# occupancy is not published: planners, team chiefs and the authorities of the unit read it;
# planners and administrators of the unit import it
router = APIRouter(include_in_schema=False)
READ = [Depends(require("planner", "teamchef", "gezag", "beheerder", unit=unit_in_path("slug")))]
WRITE = [Depends(require("planner", "beheerder", unit=unit_in_path("slug")))]
PREFERRED = ("wijkagenten", "formatie", "operationele_sterkte")


def _page(
    request: Request,
    session: SessionDep,
    *,
    slug: str,
    category: str | None,
    status_code: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    offered = service.categories_with_data(session, slug=slug)
    chosen = category or next((c for c in PREFERRED if c in offered), None)
    chosen = chosen or (offered[0] if offered else "formatie")
    gap = service.formation_gap(session, slug=slug, category=chosen, period=None, depth=2)
    target = service.wijkagent_target(session, slug=slug) if chosen == "wijkagenten" else None
    return render(
        request,
        "formation/occupancy.html",
        status_code=status_code,
        report=gap,
        target=target,
        categories=offered,
        error=error,
    )


@router.get("/eenheden/{slug}/bezetting", response_class=HTMLResponse, dependencies=READ)
def occupancy_page(
    request: Request, session: SessionDep, slug: str, category: str | None = None
) -> HTMLResponse:
    """A category that is not a category name gives this page with a Dutch message (422)."""
    if category is not None and (len(category) > 40 or not re.match(CATEGORY_RE, category)):
        return render(
            request,
            "formation/error.html",
            status_code=422,
            slug=slug,
            detail=(
                _(
                    "De categorie {category} bestaat niet: gebruik kleine letters, cijfers "
                    "en _ (bijvoorbeeld wijkagenten of operationele_sterkte), hoogstens 40 tekens.",
                    category=repr(category[:40]),
                )
            ),
        )
    return _page(request, session, slug=slug, category=category)


@router.post(
    "/eenheden/{slug}/bezetting",
    response_class=HTMLResponse,
    response_model=None,
    dependencies=WRITE,
)
async def upload_occupancy(
    request: Request,
    session: SessionDep,
    slug: str,
    bestand: Annotated[UploadFile, File()],
    blad: Annotated[str, Form(max_length=31)] = "",
) -> Response:
    """Import an uploaded CSV/XLSX: every row valid and under this unit, or nothing written."""
    data = await bestand.read(service.MAX_UPLOAD_BYTES + 1)
    try:
        report = service.import_upload(
            session, slug=slug, data=data, filename=bestand.filename or "", sheet=blad or None
        )
    except DatasetError as exc:
        return _page(
            request,
            session,
            slug=slug,
            category=None,
            status_code=422,
            error=_("Niets geïmporteerd.") + f"\n{exc}",
        )
    first = next(iter(report.messages), None)
    query = f"?geimporteerd={report.rows}&nieuw={report.inserted}&gewijzigd={report.updated}"
    query += f"&ongewijzigd={report.unchanged}" + ("&zonder_formatie=1" if first else "")
    return RedirectResponse(f"/eenheden/{slug}/bezetting{query}", status_code=303)
