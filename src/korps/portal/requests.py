"""Requests besides reports (issue 16.9): a house watch while the citizen is away
(afwezigheidstoezicht), contact with one's own wijkagent or wijkinspecteur, and a follow-up
contact after a police intervention (hercontact). Each is a dossier of a category of kind
``verzoek`` (``datasets/portal.yaml``) with the same life cycle, audit and privacy as a
report, plus its details (:class:`~korps.portal.models.RequestDetail`).

Who handles a request is data (``datasets/portal-verzoeken.yaml``): unit names looked for in
the registry around the address (the Belgian zone's Operationeel Team, its Sociale Politie,
a wijkagenten team under the basisteam); when the registry has none, the basisteam that
covers the address. The dossier lands in that team's work queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.common.datafile import DatasetError, Problem, read_document
from korps.common.i18n import _
from korps.identity.models import User
from korps.identity.roles import Principal
from korps.identity.service import principal_of
from korps.organisation.models import Unit
from korps.portal.errors import PortalInputError
from korps.portal.models import (
    ADDRESS_MAX,
    PHONE_MAX,
    REFERENCE_MAX,
    TEXT_MAX,
    Dossier,
    Entry,
    RequestDetail,
)
from korps.portal.places import Place
from korps.portal.reference import Code, PortalReference, _Sourced, _Strict, portal_reference
from korps.portal.routing import Route
from korps.portal.schemas import EARLIEST, AangifteIn
from korps.portal.service import ENTITY, file_dossier

Field_ = Literal["adres", "periode", "telefoon", "onderwerp", "contact", "inzet"]
CONTACT_BY = {"telefoon": "telefonisch", "e-mail": "per e-mail", "bezoek": "een bezoek"}
MAX_AWAY_DAYS = 90  # assumption: a longer absence is arranged with the team in person
MIN_TEXT = 10


class Kind(_Sourced):
    category: Code
    intro: str = Field(min_length=1, max_length=600)
    fields: list[Field_] = Field(min_length=1)
    handled_by: list[str] = Field(default_factory=list)
    search: list[Literal["basisteam", "eenheid"]] = Field(default_factory=list)


class RequestTable(_Strict):
    dataset: Literal["portal-verzoeken"]
    title: str
    source: str | None = None
    kinds: list[Kind] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> RequestTable:
        codes = [k.category for k in self.kinds]
        doubles = sorted({c for c in codes if codes.count(c) > 1})
        if doubles:
            raise ValueError(f"kinds: duplicate category {', '.join(doubles)}")
        return self

    def kind(self, code: str) -> Kind | None:
        return next((k for k in self.kinds if k.category == code), None)


def bundled_path() -> Path:
    return Path(str(resources.files("korps") / "datasets" / "portal-verzoeken.yaml"))


def load_requests(path: Path, *, reference: PortalReference | None = None) -> RequestTable:
    """Read and validate; every kind must be a ``verzoek`` category of the portal file."""
    table = read_document(path, RequestTable)
    reference = reference or portal_reference()
    for kind in table.kinds:
        category = reference.category(kind.category)
        if category is None or category.kind != "verzoek":
            problem = Problem(
                "kinds", _("{category}: geen categorie van soort verzoek", category=kind.category)
            )
            raise DatasetError(str(path), [problem])
    return table


@lru_cache
def request_table() -> RequestTable:
    return load_requests(bundled_path())


@dataclass(frozen=True)
class RequestIn:
    aangifte: AangifteIn  # category, date, place and text as a dossier has them
    away_from: date | None
    away_until: date | None
    phone: str | None
    contact_by: str | None
    reference: str | None


def _text(form: dict[str, str], name: str, limit: int, errors: dict[str, str]) -> str:
    value = form.get(name, "").strip()
    if "\x00" in value:
        errors[name] = _("bevat een ongeldig teken (NUL)")
    elif len(value) > limit:
        errors[name] = _(
            "te lang: maximaal {limit} tekens (nu {length})", limit=limit, length=len(value)
        )
    return value


def _day(form: dict[str, str], name: str, errors: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(form.get(name, "").strip())
    except ValueError:
        errors[name] = _("vul een datum in (dag, maand, jaar)")
        return None


def _period(form: dict[str, str], today: date, errors: dict[str, str]) -> tuple[date, date] | None:
    start, end = _day(form, "van", errors), _day(form, "tot", errors)
    if start is None or end is None:
        return None
    if start < today:
        errors["van"] = _("de eerste dag van uw afwezigheid ligt in het verleden")
    elif end < start:
        errors["tot"] = _("de laatste dag ligt vóór de eerste dag")
    elif (end - start).days > MAX_AWAY_DAYS:
        errors["tot"] = _(
            "hoogstens {max_away_days} dagen; een langere periode: bel 0900-8844",
            max_away_days=MAX_AWAY_DAYS,
        )
    return start, end


def _phone(form: dict[str, str], required: bool, errors: dict[str, str]) -> str:
    phone = _text(form, "telefoon", PHONE_MAX, errors)
    digits = sum(ch.isdigit() for ch in phone)
    if phone and (digits < 9 or any(ch not in "0123456789 +-()" for ch in phone)):
        errors["telefoon"] = _("geen geldig telefoonnummer (cijfers, spaties, + - en haakjes)")
    elif required and not phone and "telefoon" not in errors:
        errors["telefoon"] = _("vul uw telefoonnummer in: u koos voor telefonisch contact")
    return phone


def check_request(form: dict[str, str], *, kind: Kind, today: date) -> RequestIn:
    """The request form's fields checked at once; PortalInputError with a message per field."""
    errors: dict[str, str] = {}
    fields = set(kind.fields)
    gemeente = _text(form, "gemeente", 120, errors)
    if not gemeente and "gemeente" not in errors:
        errors["gemeente"] = _("vul uw gemeente in")
    address = _text(form, "adres", ADDRESS_MAX, errors)
    if "adres" in fields and not address and "adres" not in errors:
        errors["adres"] = _("vul uw adres in (straat en huisnummer)")
    period = _period(form, today, errors) if "periode" in fields else None
    contact_by = form.get("contact", "").strip() if "contact" in fields else ""
    if "contact" in fields and contact_by not in CONTACT_BY:
        errors["contact"] = _("kies hoe wij contact met u opnemen")
    phone = _phone(form, contact_by == "telefoon", errors)
    text = _text(form, "omschrijving", TEXT_MAX, errors)
    if "onderwerp" in fields and len(text) < MIN_TEXT and "omschrijving" not in errors:
        errors["omschrijving"] = _(
            "schrijf kort waarover het gaat (minstens {min_text} tekens)", min_text=MIN_TEXT
        )
    occurred = today
    reference = ""
    if "inzet" in fields:
        day = _day(form, "datum", errors)
        if day is not None and not EARLIEST <= day <= today:
            errors["datum"] = _("de datum van de inzet ligt in de toekomst of vóór 2000")
        occurred = day or today
        reference = _text(form, "kenmerk", REFERENCE_MAX, errors)
    if errors:
        raise PortalInputError(errors)
    if period is not None:
        occurred = period[0]
        text = text or f"Afwezig van {period[0]:%d-%m-%Y} tot en met {period[1]:%d-%m-%Y}."
    data = AangifteIn(
        category=kind.category, occurred_on=occurred, gemeente=gemeente,
        address=address or None, lat=None, lon=None, description=text or "-", goods=[],
    )  # fmt: skip
    return RequestIn(
        aangifte=data,
        away_from=period[0] if period else None,
        away_until=period[1] if period else None,
        phone=phone or None,
        contact_by=contact_by or None,
        reference=reference or None,
    )


