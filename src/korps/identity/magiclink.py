"""Logging in with an e-mailed link (citizens, issue 16.10): a single-use token valid two
hours, stored as the digest of a :class:`~korps.identity.models.OneTimeToken` of purpose
``login``, spent by one conditional UPDATE (two uses of one link never both succeed).

No account enumeration: asking for a link gives the same page whether or not the address
belongs to an account, and the e-mail is sent after the answer (a background task), so the
answer takes no longer for a known address (it does a little more database work). At most
:data:`PER_HOUR` links per account an hour (more asks are ignored, audited), and at most
:data:`PER_ADDRESS` asks from one client address in :data:`ADDRESS_WINDOW`, whatever was
asked (429, the same for every e-mail address). The e-mail says only that a login link was
asked for, with the link. Only citizens' accounts (kind burger) log in this way; staff log in
with password and second factor."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.common.i18n import N_, _, using
from korps.config import get_settings
from korps.db.session import SessionDep
from korps.identity import mail
from korps.identity.deps import PUBLIC, client_address, start_browser_session
from korps.identity.errors import IdentityError
from korps.identity.models import LinkRequest, OneTimeToken, User
from korps.identity.secrets import digest, new_secret
from korps.web.templating import render

log = logging.getLogger(__name__)
PURPOSE = "login"
VALID = timedelta(hours=2)
PER_HOUR = 3  # assumption: enough for a lost or slow e-mail, too few to flood a mailbox
PER_ADDRESS = (
    10  # assumption: asks from one client address per ADDRESS_WINDOW (a household, a probe)
)
ADDRESS_WINDOW = timedelta(minutes=15)
SUBJECT = N_("Uw aanmeldlink voor het burgerportaal van de politie")
INVALID = N_("deze aanmeldlink is ongeldig of al gebruikt; vraag een nieuwe aan")
AFTER_LOGIN = "/mijn/dossiers"

router = APIRouter(include_in_schema=False, dependencies=[Depends(PUBLIC)])


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class TooManyRequests(IdentityError):
    """This client address asked for too many links lately (whatever the addresses)."""


def _throttle(session: Session, *, address: str, now: datetime) -> None:
    """Count this ask of ``address``; TooManyRequests when it asked PER_ADDRESS times in the
    last quarter of an hour. Rows older than an hour are removed on the way."""
    session.execute(delete(LinkRequest).where(LinkRequest.at < now - timedelta(hours=1)))
    recent = session.scalar(
        select(func.count(LinkRequest.id)).where(
            LinkRequest.address == address[:64], LinkRequest.at >= now - ADDRESS_WINDOW
        )
    )
    if (recent or 0) >= PER_ADDRESS:
        session.commit()
        minutes = int(ADDRESS_WINDOW.total_seconds() // 60)
        raise TooManyRequests(
            _(
                "te veel aanvragen vanaf dit adres; probeer het over {minutes} minuten opnieuw",
                minutes=minutes,
            )
        )
    session.add(LinkRequest(address=address[:64], at=now))
    session.flush()


def request_link(
    session: Session, *, email: str, address: str, now: datetime | None = None
) -> Mail | None:
    """Issue a link for the citizen with this e-mail address and return the e-mail to send;
    None when there is no such live citizen's account or it asked too often (committed).
    TooManyRequests when the client ``address`` asked too often (whatever it asked for)."""
    now = now or datetime.now(UTC)
    _throttle(session, address=address, now=now)
    key = email.strip().lower()[:254]
    user = session.scalar(select(User).where(User.email == key, User.kind == "burger"))
    if user is None or user.disabled or not user.email:
        session.commit()  # the ask is counted for the address
        return None
    recent = session.scalar(
        select(func.count(OneTimeToken.id)).where(
            OneTimeToken.user_id == user.id,
            OneTimeToken.purpose == PURPOSE,
            OneTimeToken.created_at >= now - timedelta(hours=1),
        )
    )
    if (recent or 0) >= PER_HOUR:
        record(session, actor=user.username, entity="user", entity_id=user.id,
               action="aanmeldlink niet verstuurd: te vaak gevraagd")  # fmt: skip
        session.commit()
        return None
    value = new_secret()
    session.add(
        OneTimeToken(digest=digest(value), user_id=user.id, purpose=PURPOSE,
                     created_at=now, expires_at=now + VALID)
    )  # fmt: skip
    record(session, actor=user.username, entity="user", entity_id=user.id,
           action="aanmeldlink verstuurd")  # fmt: skip
    session.commit()
    link = f"{get_settings().base_url.rstrip('/')}/aanmelden/link/{value}"
    hours = int(VALID.total_seconds() // 3600)
    with using(mail.language_of(user.locale)):
        body = _(
            "Goedendag,\n\n"
            "Er is een link gevraagd om u aan te melden bij het burgerportaal van de politie.\n"
            "De link werkt één keer en {hours} uur:\n\n{link}\n\n"
            "Hebt u dit niet gevraagd? Dan hoeft u niets te doen.\n"
            "Deze e-mail is automatisch verstuurd; u kunt er niet op antwoorden.\n",
            hours=hours,
            link=link,
        )
        return Mail(to=user.email, subject=_(SUBJECT), body=body)


def use_link(session: Session, *, value: str, now: datetime | None = None) -> User:
    """The citizen a live, unused link belongs to; the link is spent (committed).
    IdentityError when it is unknown, used, expired or its account is disabled."""
    now = now or datetime.now(UTC)
    row = session.scalar(
        select(OneTimeToken).where(
            OneTimeToken.digest == digest(value[:100]), OneTimeToken.purpose == PURPOSE
        )
    )
    if row is None or row.used_at is not None:
        raise IdentityError(_(INVALID))
    if _aware(row.expires_at) <= now:
        raise IdentityError(_("deze aanmeldlink is verlopen; vraag een nieuwe aan"))
    user = session.get(User, row.user_id)
    if user is None or user.disabled or user.kind != "burger":
        raise IdentityError(_("dit account is uitgeschakeld; neem contact op met 0900-8844"))
    spent = session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.id == row.id, OneTimeToken.used_at.is_(None))
        .values(used_at=now)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise IdentityError(_(INVALID))
    record(session, actor=user.username, entity="user", entity_id=user.id,
           action="aangemeld met e-mail-link")  # fmt: skip
    session.commit()
    return user


def _send(message: Mail) -> None:
    try:
        mail.send(to=message.to, subject=message.subject, body=message.body)
    except mail.MailError:  # the page said the same either way; the citizen can ask again
        log.warning("identity: login link mail not sent")


@router.get("/aanmelden/link", response_class=HTMLResponse)
def ask_page(request: Request) -> HTMLResponse:
    return render(request, "identity/magiclink.html", step="vragen", error=None)


@router.post("/aanmelden/link", response_class=HTMLResponse)
def ask(
    request: Request,
    session: SessionDep,
    tasks: BackgroundTasks,
    email: Annotated[str, Form(max_length=254)] = "",
) -> HTMLResponse:
    if "@" not in email:
        return render(request, "identity/magiclink.html", status_code=422, step="vragen",
                      error=_("vul uw e-mailadres in"))  # fmt: skip
    try:
        message = request_link(session, email=email, address=client_address(request))
    except TooManyRequests as exc:
        return render(request, "identity/magiclink.html", status_code=429, step="vragen",
                      error=str(exc))  # fmt: skip
    if message is not None:
        tasks.add_task(_send, message)
    return render(request, "identity/magiclink.html", step="verstuurd", error=None)


@router.get("/aanmelden/link/{token}", response_class=HTMLResponse)
def confirm_page(request: Request, token: str) -> HTMLResponse:
    """A button, not a login: a mail scanner that opens the link does not spend it."""
    return render(request, "identity/magiclink.html", step="bevestigen", token=token[:100],
                  error=None)  # fmt: skip


@router.post("/aanmelden/link/{token}", response_class=HTMLResponse, response_model=None)
def confirm(request: Request, session: SessionDep, token: str) -> Response:
    try:
        user = use_link(session, value=token)
    except IdentityError as exc:
        session.rollback()
        return render(request, "identity/magiclink.html", status_code=422, step="vragen",
                      error=str(exc))  # fmt: skip
    return start_browser_session(request, session, user=user, volgende=AFTER_LOGIN)
