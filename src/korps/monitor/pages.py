"""HTML pages of the monitor: the status table of a unit for a year or a quarter, an indicator
with its trend and the drill down to districts and basisteams, the plan as a document with live
status and its adopted formation scenario, the report (HTML and PDF), and entering or importing
actuals and recomputing the computed ones (planner, beheerder)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from korps.common.i18n import _
from korps.db.session import SessionDep
from korps.identity.deps import CurrentUser, require, unit_in_path
from korps.identity.roles import allows, unit_filter
from korps.monitor import adoption, periods, report, service
from korps.monitor.chart import trend_svg
from korps.monitor.compute import compute, plan_periods
from korps.monitor.errors import MonitorRefused
from korps.monitor.importer import read_rows
from korps.monitor.models import Plan
from korps.monitor.periods import Period
from korps.monitor.schemas import MeasurementIn
from korps.organisation.models import Unit
from korps.web.templating import render

MAX_UPLOAD = 2_000_000
read = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(require(*service.READERS, unit=unit_in_path("slug")))],
)
write = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(require(*service.EDITORS, unit=unit_in_path("slug")))],
)
index = APIRouter(include_in_schema=False, dependencies=[Depends(require(*service.READERS))])


@index.get("/monitor", response_class=HTMLResponse)
def monitor_index(request: Request, session: SessionDep, me: CurrentUser) -> HTMLResponse:
    plans = session.execute(
        select(Plan, Unit)
        .join(Unit, Plan.unit_id == Unit.id)
        .where(unit_filter(me, service.READERS, Unit.path))
        .order_by(Unit.name)
    ).all()
    return render(request, "monitor/index.html", plans=plans)


Periode = Annotated[str, Query(max_length=20)]


def _view(periode: str) -> Period | None:
    """The year or quarter asked for (``2025``, ``2025-K2``); empty: this year."""
    try:
        return periods.parse_view(periode)
    except ValueError as exc:
        raise MonitorRefused("periode", str(exc)) from None


def _page(
    request: Request,
    session: SessionDep,
    slug: str,
    me: CurrentUser,
    *,
    view: Period | None = None,
    error: str | None = None,
) -> HTMLResponse:
    day = service.today()
    data = service.overview(session, slug=slug, today=day, view=view)
    unit = service.get_unit(session, slug=slug)
    plan = service.plan_for(session, unit=unit)
    views = [p.label for p in plan_periods(plan, day)] if plan else []
    return render(
        request,
        "monitor/monitor.html",
        status_code=200 if error is None else 422,
        overview=data,
        unit=unit,
        editor=allows(me, service.EDITORS, unit.path),
        views=views,
        error=error,
    )


@read.get("/eenheden/{slug}/monitor", response_class=HTMLResponse)
def monitor_page(
    request: Request, session: SessionDep, slug: str, me: CurrentUser, periode: Periode = ""
) -> HTMLResponse:
    try:
        view = _view(periode)
    except MonitorRefused as exc:
        return _page(request, session, slug, me, error=str(exc))
    return _page(request, session, slug, me, view=view)


@read.get("/eenheden/{slug}/monitor/indicator/{indicator}", response_class=HTMLResponse)
def indicator_page(
    request: Request, session: SessionDep, slug: str, indicator: str, periode: Periode = ""
) -> HTMLResponse:
    try:
        view = _view(periode)
    except MonitorRefused:
        view = None  # a view that is none: this year's
    own, below = service.detail(
        session, slug=slug, code=indicator[:60], today=service.today(), view=view
    )
    unit = service.get_unit(session, slug=slug)
    plan = service.plan_for(session, unit=unit)
    assert plan is not None  # detail() refused a unit without a plan
    ind = service.get_indicator(session, code=own.indicator)
    chart = trend_svg(own, plan.first_year, plan.last_year)
    return render(
        request,
        "monitor/indicator.html",
        row=own,
        below=below,
        unit=unit,
        chart=chart,
        indicator=ind,
        view=(view or periods.year(service.today().year)).label,
    )


@read.get("/eenheden/{slug}/monitor/plan", response_class=HTMLResponse)
def plan_page(request: Request, session: SessionDep, slug: str, me: CurrentUser) -> HTMLResponse:
    return _plan_page(request, session, slug, me)


def _plan_page(
    request: Request, session: SessionDep, slug: str, me: CurrentUser, error: str | None = None
) -> HTMLResponse:
    unit = service.get_unit(session, slug=slug)
    plan = service.plan_for(session, unit=unit)
    data = service.overview(session, slug=slug, today=service.today())
    by_indicator = {row.indicator: row for row in data.rows}
    editor = allows(me, service.EDITORS, unit.path)
    return render(
        request,
        "monitor/plan.html",
        status_code=200 if error is None else 422,
        plan=plan,
        unit=unit,
        rows=by_indicator,
        editor=editor,
        adopted=adoption.adopted(session, plan=plan) if plan else None,
        scenarios=adoption.scenarios_for(session, unit=unit) if editor and plan else [],
        error=error,
    )


@read.get("/eenheden/{slug}/monitor/rapport", response_class=HTMLResponse)
def report_html(session: SessionDep, slug: str) -> HTMLResponse:
    service.get_unit(session, slug=slug)
    return HTMLResponse(report.html(session, slug=slug, today=service.today()))


@read.get("/eenheden/{slug}/monitor/rapport.pdf")
def report_pdf(session: SessionDep, slug: str) -> Response:
    service.get_unit(session, slug=slug)
    day = service.today()
    content = report.pdf(session, slug=slug, today=day)
    name = f"rapportage-{slug}-{day.isoformat()}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@write.post("/eenheden/{slug}/monitor/metingen", response_class=HTMLResponse, response_model=None)
def enter_measurement(
    request: Request,
    session: SessionDep,
    slug: str,
    me: CurrentUser,
    indicator: Annotated[str, Form(max_length=60)] = "",
    unit: Annotated[str, Form(max_length=120)] = "",
    year: Annotated[str, Form(max_length=10)] = "",
    period: Annotated[str, Form(max_length=10)] = "",
    value: Annotated[str, Form(max_length=40)] = "",
    source: Annotated[str, Form(max_length=300)] = "",
) -> HTMLResponse | RedirectResponse:
    try:
        number = float(value.replace(",", ".")) if value.strip() else None
        if number is None:
            raise MonitorRefused("value", _("vul een waarde in"))
        if not year.strip().isdigit():
            raise MonitorRefused("year", _("vul een jaartal in"))
        item = MeasurementIn(
            indicator=indicator,
            unit=unit or slug,
            year=int(year),
            period=period,
            value=number,
            source=source,
        )
        service.enter(session, principal=me, items=[item], today=service.today())
    except ValueError as exc:  # MonitorRefused, a float that is none, ValidationError
        message = str(exc) if isinstance(exc, MonitorRefused) else _short(exc)
        return _page(request, session, slug, me, error=message)
    return RedirectResponse(f"/eenheden/{slug}/monitor", status_code=303)


def _short(exc: ValueError) -> str:
    if isinstance(exc, ValidationError):
        field = str(exc.errors()[0]["loc"][0])
        return str(MonitorRefused(field, _("ontbreekt of is ongeldig")))
    return str(MonitorRefused("value", _("geen getal")))


@write.post(
    "/eenheden/{slug}/monitor/plan/vaststellen", response_class=HTMLResponse, response_model=None
)
def adopt_plan(
    request: Request,
    session: SessionDep,
    slug: str,
    me: CurrentUser,
    datum: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse | RedirectResponse:
    try:
        try:
            on = date.fromisoformat(datum)
        except ValueError:
            raise MonitorRefused("datum", _("vul een datum in (JJJJ-MM-DD)")) from None
        service.adopt_plan(session, principal=me, slug=slug, on=on)
    except MonitorRefused as exc:
        return _page(request, session, slug, me, error=str(exc))
    return RedirectResponse(f"/eenheden/{slug}/monitor/plan", status_code=303)


@write.post(
    "/eenheden/{slug}/monitor/plan/scenario", response_class=HTMLResponse, response_model=None
)
def adopt_scenario(
    request: Request,
    session: SessionDep,
    slug: str,
    me: CurrentUser,
    scenario: Annotated[str, Form(max_length=120)] = "",
) -> HTMLResponse | RedirectResponse:
    try:
        adoption.adopt_scenario(session, principal=me, slug=slug, scenario=scenario)
    except MonitorRefused as exc:
        return _plan_page(request, session, slug, me, error=str(exc))
    return RedirectResponse(f"/eenheden/{slug}/monitor/plan", status_code=303)


@write.post("/eenheden/{slug}/monitor/berekenen", response_class=HTMLResponse, response_model=None)
def recompute(
    request: Request, session: SessionDep, slug: str, me: CurrentUser
) -> HTMLResponse | RedirectResponse:
    try:
        compute(session, principal=me, slug=slug, today=service.today())
    except MonitorRefused as exc:
        return _page(request, session, slug, me, error=str(exc))
    return RedirectResponse(f"/eenheden/{slug}/monitor", status_code=303)


@write.post("/eenheden/{slug}/monitor/import", response_class=HTMLResponse, response_model=None)
async def import_measurements(
    request: Request,
    session: SessionDep,
    slug: str,
    me: CurrentUser,
    bestand: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse | RedirectResponse:
    try:
        if bestand is None or not bestand.filename:
            raise MonitorRefused("bestand", _("kies een CSV- of XLSX-bestand"))
        content = await bestand.read(MAX_UPLOAD + 1)
        if len(content) > MAX_UPLOAD:
            raise MonitorRefused("bestand", _("groter dan 2 MB"))
        items, lines = read_rows(content, bestand.filename)
        service.enter(session, principal=me, items=items, today=service.today(), lines=lines)
    except MonitorRefused as exc:
        return _page(request, session, slug, me, error=f"import geweigerd, niets opgeslagen: {exc}")
    return RedirectResponse(f"/eenheden/{slug}/monitor", status_code=303)