def handler(session: Session, *, kind: Kind, place: Place) -> Route:
    """The unit that handles ``kind`` at ``place`` and why (see the module's doc)."""
    roots = {"basisteam": place.basisteam_id, "eenheid": place.eenheid_id}
    for scope in kind.search:
        root = session.get(Unit, roots[scope]) if roots[scope] is not None else None
        if root is None or not kind.handled_by:
            continue
        unit = session.scalar(
            select(Unit)
            .where(Unit.path.startswith(root.path), Unit.name.in_(kind.handled_by))
            .order_by(Unit.depth, Unit.id)
            .limit(1)
        )
        if unit is not None:
            reason = f"{unit.name} van {root.name} behandelt dit verzoek ({place.gemeente_name})"
            return Route(team_id=unit.id, rule=f"verzoek-{scope}", reason=reason[:300])
    for unit_id in (place.basisteam_id, place.district_id, place.eenheid_id):
        if unit_id is not None:
            name = session.scalar(select(Unit.name).where(Unit.id == unit_id)) or "?"
            reason = f"Het team dat uw adres bedient: {name} ({place.gemeente_name})"
            return Route(team_id=unit_id, rule="verzoek-basisteam", reason=reason[:300])
    raise LookupError("no unit for this place")  # resolve_place always gives an eenheid


