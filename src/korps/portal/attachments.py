"""Attachments of a dossier: photos (JPEG, PNG) and PDF documents.

The type is decided by the file's first bytes (magic numbers), never by its name or the
type the browser claims; anything else — an executable renamed to ``.jpg``, an SVG (which
can carry script), a ZIP (bomb or not) — is refused. Size and count are limited. The bytes
are stored outside the database in a folder (``KORPS_PORTAL_FILES``, default
``~/.local/share/korps/bijlagen``) under their SHA-256, written to a temporary file first
and renamed, so a file is there whole or not at all; the row keeps the hash, which is
checked again when the file is served."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.common.i18n import _
from korps.config import DEFAULT_DATA_DIR
from korps.identity.roles import Principal
from korps.portal.errors import PortalInputError
from korps.portal.models import FILENAME_MAX, Attachment, Dossier, Entry
from korps.portal.service import ENTITY, utc_now

MAX_BYTES = 4 * 1024 * 1024  # per file (a multipart body is limited to 5 MiB in web.limits)
MAX_FILES = 5  # per dossier
MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
)
EXTENSIONS = {mime: ext for _magic, mime, ext in MAGIC}
FIELD = "bestand"


def storage_dir() -> Path:
    return Path(os.environ.get("KORPS_PORTAL_FILES") or DEFAULT_DATA_DIR / "bijlagen")


def sniff(content: bytes) -> str | None:
    """The allowed type of ``content`` by its first bytes, else None."""
    return next((mime for magic, mime, _ext in MAGIC if content.startswith(magic)), None)


def safe_name(name: str) -> str:
    """A file name to show: no path, no control characters, at most FILENAME_MAX."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip() or "bijlage"
    return cleaned[:FILENAME_MAX]


def _store(content: bytes, digest: str) -> None:
    folder = storage_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / digest
    if target.exists():
        return  # content-addressed: the same bytes are stored once
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def add(
    session: Session,
    *,
    principal: Principal,
    dossier: Dossier,
    filename: str,
    content: bytes,
    now: datetime | None = None,
) -> Attachment:
    """Check and store an attachment; PortalInputError (nothing stored) when refused."""
    now = now or utc_now()
    if not content:
        raise PortalInputError.one(FIELD, _("kies een bestand"))
    if len(content) > MAX_BYTES:
        raise PortalInputError.one(
            FIELD,
            _(
                "het bestand is te groot: maximaal {max_bytes} MB",
                max_bytes=MAX_BYTES // (1024 * 1024),
            ),
        )
    mime = sniff(content)
    if mime is None:
        raise PortalInputError.one(
            FIELD, _("dit soort bestand nemen wij niet aan: alleen foto's (JPEG, PNG) en PDF")
        )
    count = session.scalar(
        select(func.count(Attachment.id)).where(Attachment.dossier_id == dossier.id)
    )
    if (count or 0) >= MAX_FILES:
        raise PortalInputError.one(
            FIELD, _("hoogstens {max_files} bijlagen per dossier", max_files=MAX_FILES)
        )
    digest = hashlib.sha256(content).hexdigest()
    _store(content, digest)
    attachment = Attachment(
        dossier_id=dossier.id,
        filename=safe_name(filename),
        content_type=mime,
        size=len(content),
        sha256=digest,
        uploader_id=principal.user_id,
        created_at=now,
    )
    session.add(attachment)
    session.flush()
    side = "burger" if dossier.reporter_id == principal.user_id else "team"
    session.add(
        Entry(
            dossier_id=dossier.id, at=now, kind="bijlage", side=side, author_id=principal.user_id,
            text=attachment.filename, public=True,
        )
    )  # fmt: skip
    record(
        session,
        entity=ENTITY,
        entity_id=dossier.id,
        action="bijlage toegevoegd",
        after={"attachment": attachment.id, "type": mime, "size": len(content), "sha256": digest},
    )
    return attachment


def of_dossier(session: Session, *, dossier: Dossier) -> list[Attachment]:
    statement = select(Attachment).where(Attachment.dossier_id == dossier.id)
    return list(session.scalars(statement.order_by(Attachment.id)))


def read(session: Session, *, dossier: Dossier, attachment_id: int) -> tuple[Attachment, bytes]:
    """The attachment of this dossier and its bytes, checked against the stored hash;
    LookupError when it is not this dossier's or the file is missing or altered."""
    attachment = session.scalar(
        select(Attachment).where(
            Attachment.id == attachment_id, Attachment.dossier_id == dossier.id
        )
    )
    if attachment is None:
        raise LookupError("no such attachment")
    path = storage_dir() / attachment.sha256
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise LookupError("file missing") from exc
    if hashlib.sha256(content).hexdigest() != attachment.sha256:
        raise LookupError("file altered")
    return attachment, content


def download_name(attachment: Attachment) -> str:
    return f"bijlage-{attachment.id}.{EXTENSIONS.get(attachment.content_type, 'bin')}"
