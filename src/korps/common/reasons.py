"""Why a value was refused, in the reader's language: the one translation of Pydantic's
error types, used by the API's 422 answers, the HTML error pages, the forms and the
validated files (``korps.common.datafile``). Pydantic's own English message is never shown:
a type without a translation here is one of ours (``value_error``, ``PydanticCustomError``),
whose text we wrote in Dutch."""

from __future__ import annotations

from typing import Any

from korps.common.formatting import number
from korps.common.i18n import N_, _

#: comparisons: error type -> (context key, message with {limit})
COMPARISONS = {
    "greater_than_equal": ("ge", N_("minimaal {limit}")),
    "less_than_equal": ("le", N_("maximaal {limit}")),
    "greater_than": ("gt", N_("groter dan {limit}")),
    "less_than": ("lt", N_("kleiner dan {limit}")),
    "multiple_of": ("multiple_of", N_("een veelvoud van {limit}")),
    "string_too_long": ("max_length", N_("maximaal {limit} tekens")),
    "string_too_short": ("min_length", N_("minimaal {limit} teken(s)")),
    "too_long": ("max_length", N_("maximaal {limit} tekens")),  # our text fields use it too
    "too_short": ("min_length", N_("minimaal {limit} teken(s)")),
    "bytes_too_long": ("max_length", N_("maximaal {limit} bytes")),
    "bytes_too_short": ("min_length", N_("minimaal {limit} bytes")),
}
MESSAGES = {
    "missing": N_("verplicht veld ontbreekt"),
    "extra_forbidden": N_("onbekend veld"),
    "string_type": N_("verwacht tekst"),
    "string_pattern_mismatch": N_("ongeldig formaat"),
    "string_unicode": N_("geen geldige Unicode-tekst (bijv. een losse surrogaat)"),
    "int_type": N_("verwacht een geheel getal"),
    "int_parsing": N_("verwacht een geheel getal"),
    "int_from_float": N_("verwacht een geheel getal"),
    "float_type": N_("verwacht een getal"),
    "float_parsing": N_("verwacht een getal"),
    "decimal_type": N_("verwacht een getal"),
    "decimal_parsing": N_("verwacht een getal"),
    "finite_number": N_("verwacht een eindig getal (geen NaN of oneindig)"),
    "bool_type": N_("verwacht true of false"),
    "bool_parsing": N_("verwacht true of false"),
    "datetime_type": N_("verwacht een tijdstip (ISO 8601)"),
    "datetime_parsing": N_("verwacht een tijdstip (ISO 8601)"),
    "datetime_from_date_parsing": N_("verwacht een tijdstip (ISO 8601)"),
    "date_type": N_("verwacht een datum (JJJJ-MM-DD)"),
    "date_parsing": N_("verwacht een datum (JJJJ-MM-DD)"),
    "date_from_datetime_parsing": N_("verwacht een datum (JJJJ-MM-DD)"),
    "time_type": N_("verwacht een tijd (UU:MM)"),
    "time_parsing": N_("verwacht een tijd (UU:MM)"),
    "timezone_aware": N_("verwacht een tijdstip met tijdzone"),
    "model_attributes_type": N_("verwacht een JSON-object"),
    "model_type": N_("verwacht een object"),
    "dict_type": N_("verwacht een JSON-object"),
    "list_type": N_("verwacht een lijst"),
    "tuple_type": N_("verwacht een lijst"),
    "set_type": N_("verwacht een lijst"),
    "json_invalid": N_("ongeldige JSON"),
    "json_type": N_("verwacht JSON"),
    "none_required": N_("moet leeg zijn"),
    "uuid_parsing": N_("verwacht een UUID"),
    "url_parsing": N_("verwacht een webadres (URL)"),
    "url_scheme": N_("verwacht een webadres met http of https"),
    "enum": N_("ongeldige waarde"),
    "union_tag_invalid": N_("ongeldige soort"),
    "union_tag_not_found": N_("de soort ontbreekt"),
    "is_instance_of": N_("ongeldige waarde"),
    "frozen_field": N_("kan niet worden gewijzigd"),
    "bytes_type": N_("verwacht bytes"),
    "value_error": N_("ongeldige waarde"),
}
OWN_MESSAGE = {"value_error", "assertion_error"}  # our validators' own (Dutch) texts
OWN_PREFIXES = ("Value error, ", "Assertion failed, ")


def plain(limit: object) -> object:
    """A limit as written in a schema: 0 rather than 0.0, a decimal comma in Dutch."""
    if isinstance(limit, float):
        return int(limit) if limit.is_integer() else number(limit, len(repr(limit).split(".")[1]))
    return limit


def reason(error: Any) -> str:
    """Why one Pydantic error refused its value, without the field name: "maximaal 30 tekens"."""
    kind, ctx = str(error.get("type", "")), error.get("ctx") or {}
    if kind in COMPARISONS:
        key, text = COMPARISONS[kind]
        return _(text, limit=plain(ctx.get(key)))
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", " " + _("of") + " ")
        return _("ongeldige waarde; toegestaan: {expected}", expected=expected)
    if kind in OWN_MESSAGE:
        message = str(error.get("msg", ""))
        for prefix in OWN_PREFIXES:
            message = message.removeprefix(prefix)
        return message or _(MESSAGES["value_error"])
    if kind in MESSAGES:
        return _(MESSAGES[kind])
    return str(error.get("msg", ""))  # our own error types (PydanticCustomError) speak Dutch
