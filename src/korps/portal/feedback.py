"""The questionnaire after closing (issue 16.8): satisfied yes/no, a score 1-5 and an open
text, once per dossier; an unhappy answer can ask for the dossier to be reopened (a line on
the timeline the team sees; the team reopens it by the whitelist). The answers are the
measurement of the monitor indicator "tevredenheid over laatste contact met politie bij
aangifte" (:func:`satisfaction`, per period and optionally per team subtree)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.common.i18n import _
from korps.identity.roles import Principal
from korps.organisation.models import Unit
from korps.portal.errors import PortalInputError
from korps.portal.models import FEEDBACK_MAX, Dossier, Entry, Feedback
from korps.portal.reference import PortalReference, portal_reference
from korps.portal.service import ENTITY, utc_now


def of_dossier(session: Session, *, dossier: Dossier) -> Feedback | None:
    return session.scalar(select(Feedback).where(Feedback.dossier_id == dossier.id))


def give(
    session: Session,
    *,
    principal: Principal,
    dossier: Dossier,
    satisfied: str,
    score: str,
    text: str,
    reopen: bool,
    now: datetime | None = None,
    reference: PortalReference | None = None,
) -> Feedback:
    """Store the citizen's feedback on their closed dossier; PortalInputError otherwise."""
    reference = reference or portal_reference()
    now = now or utc_now()
    errors: dict[str, str] = {}
    if reference.status(dossier.status).open:
        errors["tevreden"] = _("u kunt uw mening geven zodra het dossier is afgehandeld")
    if satisfied not in ("ja", "nee"):
        errors["tevreden"] = _("kies ja of nee")
    if score not in ("1", "2", "3", "4", "5"):
        errors["cijfer"] = _("kies een cijfer van 1 tot 5")
    text = text.strip()
    if len(text) > FEEDBACK_MAX or "\x00" in text:
        errors["toelichting"] = _(
            "te lang of ongeldig: maximaal {feedback_max} tekens", feedback_max=FEEDBACK_MAX
        )
    if reopen and satisfied == "ja":
        errors["heropenen"] = _("heropenen kan alleen als u niet tevreden bent")
    if of_dossier(session, dossier=dossier) is not None:
        errors["tevreden"] = _("u heeft uw mening over dit dossier al gegeven")
    if errors:
        raise PortalInputError(errors)
    feedback = Feedback(
        dossier_id=dossier.id,
        satisfied=satisfied == "ja",
        score=int(score),
        text=text or None,
        reopen_requested=reopen,
        team_id=dossier.team_id,
        category=dossier.category,
        created_at=now,
    )
    session.add(feedback)
    if reopen:
        session.add(
            Entry(
                dossier_id=dossier.id, at=now, kind="heropenverzoek", side="burger",
                author_id=principal.user_id, text=text or None, public=True,
            )
        )  # fmt: skip
    session.flush()
    record(
        session,
        entity=ENTITY,
        entity_id=dossier.id,
        action="tevredenheid gegeven" + (" met heropenverzoek" if reopen else ""),
        after={"feedback": feedback.id, "satisfied": feedback.satisfied, "score": feedback.score},
    )
    return feedback


@dataclass(frozen=True)
class Satisfaction:
    answers: int
    satisfied_share: float | None  # share answering "tevreden: ja"
    mean_score: float | None


def satisfaction(
    session: Session, *, since: datetime, until: datetime, unit_path: str | None = None
) -> Satisfaction:
    """The indicator over the answers given in [since, until), for a team subtree or all."""
    statement = select(
        func.count(Feedback.id),
        func.sum(case((Feedback.satisfied.is_(True), 1), else_=0)),
        func.avg(Feedback.score),
    ).where(Feedback.created_at >= since, Feedback.created_at < until)
    if unit_path is not None:
        statement = statement.join(Unit, Unit.id == Feedback.team_id).where(
            Unit.path.startswith(unit_path, autoescape=True)
        )
    count, yes, mean = session.execute(statement).one()
    if not count:
        return Satisfaction(0, None, None)
    return Satisfaction(int(count), float(yes or 0) / int(count), round(float(mean), 2))
