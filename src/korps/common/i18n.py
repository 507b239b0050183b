"""Translations: every text a user reads goes through the gettext catalogues in
``korps/locale/<locale>/LC_MESSAGES/messages.po``.

The message ids are the Dutch texts themselves; the ``nl`` catalogue is complete (each
msgstr filled, a test checks it) and ``en`` is the second locale. The catalogues are read
as ``.po`` files and compiled in memory the first time a locale is used, so there is no
build step to forget. ``make messages`` extracts the ids from the code and the templates
and updates both catalogues.

The current locale is a context variable: the web sets it per request (:data:`LOCALE_COOKIE`,
``?lang=``), the CLI keeps the default (``nl``). Wrap a text in :func:`_` where it is shown;
a text defined at import time is marked with :func:`N_` and translated where it is used.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("nl", "en")
#: each locale with its name in its own language (a language choice names itself)
LANGUAGES = (("nl", "Nederlands"), ("en", "English"))
DEFAULT_LOCALE = "nl"
LOCALE_COOKIE = "korps_lang"
LOCALE_COOKIE_AGE = 365 * 24 * 3600  # a year
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("korps_locale", default=DEFAULT_LOCALE)


def catalogue_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(locale: str) -> Translations:
    """The compiled catalogue of ``locale`` (an empty one for a locale without a file)."""
    path = catalogue_path(locale)
    if not path.is_file():
        return Translations()
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


def chosen(value: str | None) -> str | None:
    """``value`` as a supported locale ("en", "en-GB", "NL" ...), or None."""
    if not value:
        return None
    base = value.strip().replace("_", "-").split("-")[0].lower()
    return base if base in LOCALES else None


def current_locale() -> str:
    return _current.get()


def set_locale(locale: str) -> None:
    """Use ``locale`` (a supported one, else the default) for the rest of this context."""
    _current.set(chosen(locale) or DEFAULT_LOCALE)


@contextmanager
def using(locale: str) -> Iterator[None]:
    """Texts in ``locale`` inside the block (tests, e-mails to a user with a language)."""
    token = _current.set(chosen(locale) or DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """``message`` (a Dutch text, the msgid) in the current locale."""
    return translations(_current.get()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ungettext(singular, plural, n)


def _(message: str, **values: object) -> str:
    """``message`` translated, then filled in with ``values`` (``{name}`` placeholders)."""
    text = gettext(message)
    return text.format(**values) if values else text


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it now (import-time texts)."""
    return message
