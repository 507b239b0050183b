"""The page that opens a dossier from a control-room incident (issue 16.2): the aangifte
form of the other channels, filled in from the incident; once the dossier exists the page
shows it instead (one dossier per incident)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from korps.common.datatexts import shown
from korps.common.i18n import _
from korps.controlroom.reference import bundled_reference
from korps.db.session import SessionDep
from korps.identity.deps import CurrentUser, require
from korps.identity.errors import Forbidden
from korps.identity.roles import Principal, allows
from korps.organisation.models import Unit
from korps.portal import from_incident, service
from korps.portal.errors import PortalInputError
from korps.portal.intake_pages import OnBehalfForm, register, registered
from korps.portal.pages import render_form
from korps.portal.reference import portal_reference
from korps.web.templating import render


def _incident_number(text: str) -> int:
    return int(text) if text.isdigit() and len(text) <= 10 else 0


def incident_team(request: Request, session: Session) -> str | None:
    """The access check's unit: the incident's basisteam."""
    number = _incident_number(str(request.path_params.get("incident_id", "")))
    return from_incident.basisteam_path(session, incident_id=number)


router = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(require(*from_incident.ROLES, unit=incident_team))],
)


def _facts(session: Session, me: Principal, incident_id: str) -> from_incident.IncidentFacts:
    facts = from_incident.incident_facts(session, incident_id=_incident_number(incident_id))
    if not from_incident.may_open(me, facts):
        raise Forbidden(
            _("hiervoor is de rol centralist op de eenheid of medewerker van het team nodig")
        )
    return facts


def _form(
    request: Request,
    session: Session,
    facts: from_incident.IncidentFacts,
    values: dict[str, str],
    goods: list[tuple[str, str, str]],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    channel = values["kanaal"]
    via = shown(bundled_reference().channel_name(facts.channel))
    label = _("Meldkamer (melding {id}, via {channel})", id=facts.id, channel=via)
    return render_form(
        request, session, values, goods, errors, status_code=status_code,
        intake=[(channel, label)], action=f"/team/meldingen/{facts.id}/aangifte",
    )  # fmt: skip


def _names(facts: from_incident.IncidentFacts) -> dict[str, str]:
    """The incident's category and channel by their (Dutch) names, shown through ``| t``."""
    reference = bundled_reference()
    category = reference.category(facts.category)
    return {
        "category": category.name if category else facts.category,
        "channel": reference.channel_name(facts.channel),
    }


def _opened(
    request: Request, session: Session, me: Principal, facts: from_incident.IncidentFacts
) -> HTMLResponse | None:
    """The page of the dossier already opened from the incident (None: there is none)."""
    dossier = from_incident.dossier_of(session, incident_id=facts.id)
    if dossier is None:
        return None
    team = session.get(Unit, dossier.team_id)
    readable = team is not None and allows(me, service.STAFF, team.path)
    return render(
        request, "portal/team_from_incident.html", dossier=dossier, facts=facts,
        names=_names(facts), readable=readable,
        centralist=allows(me, ("centralist",), facts.eenheid_path),
    )  # fmt: skip


@router.get("/team/meldingen/{incident_id}/aangifte", response_class=HTMLResponse)
def incident_form(
    request: Request, session: SessionDep, me: CurrentUser, incident_id: str
) -> Response:
    facts = _facts(session, me, incident_id)
    opened = _opened(request, session, me, facts)
    return opened or _form(request, session, facts, from_incident.prefill(facts), [], {})


@router.post(
    "/team/meldingen/{incident_id}/aangifte", response_class=HTMLResponse, response_model=None
)
def incident_submit(
    request: Request, session: SessionDep, me: CurrentUser, incident_id: str, form: OnBehalfForm
) -> Response:
    facts = _facts(session, me, incident_id)
    if (opened := _opened(request, session, me, facts)) is not None:
        return opened  # one dossier per incident: a second submit shows the first
    channel = portal_reference().from_incident.channel
    values, goods = {**form.values, "kanaal": channel}, form.goods
    now = service.utc_now()
    note = f"geopend vanuit melding {facts.id} (via {facts.channel})"
    try:
        dossier = register(
            session, me=me, values=values, goods=goods, channel=channel, now=now, note=note
        )
    except PortalInputError as exc:
        session.rollback()
        shown = {**values, "omschrijving": values["omschrijving"][:6000]}
        return _form(request, session, facts, shown, goods[:20], exc.errors, status_code=422)
    first = from_incident.link(session, dossier=dossier, facts=facts, principal=me, now=now)
    if first.id != dossier.id:
        return _opened(request, session, me, facts) or Response(status_code=409)
    back = f"/team/meldingen/{facts.id}/aangifte"
    return registered(request, session, me=me, dossier=dossier, other=back)
