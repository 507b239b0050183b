"""HTML pages for allocation scenarios: list, create, run with other weights, compare, export."""

from __future__ import annotations

import math
import re
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from korps.common.datafile import DatasetError
from korps.common.i18n import _
from korps.db.session import SessionDep
from korps.identity.deps import CurrentUser
from korps.identity.roles import Principal
from korps.planning import form_pages, store, version_pages
from korps.planning.allocation import AllocationError
from korps.planning.chart import bars
from korps.planning.export import write_csv, write_xlsx
from korps.planning.models import NAME_LENGTH
from korps.planning.plan import Result
from korps.planning.router import router
from korps.planning.scenario import Scenario
from korps.planning.service import list_workload, store_workload
from korps.planning.workload import MAX_BYTES
from korps.web.templating import render

# their routes first: /scenarios/vergelijk and /scenarios/nieuw before /scenarios/{slug}
__all__ = ["form_pages", "router", "version_pages"]
NOT_WEIGHTS = {"naam", "bevestig", "csrf_token", "scheiding"}
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


WEIGHT_FIELD = re.compile(r"^w(\d{1,2})__([a-z][a-z0-9_]{0,59})$")


def parse_weights(form: dict[str, str]) -> dict[int, dict[str, float]]:
    """Form fields ``w<level>__<column>`` -> ``{level: {column: weight}}``; weights finite
    and >= 0. A field that looks like a weight but is malformed is refused, not ignored."""
    weights: dict[int, dict[str, float]] = {}
    for name, value in form.items():
        if name in NOT_WEIGHTS or not name.startswith("w") or "__" not in name:
            continue
        match = WEIGHT_FIELD.match(name)
        if match is None:
            raise AllocationError(_("onbekend gewichtveld {name}", name=repr(name[:60])))
        level, column = int(match.group(1)), match.group(2)
        text = str(value).strip().replace(",", ".")
        try:
            weight = float(text)
        except ValueError as exc:
            raise AllocationError(
                _(
                    "gewicht van {column} is geen getal: {text}",
                    column=repr(column),
                    text=repr(text[:20]),
                )
            ) from exc
        if not math.isfinite(weight) or weight < 0:
            raise AllocationError(
                _("gewicht van {column} moet een eindig getal >= 0 zijn", column=repr(column))
            )
        weights.setdefault(level, {})[column] = weight
    return weights


def _list(
    request: Request,
    session: SessionDep,
    me: Principal,
    *,
    status_code: int = 200,
    error: str | None = None,
    text: str = "",
    taken: str | None = None,
) -> HTMLResponse:
    return render(
        request,
        "planning/list.html",
        status_code=status_code,
        scenarios=store.list_saved(session, reader=me),
        deleted=store.list_saved(session, reader=me, deleted=True),
        error=error,
        text=text,
        taken=taken,
    )


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios_page(request: Request, session: SessionDep, me: CurrentUser) -> HTMLResponse:
    return _list(request, session, me)


