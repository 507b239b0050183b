"""Jinja2 templates shared by every domain's pages (numbers through korps.common.formatting)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from korps.common.formatting import number
from korps.organisation.sources import linked

TEMPLATES_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

KIND_LABELS = {
    "korps": "korps",
    "eenheid": "eenheid",
    "dienst": "dienst",
    "afdeling": "afdeling",
    "district": "district",
    "basisteam": "basisteam",
    "team": "team",
    "zone": "politiezone",
    "directie": "directie",
    "veiligheidsregio": "veiligheidsregio",
    "veiligheidshuis": "veiligheidshuis",
    "riec": "RIEC",
}
CATEGORY_LABELS = {
    "formatie": "Formatie (fte)",
    "os": "Operationeel (OS)",
    "nos": "Niet-operationeel (NOS)",
    "aspiranten": "Aspiranten",
    "aspiranten_basisteams": "Aspiranten in basisteams",
    "rechercheurs": "Rechercheurs",
    "wijkagenten": "Wijkagenten",
    "inwoners_per_wijkagent": "Inwoners per wijkagent",
    "hbvs_2018": "HBVS+ 2018",
    "hbvs_2023": "HBVS+ 2023",
    "uitbreiding": "Uitbreiding",
    "uitbreiding_110": "Uitbreiding (110 fte)",
    "uitbreiding_hovj": "Uitbreiding (kwal. HOvJ)",
    "operationele_sterkte": "Operationele sterkte",
    "min_wijkagenten": "Min. wijkagenten",
    "extra_wijkagenten": "Extra wijkagenten",
    "aantal": "Aantal",
}


templates.env.filters["nl"] = number
templates.env.filters["bron"] = linked
templates.env.globals["KIND_LABELS"] = KIND_LABELS
templates.env.globals["CATEGORY_LABELS"] = CATEGORY_LABELS


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)
