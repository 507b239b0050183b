"""The receipt as a PDF download: for the citizen who filed the dossier and for staff of its
team; anyone else gets "not found" (audited), every download is an audited read."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.audit.service import record_read
from korps.db.session import SessionDep
from korps.identity.deps import CurrentUser, require
from korps.identity.models import User
from korps.portal import receipt, service
from korps.portal.models import Dossier
from korps.portal.reference import portal_reference

router = APIRouter(include_in_schema=False, dependencies=[Depends(require("burger"))])
team_router = APIRouter(include_in_schema=False, dependencies=[Depends(require(*service.STAFF))])
PDF = "application/pdf"


def _download(session: Session, dossier: Dossier) -> Response:
    record_read(session, entity=service.ENTITY, entity_id=dossier.id, what="ontvangstbewijs (pdf)")
    names = service.names(
        session, unit_ids={dossier.team_id}, gemeente_codes={dossier.gemeente_code}
    )
    category = portal_reference().category(dossier.category)
    body = receipt.pdf(
        dossier=dossier,
        detail=getattr(dossier, "request_detail", None),
        category_name=category.name if category else dossier.category,
        reporter_name=session.scalar(select(User.name).where(User.id == dossier.reporter_id)),
        team_name=names.get(f"unit:{dossier.team_id}", "?"),
        gemeente_name=names.get(f"gemeente:{dossier.gemeente_code}", dossier.gemeente_code),
        printed=service.utc_now(),  # shown in Dutch local time (| tijdstip)
    )
    filename = f"ontvangstbewijs-{dossier.number}.pdf"
    return Response(
        body,
        media_type=PDF,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/mijn/dossiers/{number}/ontvangstbewijs.pdf", response_class=Response)
def citizen_pdf(session: SessionDep, me: CurrentUser, number: str) -> Response:
    dossier = service.citizen_dossier(session, principal=me, number=number, audit_read=False)
    return _download(session, dossier)


@team_router.get("/team/dossiers/{number}/ontvangstbewijs.pdf", response_class=Response)
def team_pdf(session: SessionDep, me: CurrentUser, number: str) -> Response:
    dossier = service.staff_dossier(session, principal=me, number=number, audit_read=False)
    return _download(session, dossier)
