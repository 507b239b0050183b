"""The audit trail for the beheerder: filter by entity, actor, action and period; CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from korps.audit.models import AuditEntry
from korps.audit.service import query
from korps.common.formatting import LOCAL_ZONE
from korps.db.session import SessionDep
from korps.identity.deps import require
from korps.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require("beheerder"))])
Filter = Annotated[str, Query(max_length=100)]
Day = Annotated[date | None, Query()]
LIMIT = 500


def _midnight(day: date) -> datetime:
    """The start of ``day`` in Dutch local time, as the trail shows its times, in UTC (as
    stored; the CSV keeps UTC, with its offset)."""
    return datetime.combine(day, time(), LOCAL_ZONE).astimezone(UTC)


def _entries(
    session: SessionDep, entity: str, actor: str, action: str, vanaf: date | None, tot: date | None
) -> list[AuditEntry]:
    statement = query(
        entity=entity or None,
        actor=actor or None,
        action=action or None,
        since=_midnight(vanaf) if vanaf else None,
        until=_midnight(tot + timedelta(days=1)) if tot else None,
    )
    return list(session.scalars(statement.order_by(AuditEntry.id.desc()).limit(LIMIT)))


@router.get("/beheer/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: SessionDep,
    entity: Filter = "",
    actor: Filter = "",
    action: Filter = "",
    vanaf: Day = None,
    tot: Day = None,
) -> HTMLResponse:
    entries = _entries(session, entity, actor, action, vanaf, tot)
    return render(
        request,
        "audit/list.html",
        entries=entries,
        limit=LIMIT,
        filters={
            "entity": entity,
            "actor": actor,
            "action": action,
            "vanaf": vanaf.isoformat() if vanaf else "",
            "tot": tot.isoformat() if tot else "",
        },
    )


@router.get("/beheer/audit.csv")
def audit_csv(
    session: SessionDep,
    entity: Filter = "",
    actor: Filter = "",
    action: Filter = "",
    vanaf: Day = None,
    tot: Day = None,
) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(
        [
            "id",
            "tijd",
            "wie",
            "wie_id",
            "object",
            "object_id",
            "actie",
            "voor",
            "na",
            "verzoek",
            "adres",
        ]
    )
    for e in _entries(session, entity, actor, action, vanaf, tot):
        writer.writerow(
            [
                e.id,
                e.at.isoformat(),
                e.actor,
                e.actor_id or "",
                e.entity,
                e.entity_id,
                e.action,
                e.before or "",
                e.after or "",
                e.request_id or "",
                e.client or "",
            ]
        )
    headers = {"Content-Disposition": 'attachment; filename="audit.csv"'}
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
