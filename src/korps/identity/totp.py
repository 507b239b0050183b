"""TOTP (RFC 6238) as the second factor: enrolment with a QR code rendered on the server
(no external service, no script), verification with a one-step window and replay refusal,
and single-use recovery codes."""

from __future__ import annotations

import io
import secrets
import time

import pyotp
import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.common.i18n import _
from korps.identity.errors import IdentityError
from korps.identity.models import RecoveryCode, User
from korps.identity.secrets import digest

ISSUER = "korps"
RECOVERY_CODES = 10
STEP = 30


def begin_enrolment(session: Session, *, user: User) -> str:
    """A new secret (not yet active) for ``user``; returns the otpauth:// URI."""
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled = False
    session.commit()
    return provisioning_uri(user)


def provisioning_uri(user: User) -> str:
    if not user.totp_secret:
        raise IdentityError(_("er is geen TOTP-sleutel aangemaakt"))
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code as inline SVG markup (no image request, no script)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, xmldecl=False, svgns=True)
    return buffer.getvalue().decode("ascii")


def _matching_step(secret: str, code: str, at: float) -> int | None:
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(at // STEP)
    for step in (current - 1, current, current + 1):  # one step of clock drift either way
        if secrets.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def verify(session: Session, *, user: User, code: str, at: float | None = None) -> bool:
    """True for a valid code not used before (a code is used once: replays are refused)."""
    if not user.totp_secret:
        return False
    step = _matching_step(user.totp_secret, code, time.time() if at is None else at)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def finish_enrolment(session: Session, *, user: User, code: str) -> list[str]:
    """Activate TOTP when ``code`` proves the app has the secret; returns new recovery codes
    (shown once; only their digests are stored)."""
    if not verify(session, user=user, code=code):
        raise IdentityError(_("de code klopt niet; kijk of de tijd op uw telefoon goed staat"))
    user.totp_enabled = True
    codes = new_recovery_codes(session, user=user)
    record(session, actor=user.username, entity="user", entity_id=user.id, action="TOTP ingesteld")
    session.commit()
    return codes


def new_recovery_codes(session: Session, *, user: User) -> list[str]:
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, digest=digest(c)) for c in codes)
    return codes


def use_recovery_code(session: Session, *, user: User, code: str) -> bool:
    from datetime import UTC, datetime

    row = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.digest == digest(code.strip().lower()),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = datetime.now(UTC)
    record(
        session,
        actor=user.username,
        entity="user",
        entity_id=user.id,
        action="herstelcode gebruikt",
    )
    return True
