"""Jinja2 templates shared by every domain's pages: texts through the gettext catalogues
(``{% trans %}`` and ``_()``, korps.common.i18n), numbers and dates for the current locale
(korps.common.formatting)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from korps.common.i18n import LANGUAGES, N_
from korps.common.jinja import localise
from korps.organisation.sources import linked

TEMPLATES_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
localise(templates.env)  # gettext, ngettext and the nl/procent/datum/... filters

#: labels shown through the catalogue: {{ KIND_LABELS.get(kind, kind) | t }}
KIND_LABELS = {
    "korps": N_("korps"),
    "eenheid": N_("eenheid"),
    "dienst": N_("dienst"),
    "afdeling": N_("afdeling"),
    "district": N_("district"),
    "basisteam": N_("basisteam"),
    "team": N_("team"),
    "zone": N_("politiezone"),
    "directie": N_("directie"),
    "veiligheidsregio": N_("veiligheidsregio"),
    "veiligheidshuis": N_("veiligheidshuis"),
    "riec": N_("RIEC"),
}
CATEGORY_LABELS = {
    "formatie": N_("Formatie (fte)"),
    "os": N_("Operationeel (OS)"),
    "nos": N_("Niet-operationeel (NOS)"),
    "aspiranten": N_("Aspiranten"),
    "aspiranten_basisteams": N_("Aspiranten in basisteams"),
    "rechercheurs": N_("Rechercheurs"),
    "wijkagenten": N_("Wijkagenten"),
    "inwoners_per_wijkagent": N_("Inwoners per wijkagent"),
    "hbvs_2018": N_("HBVS+ 2018"),
    "hbvs_2023": N_("HBVS+ 2023"),
    "uitbreiding": N_("Uitbreiding"),
    "uitbreiding_110": N_("Uitbreiding (110 fte)"),
    "uitbreiding_hovj": N_("Uitbreiding (kwal. HOvJ)"),
    "operationele_sterkte": N_("Operationele sterkte"),
    "min_wijkagenten": N_("Min. wijkagenten"),
    "extra_wijkagenten": N_("Extra wijkagenten"),
    "aantal": N_("Aantal"),
}


templates.env.filters["bron"] = linked
templates.env.globals["KIND_LABELS"] = KIND_LABELS
templates.env.globals["CATEGORY_LABELS"] = CATEGORY_LABELS
templates.env.globals["languages"] = LANGUAGES  # the footer's language choice


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)
