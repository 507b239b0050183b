"""Attachments on the web: the citizen adds photos and PDFs to their own open dossier and
downloads them again; the dossier's team downloads them. Every download is served as
``Content-Disposition: attachment`` with the checked type (never rendered inline), only to
those who may read the dossier; anyone else gets 404 and the attempt is audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from korps.audit.service import record_read
from korps.common.i18n import _
from korps.db.base import MAX_ID
from korps.db.session import SessionDep
from korps.identity.deps import CurrentUser, require
from korps.organisation.service import NotFoundError
from korps.portal import attachments, service
from korps.portal.errors import PortalInputError
from korps.portal.models import Dossier
from korps.portal.pages import dossier_page_with_errors
from korps.portal.reference import portal_reference

router = APIRouter(include_in_schema=False, dependencies=[Depends(require("burger"))])
team_router = APIRouter(include_in_schema=False, dependencies=[Depends(require(*service.STAFF))])
Upload = Annotated[UploadFile | None, File()]


@router.post("/mijn/dossiers/{number}/bijlagen", response_class=HTMLResponse, response_model=None)
def upload(
    request: Request, session: SessionDep, me: CurrentUser, number: str, bestand: Upload = None
) -> Response:
    """Read at most one byte more than allowed (the file is spooled by the form parser)."""
    content = bestand.file.read(attachments.MAX_BYTES + 1) if bestand is not None else b""
    name = (bestand.filename or "") if bestand is not None else ""
    dossier = service.citizen_dossier(session, principal=me, number=number, audit_read=False)
    try:
        if not portal_reference().status(dossier.status).open:
            raise PortalInputError.one(attachments.FIELD, _("dit dossier is gesloten"))
        attachments.add(session, principal=me, dossier=dossier, filename=name, content=content)
        session.commit()
    except PortalInputError as exc:
        session.rollback()
        return dossier_page_with_errors(request, session, me, number, exc.errors, status_code=422)
    return RedirectResponse(f"/mijn/dossiers/{number}?ok=bijlage", status_code=303)


def _serve(session: Session, dossier: Dossier, attachment_id: int) -> Response:
    if not 0 < attachment_id <= MAX_ID:
        raise NotFoundError(_("deze bijlage bestaat niet"))
    try:
        attachment, content = attachments.read(
            session, dossier=dossier, attachment_id=attachment_id
        )
    except LookupError as exc:
        raise NotFoundError(_("deze bijlage bestaat niet")) from exc
    record_read(session, entity="dossier", entity_id=dossier.id, what=f"bijlage {attachment.id}")
    name = attachments.download_name(attachment)
    return Response(
        content,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/mijn/dossiers/{number}/bijlagen/{attachment_id}")
def citizen_download(
    session: SessionDep, me: CurrentUser, number: str, attachment_id: int
) -> Response:
    dossier = service.citizen_dossier(session, principal=me, number=number, audit_read=False)
    return _serve(session, dossier, attachment_id)


@team_router.get("/team/dossiers/{number}/bijlagen/{attachment_id}")
def team_download(
    session: SessionDep, me: CurrentUser, number: str, attachment_id: int
) -> Response:
    dossier = service.staff_dossier(session, principal=me, number=number, audit_read=False)
    return _serve(session, dossier, attachment_id)
