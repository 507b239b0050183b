"""The life of a dossier: status moves by the whitelist of ``datasets/portal.yaml``,
questions to the citizen with an answer deadline (and the automatic move when it passes),
answers, added information, messages, assignment. Every change is on the timeline and in
the audit trail; the citizen gets an e-mail that only says there is news, with a link."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.common.datatexts import shown
from korps.common.i18n import N_, _, using
from korps.config import get_settings
from korps.identity.mail import MailError, language_of, send
from korps.identity.models import User
from korps.identity.roles import Principal
from korps.organisation.models import Unit
from korps.portal.errors import PortalInputError
from korps.portal.models import FORWARD_MAX, TEXT_MAX, Dossier, Entry
from korps.portal.reference import PortalReference, portal_reference
from korps.portal.schemas import local_today
from korps.portal.service import ENTITY, utc_now
from korps.portal.workdays import add_working_days

log = logging.getLogger(__name__)
NEWS_SUBJECT = N_("Er is nieuws over uw melding bij de politie")
#: a move to one of these tells the citizen there is news (a question, forwarding, closing)
NEWS_STATUSES = ("info-gevraagd", "afgehandeld", "doorgezet", "geannuleerd")


def _text(value: str, field: str, *, required: bool, limit: int = TEXT_MAX) -> str:
    value = value.strip()
    if "\x00" in value:
        raise PortalInputError.one(field, _("bevat een ongeldig teken (NUL)"))
    if required and not value:
        raise PortalInputError.one(field, _("vul dit veld in"))
    if len(value) > limit:
        raise PortalInputError.one(
            field,
            _("te lang: maximaal {limit} tekens (nu {length})", limit=limit, length=len(value)),
        )
    return value


def notify(session: Session, *, dossier: Dossier) -> bool:
    """Tell the reporter there is news: no name, number, category or text in the e-mail,
    only a link to log in. False when the mail could not be sent (the change stands)."""
    row = session.execute(
        select(User.email, User.locale).where(User.id == dossier.reporter_id)
    ).first()
    if row is None or not row.email:
        return False
    email = row.email
    link = f"{get_settings().base_url}/mijn/dossiers"
    with using(language_of(row.locale)):
        subject = _(NEWS_SUBJECT)
        body = _(
            "Goedendag,\n\n"
            "Er is nieuws over een aangifte of melding die u bij de politie heeft gedaan.\n"
            "Meld u aan om het te lezen: {link}\n\n"
            "Deze e-mail is automatisch verstuurd; u kunt er niet op antwoorden.\n",
            link=link,
        )
    try:
        send(to=email, subject=subject, body=body)
    except MailError:
        log.warning("portal: news mail for dossier %s not sent", dossier.id)
        return False
    return True


def _entry(dossier: Dossier, now: datetime, **values: object) -> Entry:
    return Entry(dossier_id=dossier.id, at=now, **values)


def change_status(
    session: Session,
    *,
    principal: Principal,
    dossier: Dossier,
    to: str,
    text: str = "",
    forward_to: str = "",
    answer_days: int | None = None,
    now: datetime | None = None,
    reference: PortalReference | None = None,
) -> Entry:
    """Move ``dossier`` to ``to`` as staff; only moves of the whitelist, each with what it
    requires (a question, a decision, where it is forwarded to). The caller commits."""
    reference = reference or portal_reference()
    now = now or utc_now()
    allowed = reference.allowed(dossier.status, "medewerker")
    if to not in allowed:
        current = shown(reference.status(dossier.status).label)
        target = next((shown(s.label) for s in reference.statuses if s.code == to), to[:40])
        options = ", ".join(shown(reference.status(s).label) for s in allowed) or _("geen")
        raise PortalInputError.one(
            "status",
            _(
                "van {current} naar {target} mag niet (wel naar: {options})",
                current=current,
                target=target,
                options=options,
            ),
        )
    status = reference.status(to)
    before = {"status": dossier.status, "team_id": dossier.team_id}
    text = _text(text, "toelichting", required=status.requires in ("question", "decision"))
    if status.requires == "question":
        days = answer_days if answer_days is not None else reference.question_days
        if not 1 <= days <= 60:
            raise PortalInputError.one("termijn", _("de antwoordtermijn is 1 tot 60 werkdagen"))
        dossier.question = text
        dossier.answer_due = add_working_days(local_today(now), days)
    if status.requires == "forward":
        _forward(session, dossier=dossier, target=forward_to, reference=reference)
    if status.requires == "decision":
        dossier.decision = text
        dossier.closed_at = now
    if to == "heropend":
        dossier.closed_at = None
    entry = _entry(
        dossier, now, kind="status", side="team", author_id=principal.user_id,
        status_from=dossier.status, status_to=to, text=text or None, public=True,
    )  # fmt: skip
    dossier.status = to
    dossier.updated_at = now
    session.add(entry)
    record(
        session,
        entity=ENTITY,
        entity_id=dossier.id,
        action="status gewijzigd",
        before=before,
        after={"status": to, "team_id": dossier.team_id, "forwarded_to": dossier.forwarded_to},
    )
    return entry


def _forward(
    session: Session, *, dossier: Dossier, target: str, reference: PortalReference
) -> None:
    """Forward to another team (a unit's slug) or to a partner from the reference list."""
    target = _text(target, "doorzetten_naar", required=True, limit=FORWARD_MAX)
    if target in reference.partners:
        dossier.forwarded_to = target
        return
    unit = session.scalar(select(Unit).where(Unit.slug == target))
    if unit is None or unit.kind in ("korps",):
        partners = ", ".join(reference.partners)
        raise PortalInputError.one(
            "doorzetten_naar",
            _("onbekend team of onbekende partner (partners: {partners})", partners=partners),
        )
    dossier.team_id = unit.id
    dossier.forwarded_to = unit.name
    dossier.assignee_id = None
    dossier.route_rule = "doorgezet"
    dossier.route_reason = f"doorgezet naar {unit.name}"[:300]


def citizen_moves(
    session: Session,
    *,
    principal: Principal,
    dossier: Dossier,
    kind: str,
    text: str,
    now: datetime | None = None,
    reference: PortalReference | None = None,
) -> Entry:
    """The citizen's own additions: ``antwoord`` (to the team's question: moves the
    dossier on by the citizen's whitelist) or ``aanvulling`` (information added while the
    dossier is open). The caller commits."""
    reference = reference or portal_reference()
    now = now or utc_now()
    text = _text(text, kind, required=True)
    status = reference.status(dossier.status)
    entry = _entry(dossier, now, kind=kind, side="burger", author_id=principal.user_id, text=text)
    if kind == "antwoord":
        allowed = reference.allowed(dossier.status, "burger")
        if not allowed:
            raise PortalInputError.one("antwoord", _("er staat geen vraag open in dit dossier"))
        entry.status_from, entry.status_to = dossier.status, allowed[0]
        dossier.status = allowed[0]
        dossier.answer_due = None
    elif not status.open:
        raise PortalInputError.one(
            "aanvulling",
            _("dit dossier is gesloten; u kunt het laten heropenen via een bericht aan 0900-8844"),
        )
    dossier.updated_at = now
    session.add(entry)
    session.flush()
    record(
        session,
        entity=ENTITY,
        entity_id=dossier.id,
        action="antwoord van melder" if kind == "antwoord" else "informatie toegevoegd",
        after={"entry": entry.id, "status": dossier.status},
    )
    return entry


def team_message(
    session: Session,
    *,
    principal: Principal,
    dossier: Dossier,
    text: str,
    now: datetime | None = None,
) -> Entry:
    now = now or utc_now()
    text = _text(text, "bericht", required=True)
    entry = _entry(
        dossier, now, kind="bericht", side="team", author_id=principal.user_id, text=text
    )
    session.add(entry)
    session.flush()
    record(session, entity=ENTITY, entity_id=dossier.id, action="bericht aan melder",
           after={"entry": entry.id})  # fmt: skip
    return entry


def assign(
    session: Session,
    *,
    principal: Principal,
    dossier: Dossier,
    now: datetime | None = None,
    to: tuple[int, str] | None = None,
) -> None:
    """Assign the dossier to ``to`` (user id, name), the caller when None. Whether ``to``
    may handle the team's dossiers is checked by the caller (``korps.portal.queue``)."""
    now = now or utc_now()
    before = dossier.assignee_id
    user_id, name = to or (principal.user_id, principal.name)
    dossier.assignee_id = user_id
    dossier.updated_at = now
    session.add(
        _entry(dossier, now, kind="toewijzing", side="team", author_id=principal.user_id,
               text=f"toegewezen aan {name}"[:200], public=False)
    )  # fmt: skip
    record(session, entity=ENTITY, entity_id=dossier.id, action="toegewezen",
           before={"assignee_id": before}, after={"assignee_id": user_id})  # fmt: skip


def expire_questions(
    session: Session, *, now: datetime | None = None, reference: PortalReference | None = None
) -> list[str]:
    """Move every dossier whose question's answer deadline has passed on (``expired_question_to``);
    idempotent. Returns the dossier numbers moved; the caller commits."""
    reference = reference or portal_reference()
    now = now or utc_now()
    today = local_today(now)
    waiting = session.scalars(
        select(Dossier).where(Dossier.status == "info-gevraagd", Dossier.answer_due < today)
    ).all()
    moved = []
    for dossier in waiting:
        to = reference.expired_question_to
        session.add(
            _entry(dossier, now, kind="status", side="systeem", status_from=dossier.status,
                   status_to=to, text="de termijn om de vraag te beantwoorden is verstreken")
        )  # fmt: skip
        record(session, entity=ENTITY, entity_id=dossier.id, actor="systeem",
               action="antwoordtermijn verstreken",
               before={"status": dossier.status}, after={"status": to})  # fmt: skip
        dossier.status = to
        dossier.answer_due = None
        dossier.updated_at = now
        moved.append(dossier.number)
    return moved
