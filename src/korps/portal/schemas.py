"""The citizen's online aangifte: the eligibility questions and the checked form.

Every field is checked here, all at once, so the page can show each problem on its own
field; nothing is stored until every field is right."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

from korps.common import formatting
from korps.common.i18n import N_, _
from korps.portal.errors import PortalInputError
from korps.portal.models import ADDRESS_MAX, GOOD_MAX, GOODS_MAX, IDENTIFIER_MAX, TEXT_MAX
from korps.portal.reference import PortalReference

LOCAL = formatting.LOCAL_ZONE  # Dutch local time: a day as the citizen counts it
QUESTIONS = {
    "nu": N_("Gebeurt het nu, of is de dader nog in de buurt?"),
    "gevaar": N_("Is er iemand in gevaar of gewond?"),
    "dader_bekend": N_("Weet u wie de dader is?"),
    "geweld": N_("Is er geweld gebruikt of gedreigd?"),
    "onder_13": N_("Is het slachtoffer jonger dan 13 jaar?"),
}
EARLIEST = date(2000, 1, 1)
MAX_VALUE_EUR = 10_000_000.0
MIN_DESCRIPTION = 10


def local_today(now: datetime) -> date:
    return now.astimezone(LOCAL).date()


@dataclass(frozen=True)
class Verdict:
    """What the eligibility answers lead to: ``online`` (go on), ``112`` (call now, nothing
    stored), ``balie`` (an appointment at the desk or 0900-8844, with the reasons) or
    ``ouders`` (a child under 13: the police contacts the parents)."""

    outcome: str
    reasons: list[str] = field(default_factory=list)


def assess(answers: dict[str, str]) -> Verdict:
    missing = {
        name: "beantwoord deze vraag"
        for name in QUESTIONS
        if answers.get(name) not in ("ja", "nee")
    }
    if missing:
        raise PortalInputError(missing)
    yes = {name for name in QUESTIONS if answers[name] == "ja"}
    if yes & {"nu", "gevaar"}:
        return Verdict("112")
    if "onder_13" in yes:
        return Verdict("ouders", ["het slachtoffer is jonger dan 13 jaar"])
    reasons = []
    if "dader_bekend" in yes:
        reasons.append("u weet wie de dader is: een rechercheur wil u daarover spreken")
    if "geweld" in yes:
        reasons.append("er is geweld gebruikt of gedreigd: dat bespreken wij persoonlijk met u")
    if reasons:
        return Verdict("balie", reasons)
    return Verdict("online")


@dataclass(frozen=True)
class GoodIn:
    description: str
    value_eur: float | None
    identifier: str | None


@dataclass(frozen=True)
class AangifteIn:
    category: str
    occurred_on: date
    gemeente: str
    address: str | None
    lat: float | None
    lon: float | None
    description: str
    goods: list[GoodIn]


def _text(value: str, name: str, limit: int, errors: dict[str, str]) -> str:
    value = value.strip()
    if "\x00" in value:
        errors[name] = _("bevat een ongeldig teken (NUL)")
    elif len(value) > limit:
        errors[name] = _(
            "te lang: maximaal {limit} tekens (nu {length})", limit=limit, length=len(value)
        )
    return value


def _number(value: str, name: str, errors: dict[str, str], low: float, high: float) -> float | None:
    value = value.strip().replace(" ", "")
    if not value:
        return None
    if "," in value:  # Dutch notation: 1.250,50
        value = value.replace(".", "").replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        errors[name] = _("geen getal")
        return None
    if not math.isfinite(number) or not low <= number <= high:
        errors[name] = _(
            "moet tussen {low} en {high} liggen",
            low=formatting.short(low),
            high=formatting.short(high),
        )
        return None
    return number


def _date(value: str, today: date, errors: dict[str, str]) -> date | None:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        errors["datum"] = _("vul een datum in (dag, maand, jaar)")
        return None
    if day > today:
        errors["datum"] = _("de datum ligt in de toekomst")
    elif day < EARLIEST:
        errors["datum"] = _(
            "de datum ligt vóór {earliest}; doe aangifte aan de balie",
            earliest=formatting.date(EARLIEST, "short"),
        )
    return day


def check_aangifte(
    form: dict[str, str],
    goods: list[tuple[str, str, str]],
    *,
    reference: PortalReference,
    today: date,
) -> AangifteIn:
    """The form's fields checked; PortalInputError with a message per wrong field."""
    errors: dict[str, str] = {}
    category = form.get("categorie", "").strip()
    known = reference.category(category)
    if known is not None and known.kind == "verzoek":  # a request has its own form
        known = None
    if known is None:
        errors["categorie"] = _("onbekende soort aangifte: kies er een uit de lijst")
    day = _date(form.get("datum", ""), today, errors)
    gemeente = _text(form.get("gemeente", ""), "gemeente", 120, errors)
    address = _text(form.get("adres", ""), "adres", ADDRESS_MAX, errors)
    lat = _number(form.get("lat", ""), "locatie", errors, -90, 90)
    lon = _number(form.get("lon", ""), "locatie", errors, -180, 180)
    if not gemeente and lat is None and "locatie" not in errors:
        errors["gemeente"] = _("vul de gemeente in waar het gebeurde")
    description = _text(form.get("omschrijving", ""), "omschrijving", TEXT_MAX, errors)
    if "omschrijving" not in errors and len(description) < MIN_DESCRIPTION:
        errors["omschrijving"] = _(
            "beschrijf wat er gebeurde (minstens {min_description} tekens)",
            min_description=MIN_DESCRIPTION,
        )
    checked: list[GoodIn] = []
    rows = [row for row in goods if any(part.strip() for part in row)]
    if len(rows) > GOODS_MAX:
        errors["goederen"] = _("hoogstens {goods_max} goederen", goods_max=GOODS_MAX)
    for index, (what, value, identifier) in enumerate(rows[:GOODS_MAX], start=1):
        name = f"goed_{index}"
        what = _text(what, name, GOOD_MAX, errors)
        ident = _text(identifier, name, IDENTIFIER_MAX, errors)
        euros = _number(value, name, errors, 0, MAX_VALUE_EUR)
        if not what and name not in errors:
            errors[name] = _("beschrijf het goed (bijvoorbeeld: zwarte herenfiets, Gazelle)")
        checked.append(GoodIn(what, euros, ident or None))
    if errors or known is None or day is None:
        raise PortalInputError(errors)
    return AangifteIn(
        category=known.code,
        occurred_on=day,
        gemeente=gemeente,
        address=address or None,
        lat=lat,
        lon=lon,
        description=description,
        goods=checked,
    )
