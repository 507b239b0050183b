"""Jinja2 environments that speak the current locale: the web's templates and the reports
that render outside a request (the monitor's RVO report) get the same gettext callables
(``{% trans %}``, ``_()``) and the same filters for numbers and dates."""

from __future__ import annotations

from jinja2 import Environment

from korps.common.datatexts import shown
from korps.common.formatting import date, day, local, local_datetime, number, percent, time
from korps.common.i18n import LOCALES, current_locale, gettext, ngettext
from korps.common.labels import LABELS


def localise(env: Environment) -> Environment:
    """Give ``env`` the i18n extension (newstyle gettext through korps.common.i18n, so texts
    follow the current locale) and the locale-aware filters: ``nl`` (number), ``procent``,
    ``datum``, ``dag`` (a day without its year), ``tijdstip`` (in Dutch local time),
    ``tijd`` and ``t`` (a text from data or a label, through the catalogue); the label
    tables of code values as ``LABELS``."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["nl"] = number
    env.filters["procent"] = percent
    env.filters["datum"] = date
    env.filters["tijdstip"] = local_datetime  # in Dutch local time, like the control room
    env.filters["dag"] = day
    env.filters["lokaal"] = local  # a moment in Dutch local time: {{ at | lokaal | datum }}
    env.filters["tijd"] = time
    env.filters["t"] = shown  # korps.common.datatexts: a text from data, a label
    env.globals["current_locale"] = current_locale
    env.globals["LOCALES"] = LOCALES
    env.globals["LABELS"] = LABELS  # korps.common.labels: code -> Dutch label
    return env
