"""The incident page's timeline in the reader's language: each line is an audit entry of the
incident or a unit; the stored action stays as stored, its first word and the entity are
shown through the catalogue."""

from __future__ import annotations

from korps.common.datatexts import shown
from korps.common.i18n import N_

#: the timeline's lines: what changed (the audit entity) and how (the stored action's first
#: word: "aangemaakt", "toegewezen RT-D1-01", "afgesloten: dubbele melding" ...), one
#: message per pair (the control room's "melding" is an incident, not the portal's report)
PHRASES = {
    ("incident", "aangemaakt"): N_("melding aangemaakt"),
    ("incident", "toegewezen"): N_("melding toegewezen"),
    ("incident", "afgeleid"): N_("melding afgeleid"),
    ("incident", "status"): N_("melding status"),
    ("incident", "afgesloten"): N_("melding afgesloten"),
    ("unit", "aangemaakt"): N_("eenheid aangemaakt"),
    ("unit", "gewijzigd"): N_("eenheid gewijzigd"),
    ("unit", "toegewezen"): N_("eenheid toegewezen"),
    ("unit", "status"): N_("eenheid status"),
    ("incident", "ingezien"): N_("melding ingezien"),
}
#: an action not in PHRASES is shown as it was stored, its entity too
STORED = {"incident": "melding", "unit": "eenheid"}


def timeline_line(entity: str, action: str) -> str:
    """A timeline entry in the reader's language: the stored action stays as stored, only
    the entity with its first word (one of :data:`PHRASES`) is translated."""
    word, space, rest = action.partition(" ")
    colon = ":" if word.endswith(":") else ""
    phrase = PHRASES.get((entity, word.removesuffix(":")))
    if phrase is None:
        return f"{STORED.get(entity, entity)} {action}"
    return f"{shown(phrase)}{colon}{space}{rest}"
