"""A refused monitor input: a Dutch message, the field it concerns and (imports) the line."""

from __future__ import annotations

from korps.common.datatexts import shown
from korps.common.i18n import N_, _

#: the field a refusal names (a form's or a file's column, or the model's), as it is shown
FIELD_LABELS = {
    "unit": N_("eenheid"),
    "eenheid": N_("eenheid"),
    "indicator": N_("indicator"),
    "year": N_("jaar"),
    "period": N_("periode"),
    "periode": N_("periode"),
    "value": N_("waarde"),
    "waarde": N_("waarde"),
    "source": N_("bron"),
    "bron": N_("bron"),
    "bestand": N_("bestand"),
    "datum": N_("datum"),
}


class MonitorRefused(ValueError):
    def __init__(self, field: str, message: str, line: int | None = None) -> None:
        self.field = field
        self.message = message
        self.line = line
        refusal = f"{shown(FIELD_LABELS.get(field, field))}: {message}"
        if line is not None:
            refusal = _("regel {line}: {refusal}", line=line, refusal=refusal)
        super().__init__(refusal)
