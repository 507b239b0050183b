"""The catalogues kept in step with the code: ``make messages`` (``python -m
korps.common.catalogue``) extracts every text marked for translation (``_()``, ``N_()``,
``gettext``/``ngettext`` in Python, ``{% trans %}``/``_()`` in the Jinja2 templates) and
updates ``locale/<locale>/LC_MESSAGES/messages.po``.

The Dutch text is the message id, so a new message is complete in ``nl`` at once (msgstr =
msgid); in ``en`` it starts empty and is listed by :func:`untranslated` until someone
translates it (the tests fail on it). Messages no longer in the code are dropped.

Texts from data go the same way: the bundled YAML datasets are read by
:func:`korps.common.datatexts.extract_yaml`, which takes exactly the keys a user reads
(a whitelist per file: ``portal.yaml`` ``categories[].name``, ``statuses[].label`` ...;
never codes, sources or assumptions), and the pages show them through ``| t``
(:func:`korps.common.datatexts.shown`, gettext of the Dutch text at display time). Code
values shown to a user (wish kinds, absence kinds, roles, statuses) have a label table
with ``N_()``-marked Dutch labels (:mod:`korps.common.labels`), also shown through
``| t``. What a user typed (a description, a scenario's name) is shown as typed, and a
dataset a user loads later may have texts the catalogue does not know: gettext falls back
and they show as written.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from korps.common.i18n import DEFAULT_LOCALE, LOCALES, catalogue_path

SOURCE_DIR = Path(__file__).resolve().parent.parent  # src/korps
METHODS = [
    ("**/templates/**.html", "jinja2"),
    ("**.py", "python"),
    ("datasets/*.yaml", "korps.common.datatexts:extract_yaml"),  # only the keys in its TEXTS
]
OPTIONS = {
    "**/templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"},
}
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def extract(source: Path = SOURCE_DIR) -> dict[str | tuple[str, ...], list[tuple[str, int]]]:
    """Every message id in the code and templates under ``source`` with where it is."""
    found: dict[str | tuple[str, ...], list[tuple[str, int]]] = {}
    extracted = extract_from_dir(
        str(source),
        method_map=METHODS,
        options_map=OPTIONS,
        keywords=KEYWORDS,
        comment_tags=(),
        strip_comment_tags=True,
    )
    for filename, line, message, _comments, _context in extracted:
        key = message if isinstance(message, str) else tuple(message)
        if (key[0] if isinstance(key, tuple) else key) and all(key):
            found.setdefault(key, []).append((filename, line))
    return found


def load(locale: str) -> Catalog:
    path = catalogue_path(locale)
    if not path.is_file():
        return Catalog(locale=locale, project="korps", domain="messages")
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _message_id(message: Message) -> str | tuple[str, ...]:
    return message.id if isinstance(message.id, str) else tuple(message.id)


def untranslated(catalogue: Catalog) -> list[str]:
    """The message ids of ``catalogue`` without a translation (an empty msgstr)."""
    missing = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            missing.append(str(message.id))
    return missing


def update(found: dict[str | tuple[str, ...], list[tuple[str, int]]]) -> dict[str, int]:
    """Bring every catalogue in line with ``found``; returns the untranslated count per locale."""
    counts: dict[str, int] = {}
    for locale in LOCALES:
        old = load(locale)
        new = Catalog(locale=locale, project="korps", domain="messages", fuzzy=False)
        for key, locations in sorted(found.items(), key=lambda item: str(item[0])):
            previous = old.get(key if isinstance(key, str) else key[0])
            if previous is not None and previous.string:
                string: str | tuple[str, ...] | list[str] = previous.string
            elif locale == DEFAULT_LOCALE:
                string = key
            else:
                string = "" if isinstance(key, str) else ("",) * len(key)
            new.add(key, string, locations=sorted(set(locations)))
        path = catalogue_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, new, width=100, omit_header=False, sort_output=False)
        counts[locale] = len(untranslated(new))
    return counts


def main(argv: Iterable[str] = ()) -> int:
    counts = update(extract())
    for locale, count in counts.items():
        print(f"{locale}: {count} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