def file_request(
    session: Session, *, reporter: Principal, kind: Kind, data: RequestIn, channel: str = "online"
) -> Dossier:
    """A request as a dossier in the handling team's queue, with its details; audited
    (by :func:`~korps.portal.service.file_dossier`). The caller commits."""
    dossier = file_dossier(
        session,
        reporter=reporter,
        data=data.aangifte,
        channel=channel,
        route_by=lambda s, place: handler(s, kind=kind, place=place),
    )
    session.add(
        RequestDetail(
            dossier_id=dossier.id, away_from=data.away_from, away_until=data.away_until,
            phone=data.phone, contact_by=data.contact_by, reference=data.reference,
        )
    )  # fmt: skip
    session.flush()
    return dossier


def follow_up(
    session: Session, *, principal: Principal, dossier: Dossier, text: str, contact_by: str
) -> Dossier:
    """Staff plan a hercontact with the reporter of ``dossier`` after an intervention: a
    new request dossier (channel ``team``) for the same citizen, referring to it, in the
    queue of the unit that handles hercontact there. Audited on both; the caller commits."""
    errors: dict[str, str] = {}
    text = _text({"omschrijving": text}, "omschrijving", TEXT_MAX, errors)
    if len(text) < MIN_TEXT and "omschrijving" not in errors:
        errors["omschrijving"] = _(
            "schrijf waarover het contact gaat (minstens {min_text} tekens)", min_text=MIN_TEXT
        )
    if contact_by not in CONTACT_BY:
        errors["contact"] = _("kies hoe de melder benaderd wordt")
    if errors:
        raise PortalInputError(errors)
    kind = request_table().kind("hercontact")
    reporter = session.get(User, dossier.reporter_id)
    assert kind is not None and reporter is not None  # bundled kind; a dossier has a reporter
    data = RequestIn(
        aangifte=AangifteIn(
            category=kind.category, occurred_on=dossier.occurred_on, gemeente=dossier.gemeente_code,
            address=dossier.address, lat=None, lon=None, description=text, goods=[],
        ),
        away_from=None, away_until=None, phone=None, contact_by=contact_by,
        reference=dossier.number,
    )  # fmt: skip
    task = file_request(
        session, reporter=principal_of(session, user=reporter), kind=kind, data=data,
        channel="team",
    )  # fmt: skip
    session.add(
        Entry(dossier_id=dossier.id, at=task.created_at, kind="hercontact", side="team",
              author_id=principal.user_id, text=f"hercontact gepland: {task.number}",
              public=False)
    )  # fmt: skip
    for entity_id, what in ((dossier.id, task.number), (task.id, dossier.number)):
        record(session, entity=ENTITY, entity_id=entity_id, action="hercontact gepland",
               after={"dossier": what})  # fmt: skip
    return task
