"""Labels of code values a user sees (korps.common.catalogue explains the mechanism): each
table maps a stored code to its Dutch label, marked with ``N_()`` so the catalogue has it,
and is shown translated through ``| t`` (:func:`korps.common.datatexts.shown`) or
:func:`label`. The code stays what is stored and posted; only the label is translated.
"""

from __future__ import annotations

from collections.abc import Mapping

from korps.common.datatexts import shown
from korps.common.i18n import N_

#: kinds of wish (korps.capacity.wishlist)
WISH_LABELS = {
    # a day off: not the control room's "vrij" (a unit free after a job), which is another
    # word in English ("off" vs "free"), so a text of its own
    "vrij": N_("vrije dag"),
    "geen_nacht": N_("geen nachtdienst"),
    "dienst": N_("voorkeur dienst"),
}
#: kinds of absence (korps.capacity.schemas.ABSENCES)
ABSENCE_LABELS = {
    "ziek": N_("ziek"),
    "verlof": N_("verlof"),
    "opleiding": N_("opleiding"),
    "detachering": N_("detachering"),
}
#: the CP-SAT status of a roster (korps.capacity.generator; only these two give a roster)
ROSTER_STATUS_LABELS = {
    "OPTIMAL": N_("optimaal"),
    "FEASIBLE": N_("uitvoerbaar, niet bewezen optimaal"),
}
#: kinds of user account (korps.identity.models.User.kind)
USER_KIND_LABELS = {"medewerker": N_("medewerker"), "burger": N_("burger")}
#: role names (korps.identity.roles.ROLES, whose descriptions are N_() marked there)
ROLE_LABELS = {
    "beheerder": N_("beheerder"),
    "planner": N_("planner"),
    "centralist": N_("centralist"),
    "teamchef": N_("teamchef"),
    "medewerker": N_("medewerker"),
    "gezag": N_("gezag"),
    "burger": N_("burger"),
}
#: kinds of portal dossier (korps.portal.reference.Category.kind)
DOSSIER_KIND_LABELS = {
    "aangifte": N_("aangifte"),
    "melding": N_("melding"),
    "verzoek": N_("verzoek"),
}
#: kinds of a monitor target (korps.monitor, docs/monitor.md)
TARGET_KIND_LABELS = {
    "streefwaarde": N_("streefwaarde"),
    "verbetering": N_("verbetering"),
    "nb": N_("niet bekend"),
    "monitoring": N_("monitoring"),
}
#: the status of a monitor plan
PLAN_STATUS_LABELS = {"concept": N_("concept"), "vastgesteld": N_("vastgesteld")}

#: the fields a capacity refusal names (korps.capacity: CapacityError.field and the forms'
#: schema fields), as the page shows them before the reason
CAPACITY_FIELD_LABELS = {
    "number": N_("personeelsnummer"),
    "name": N_("naam"),
    "unit": N_("eenheid"),
    "function": N_("functie"),
    "contract_hours": N_("contracturen"),
    "start_date": N_("in dienst"),
    "end_date": N_("uit dienst"),
    "qualifications": N_("kwalificaties"),
    "valid_from": N_("geldig vanaf"),
    "valid_until": N_("geldig tot en met"),
    "kind": N_("soort"),
    "starts": N_("van"),
    "ends": N_("tot en met"),
    "from_unit": N_("van eenheid"),
    "to_unit": N_("naar eenheid"),
    "hours_per_week": N_("uren per week"),
    "shift": N_("dienst"),
    "start": N_("begintijd"),
    "end": N_("eindtijd"),
    "night": N_("nachtdienst"),
    "days": N_("dagen"),
    "day": N_("dag"),
    "crews": N_("bemanningen"),
    "cars": N_("auto's"),
    "weeks": N_("weken"),
    "wish": N_("wens"),
    "roster": N_("rooster"),
    "rooster": N_("rooster"),
    "twin": N_("digitale tweeling"),
    "formulier": N_("formulier"),
}

#: every table, for the templates (``{{ LABELS.absence.get(a.kind, a.kind) | t }}``)
LABELS: dict[str, Mapping[str, str]] = {
    "wish": WISH_LABELS,
    "absence": ABSENCE_LABELS,
    "roster_status": ROSTER_STATUS_LABELS,
    "user_kind": USER_KIND_LABELS,
    "role": ROLE_LABELS,
    "dossier_kind": DOSSIER_KIND_LABELS,
    "target_kind": TARGET_KIND_LABELS,
    "plan_status": PLAN_STATUS_LABELS,
    "capacity_field": CAPACITY_FIELD_LABELS,
}


def label(table: Mapping[str, str], code: str | None) -> str:
    """The label of ``code`` in ``table``, translated; an unknown code as it is."""
    if code is None:
        return ""
    return shown(table.get(code, code))