@router.post("/scenarios", response_class=HTMLResponse, response_model=None)
def create_scenario(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    text: Annotated[str, Form(max_length=200_000)],
    bevestig: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Save YAML as a new scenario; a name another scenario has is asked about first."""
    try:
        saved = store.save(session, text=text, file="scenario", writer=me, ask=not bevestig)
    except store.NameTaken as taken:
        session.rollback()
        return _list(
            request,
            session,
            me,
            status_code=422,  # asks: nothing saved until confirmed
            error=str(taken),
            text=text,
            taken=taken.saved.name,
        )
    except (DatasetError, AllocationError) as exc:
        session.rollback()
        return _list(request, session, me, status_code=422, error=str(exc), text=text)
    return RedirectResponse(f"/scenarios/{saved.slug}?opgeslagen={saved.version}", status_code=303)


@router.get("/werklast", response_class=HTMLResponse)
def workload_page(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "planning/workload.html", tables=list_workload(session), error=None)


@router.post("/werklast", response_class=HTMLResponse, response_model=None)
async def upload_workload(
    request: Request,
    session: SessionDep,
    bestand: Annotated[UploadFile, File()],
    naam: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Store an uploaded CSV/XLSX workload table; scenarios refer to it by its number."""
    data = await bestand.read(MAX_BYTES + 1)
    try:
        table = store_workload(
            session, data=data, filename=bestand.filename or "upload.csv", name=naam
        )
        session.commit()
    except DatasetError as exc:
        session.rollback()
        return render(
            request,
            "planning/workload.html",
            status_code=422,
            tables=list_workload(session),
            error=str(exc),
        )
    return RedirectResponse(f"/werklast?opgeslagen={table.id}", status_code=303)


def _run(
    request: Request, session: SessionDep, me: Principal, slug: str, form: dict[str, str]
) -> HTMLResponse:
    try:
        weights = parse_weights(form)
        saved, scenario, result = store.run_saved(session, slug=slug, weights=weights, reader=me)
    except (DatasetError, AllocationError) as exc:
        return render(request, "planning/_result.html", status_code=422, error=str(exc))
    return render(
        request,
        "planning/_result.html",
        error=None,
        result=result,
        chart=bars(result),
        saved=saved,
        scenario=scenario,
    )


def shown_weights(scenario: Scenario, result: Result) -> list[dict[str, float]]:
    """The weights the allocation used, per level: the fitted ones on a fitted scenario."""
    levels = [dict(level.weights) for level in scenario.levels]
    if result.fit is not None:
        levels[0] = {c: float(f"{w:.6g}") for c, w in result.fit.weights.items()}
    return levels


@router.get("/scenarios/{slug}", response_class=HTMLResponse)
def scenario_page(
    request: Request, session: SessionDep, me: CurrentUser, slug: str
) -> HTMLResponse:
    saved, scenario, result = store.run_saved(session, slug=slug, reader=me)
    return render(
        request,
        "planning/scenario.html",
        saved=saved,
        scenario=scenario,
        result=result,
        weights=shown_weights(scenario, result),
        chart=bars(result),
        error=None,
        version=None,
    )


@router.post("/scenarios/{slug}/voorbeeld", response_class=HTMLResponse)
async def preview(
    request: Request, session: SessionDep, me: CurrentUser, slug: str
) -> HTMLResponse:
    form = {k: str(v) for k, v in (await request.form()).items()}
    return _run(request, session, me, slug, form)


@router.post("/scenarios/{slug}/opslaan", response_class=HTMLResponse, response_model=None)
async def save_weights(
    request: Request, session: SessionDep, me: CurrentUser, slug: str
) -> Response:
    """A new version of this scenario, or (``naam``) of a scenario of that name: when that is
    another, existing scenario the planner is asked first (``bevestig``)."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        weights = parse_weights(form)
        saved, scenario, _result = store.run_saved(session, slug=slug, weights=weights, reader=me)
        target = form.get("naam", "").strip()
        if len(target) > NAME_LENGTH:
            raise AllocationError(_("naam: te lang (maximaal {length} tekens)", length=NAME_LENGTH))
        if target and target != saved.name:
            scenario = scenario.model_copy(update={"name": target})
        own = not target or store.slugify(target) == saved.slug
        stored = store.save(
            session,
            text=store.to_yaml(scenario),
            slug=saved.slug if own else None,
            writer=me,
            ask=not form.get("bevestig"),
        )
    except store.NameTaken as taken:
        session.rollback()
        return render(
            request,
            "planning/_confirm.html",
            status_code=422,  # asks: nothing saved until confirmed
            message=str(taken),
            saved=saved,
            target_name=target,
        )
    except (DatasetError, AllocationError) as exc:
        session.rollback()
        return render(request, "planning/_result.html", status_code=422, error=str(exc))
    url = f"/scenarios/{stored.slug}?opgeslagen={stored.version}"
    if "HX-Request" in request.headers:  # htmx navigates to the saved scenario
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


@router.get("/scenarios/{slug}/export.{fmt}")
def export(request: Request, session: SessionDep, me: CurrentUser, slug: str, fmt: str) -> Response:
    """The allocation on screen: the weights in the query are the form's (unsaved) ones.
    CSV for Dutch Excel (``;``, decimal comma) unless ``scheiding=komma``."""
    if fmt not in MEDIA:
        return Response(_("onbekend formaat (xlsx of csv)"), status_code=404)
    query = {k: str(v) for k, v in request.query_params.items()}
    try:
        weights = parse_weights(query)
        _saved, _scenario, result = store.run_saved(session, slug=slug, weights=weights, reader=me)
    except (DatasetError, AllocationError) as exc:
        return Response(str(exc), status_code=422, media_type="text/plain; charset=utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{slug}.{fmt}"
        if fmt == "xlsx":
            write_xlsx(result, path)
        else:
            write_csv(result, path, dutch=query.get("scheiding") != "komma")
        content = path.read_bytes()
    headers = {"Content-Disposition": f'attachment; filename="{slug}.{fmt}"'}
    return Response(content, media_type=MEDIA[fmt], headers=headers)
