"""Issue 14.12, the second locale: every HTML page of the app (from the route table, read
by a user who may read it) asked for in English shows no text the catalogue translates. A
text node (or a title, placeholder, label) that is exactly a Dutch message id with another
English translation was shown without going through the catalogue: a label, a data text
or a refusal that skipped ``_()``. Texts kept alike in both languages are not counted."""

from __future__ import annotations

import html
import re
from functools import cache

from korps.common import catalogue
from tests.conftest import Db
from tests.integration.test_access_matrix import app_db
from tests.integration.test_i18n_pages import fetch_pages, save_fitted_scenario

__all__ = ["app_db"]


@cache
def translated_ids() -> frozenset[str]:
    """The Dutch message ids whose English differs (no placeholders: a filled-in message
    is not its id), of at least two words or one capitalised word: a lone lowercase word
    on a page is mostly a code shown as a code (the dataset ``gemeenten``, a slug)."""
    found = set()
    for message in catalogue.load("en"):
        if not isinstance(message.id, str) or not message.id or "{" in message.id:
            continue
        text = " ".join(message.id.split())
        if message.string and message.string != message.id and (" " in text or text[:1].isupper()):
            found.add(text)
    return frozenset(found)


def text_nodes(page: str) -> list[str]:
    """The separate texts a reader sees: each run of text between tags, and the titles,
    placeholders and labels of elements; scripts, styles, code and links' targets left out."""
    page = re.sub(r"(?is)<(script|style|code)\b.*?</\1>", " ", page)
    attributes = re.findall(r'(?i)\b(?:title|placeholder|aria-label|alt)="([^"]*)"', page)
    runs = re.split(r"(?s)<[^>]+>", page)
    return [" ".join(html.unescape(t).split()) for t in [*runs, *attributes] if t.strip()]


def dutch_in(page: str) -> list[str]:
    ids = translated_ids()
    shown = []
    for node in text_nodes(page):
        if node in ids or node.rstrip(".:") in ids:
            shown.append(node)
    return shown


def test_the_check_finds_a_dutch_text_on_an_english_page() -> None:
    assert "Nieuwe melding" in translated_ids()
    page = '<h1>New incident</h1><p title="Nieuwe melding">x</p><td> Nieuwe\n melding </td>'
    assert dutch_in(page) == ["Nieuwe melding", "Nieuwe melding"]
    assert dutch_in("<h1>New incident</h1><p>Rotterdam-Rijnmond</p>") == []


def test_no_page_in_english_shows_a_dutch_text_from_the_catalogue(
    app_db: tuple[Db, dict[str, str]],
) -> None:
    db, values = app_db
    slug = save_fitted_scenario(db)
    found = fetch_pages(db, values, "en")
    found.update(
        fetch_pages(db, {**values, "slug": slug}, "en", "/scenarios/{slug}", "oost-nederland")
    )
    assert len(found) > 30
    dutch = {
        path: shown[:5] + ([f"... {len(shown)} in all"] if len(shown) > 5 else [])
        for path, (_status, body) in found.items()
        if (shown := dutch_in(body))
    }
    assert dutch == {}, "\n".join(f"{p}: {w}" for p, w in dutch.items())
