"""Other channels, one dossier (issue 16.2): staff at the desk (balie), the Regional Service
Centre (0900-8844) or a Belgian zone (101) register an aangifte or melding on behalf of a
citizen with the same form, the same checks, routing and deadline as online. The reporter is
the citizen's account, found by e-mail address or made without a password (the citizen sets
one through "wachtwoord vergeten" and then follows the dossier online)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.common.i18n import _
from korps.db.session import SessionDep
from korps.identity.deps import CurrentUser, require
from korps.identity.errors import IdentityError
from korps.identity.models import User
from korps.identity.roles import Principal, allows
from korps.identity.service import create_user, grant, principal_of
from korps.organisation.models import Unit
from korps.portal import service, workflow
from korps.portal.errors import PortalInputError
from korps.portal.models import Dossier, Entry
from korps.portal.pages import goods_of, render_form
from korps.portal.reference import portal_reference
from korps.portal.schemas import check_aangifte, local_today

router = APIRouter(include_in_schema=False, dependencies=[Depends(require(*service.STAFF))])
Text = Annotated[str, Form(max_length=256)]
LongText = Annotated[str, Form()]
GoodsField = Annotated[list[str] | None, Form()]
ACTION = "/team/aangifte/nieuw"


def _channels() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in portal_reference().channels if c.code != "online"]


def _reporter(session: Session, *, name: str, email: str, actor: str) -> Principal:
    """The citizen's account by e-mail address, or a new one without a password."""
    email = email.strip().lower()
    if not email:
        raise PortalInputError.one("melder_email", _("vul het e-mailadres van de melder in"))
    user = session.scalar(select(User).where(User.email == email))
    if user is not None and user.kind != "burger":
        raise PortalInputError.one("melder_email", _("dit adres hoort bij een medewerkersaccount"))
    if user is None:
        if not name.strip():
            raise PortalInputError.one("melder_naam", _("vul de naam van de melder in"))
        base = "".join(ch for ch in email.split("@")[0] if ch.isalnum())[:40] or "melder"
        username = f"{base}-{service.new_number(session, now=service.utc_now())[5:]}"
        try:
            user = create_user(session, username=username, name=name, email=email,
                               kind="burger", actor=actor)  # fmt: skip
            grant(session, username=user.username, role="burger", unit=None, actor=actor)
        except IdentityError as exc:
            raise PortalInputError.one("melder_email", str(exc)) from exc
    return principal_of(session, user=user)


@router.get(ACTION, response_class=HTMLResponse)
def intake_page(request: Request, session: SessionDep, categorie: str = "") -> HTMLResponse:
    values = {"categorie": categorie[:40], "kanaal": "balie"}
    return render_form(request, session, values, [], {}, intake=_channels(), action=ACTION)


@dataclass(frozen=True)
class OnBehalf:
    """The staff's aangifte form (desk, phone, control room) as sent: its fields and the
    goods table's rows; one parser for every channel's form."""

    values: dict[str, str]
    goods: list[tuple[str, str, str]]


def on_behalf_form(
    kanaal: Text = "",
    melder_naam: Text = "",
    melder_email: Text = "",
    categorie: Text = "",
    datum: Text = "",
    gemeente: Text = "",
    adres: Text = "",
    lat: Text = "",
    lon: Text = "",
    omschrijving: LongText = "",
    goed_omschrijving: GoodsField = None,
    goed_waarde: GoodsField = None,
    goed_kenmerk: GoodsField = None,
) -> OnBehalf:
    values = {"kanaal": kanaal, "melder_naam": melder_naam, "melder_email": melder_email,
              "categorie": categorie, "datum": datum, "gemeente": gemeente, "adres": adres,
              "lat": lat, "lon": lon, "omschrijving": omschrijving}  # fmt: skip
    return OnBehalf(values, goods_of(goed_omschrijving, goed_waarde, goed_kenmerk))


OnBehalfForm = Annotated[OnBehalf, Depends(on_behalf_form)]


@router.post(ACTION, response_class=HTMLResponse, response_model=None)
def intake_submit(
    request: Request, session: SessionDep, me: CurrentUser, form: OnBehalfForm
) -> Response:
    values, goods, kanaal = form.values, form.goods, form.values["kanaal"]
    now = service.utc_now()
    try:
        if kanaal not in dict(_channels()):
            raise PortalInputError.one("kanaal", _("kies balie, 0900-8844 of 101"))
        dossier = register(session, me=me, values=values, goods=goods, channel=kanaal, now=now)
        session.commit()
    except PortalInputError as exc:
        session.rollback()
        shown = {**values, "omschrijving": values["omschrijving"][:6000]}
        return render_form(
            request, session, shown, goods[:20], exc.errors, status_code=422,
            intake=_channels(), action=ACTION,
        )  # fmt: skip
    return registered(request, session, me=me, dossier=dossier)


def register(
    session: Session,
    *,
    me: Principal,
    values: dict[str, str],
    goods: list[tuple[str, str, str]],
    channel: str,
    now: datetime,
    note: str = "",
) -> Dossier:
    """Check the form and store the dossier on behalf of the citizen (``melder_naam``,
    ``melder_email``): the same dossier as online, with its channel. The caller commits;
    PortalInputError (nothing added) names the wrong fields."""
    data = check_aangifte(values, goods, reference=portal_reference(), today=local_today(now))
    reporter = _reporter(
        session,
        name=values.get("melder_naam", ""),
        email=values.get("melder_email", ""),
        actor=me.username,
    )
    dossier = service.file_dossier(session, reporter=reporter, data=data, channel=channel, now=now)
    text = note or f"geregistreerd via {channel}"
    session.add(
        Entry(dossier_id=dossier.id, at=now, kind="registratie", side="team",
              author_id=me.user_id, text=text[:200], public=False)
    )  # fmt: skip
    record(session, entity=service.ENTITY, entity_id=dossier.id,
           action=f"geregistreerd namens melder via {channel}"[:60])  # fmt: skip
    return dossier


def registered(
    request: Request, session: Session, *, me: Principal, dossier: Dossier, other: str = ""
) -> Response:
    """After a registration: tell the citizen, and show the dossier to staff of its team
    (others go to ``other``, or back to the queue with its number)."""
    workflow.notify(session, dossier=dossier)
    team_path = session.scalar(select(Unit.path).where(Unit.id == dossier.team_id))
    target = (
        f"/team/dossiers/{dossier.number}"
        if allows(me, service.STAFF, team_path)
        else other or f"/team/werkvoorraad?geregistreerd={dossier.number}"
    )
    if "HX-Request" in request.headers:
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
