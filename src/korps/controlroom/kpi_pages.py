"""The KPI page of the control room: response times per priority, district, basisteam or
unit for a period, against the norms (``korps.controlroom.kpi``)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from korps.common.fields import EARLIEST, LATEST
from korps.controlroom import kpi, schemas
from korps.controlroom.access import eenheid_of_request
from korps.controlroom.errors import releasing
from korps.controlroom.reference import bundled_reference
from korps.controlroom.times import LOCAL, local, utc_now
from korps.db.session import SessionDep
from korps.identity.deps import require
from korps.web.templating import render

router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(require("centralist", unit=eenheid_of_request))],
)


def _day(text: str | None, default: datetime) -> datetime:
    if not text:
        return default
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return default
    if not EARLIEST.year < day.year < LATEST.year:  # a day of year 1 would overflow in UTC
        return default
    return datetime.combine(day, time(), tzinfo=LOCAL)


@router.get("/meldkamer/{eenheid}/kpi", response_class=HTMLResponse)
@releasing
def kpi_page(
    request: Request,
    session: SessionDep,
    eenheid: str,
    since: Annotated[str | None, Query(max_length=10)] = None,
    until: Annotated[str | None, Query(max_length=10)] = None,
    group: schemas.KpiGroup = "priority",
) -> HTMLResponse:
    today = datetime.combine(local(utc_now()).date(), time(), tzinfo=LOCAL)
    start = _day(since, today - timedelta(days=6))
    end = _day(until, today) + timedelta(days=1)  # until is inclusive on the page
    if end <= start:
        end = start + timedelta(days=1)
    report = kpi.kpis(session, eenheid=eenheid, since=start, until=end, group=group)
    return render(
        request,
        "controlroom/kpi.html",
        report=report,
        since=start.date().isoformat(),
        until=(end - timedelta(days=1)).date().isoformat(),
        group=group,
        norms=bundled_reference().norms,
    )
