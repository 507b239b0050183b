"""Issue 14.12: a Dutch interface in Dutch. Every HTML page of the app (generated from the
route table, as the access matrix is) rendered in the Dutch locale by a user who may read
it shows no English words and no numbers in English form; the same pages in English
(``?lang=en``) show English."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from korps.identity.deps import Access, Public, Require
from korps.planning import store
from korps.planning.service import read_scenario_file
from korps.web.app import access_of, create_app, route_table
from tests.conftest import Db
from tests.integration.test_access_matrix import _url, app_db
from tests.support.auth import login_as

__all__ = ["app_db"]  # the access matrix's database: one incident, units and its path values

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: pages that are not pages: documents for machines, files, the API's own viewer
NOT_PAGES = ("/api/", "/openapi.json", "/healthz", "/favicon.ico", "/docs", "/static")

#: words and phrases that are English and not Dutch (case-insensitive, whole words)
ENGLISH = re.compile(
    r"\b(the|should|outside|see comment|unknown|error|not found|not free|cannot|must|"
    r"field required|invalid|assigned|missing|with the|of the|and the|is not|are|"
    r"method not allowed|internal server|string should|input should|loaded|rows?|"
    r"weights?|fitted|above|below|per cent|none|its|all|has|have|for|to|from|which|this|"
    r"that|only|please|click|here|page|yes|no|new|save|delete|loading|required|"
    r"municipalit(y|ies)|team's|within|without|between|because|assumption|source)\b",
    re.IGNORECASE,
)
#: numbers in English form: 1,279,766 or 3,833.2 (thousands with a comma; one group alone,
#: 279,766, is also a Dutch number with three decimals) and 97.9% / 1.0 (a decimal point)
ENGLISH_NUMBER = re.compile(
    r"(?<![\d.,])\d{1,3}(,\d{3}){2,}(?![\d,])|(?<![\d.,])\d{1,3},\d{3}\.\d"
    r"|(?<![\d.])\d+\.\d{1,2}(?![\d.])"
)


def visible_text(page: str) -> str:
    """The text a reader sees: no scripts, styles or tags; titles, placeholders and labels
    of elements count as text."""
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    attributes = re.findall(r'(?i)\b(?:title|placeholder|aria-label|alt)="([^"]*)"', page)
    text = re.sub(r"(?s)<[^>]+>", " ", page)
    text = re.sub(r"(?s)<code>.*?</code>", " ", text)
    return html.unescape(" ".join([text, *attributes]))


def english_in(page: str) -> list[str]:
    """The English words and numbers on ``page``, each with a little context."""
    page = re.sub(r"(?is)<code>.*?</code>", " ", page)  # commands and file names stay as typed
    page = re.sub(r'(?i)href="[^"]*"', "", page)
    text = " ".join(visible_text(page).split())
    text = re.sub(r'\{"[^{}]*\}', " ", text)  # the audit trail's records (JSON) are data
    found = []
    for pattern in (ENGLISH, ENGLISH_NUMBER):
        for match in pattern.finditer(text):
            start, end = max(0, match.start() - 40), match.end() + 40
            found.append(f"{match.group(0)!r} in …{text[start:end]}…")
    return found


def caller_for(access: Access, unit: str = "rotterdam") -> tuple[str, str | None] | None:
    """Someone who may read a page with ``access``: nobody for a public one, else a user
    with the first role it names on ``unit`` (the beheerder on the whole korps)."""
    if isinstance(access, Public):
        return None
    roles = access.roles if isinstance(access, Require) else ("beheerder",)
    role = roles[0] if roles else "beheerder"
    return role, ("politie" if role == "beheerder" else None if role == "burger" else unit)


def pages(app: Any) -> list[tuple[str, APIRoute]]:
    return [
        (path, route)
        for path, route in route_table(app)
        if "GET" in route.methods and not path.startswith(NOT_PAGES)
    ]


def fetch_pages(
    db: Db, values: dict[str, str], lang: str, only: str = "/", unit: str = "rotterdam"
) -> dict[str, tuple[int, str]]:
    """Every HTML page (under ``only``) as (status, body) by path, asked for in ``lang`` by
    a reader on ``unit``."""
    app = create_app(db.engine)
    found: dict[str, tuple[int, str]] = {}
    with TestClient(app, raise_server_exceptions=False) as client:
        for path, route in pages(app):
            if not path.startswith(only):
                continue
            if any(name not in values for name in re.findall(r"\{([a-z_]+)", path)):
                continue  # a route still without a value in the access matrix (it fails there)
            access = access_of(route)
            assert access is not None, path
            client.cookies.clear()
            caller = caller_for(access, unit)
            if caller is not None:
                role, where = caller
                login_as(client, db.engine, role=role, unit=where, username=f"taal-{role}-{unit}")
            response = client.get(_url(path, values), params={"lang": lang})
            if response.headers.get("content-type", "").startswith("text/html"):
                found[path] = (response.status_code, response.text)
    return found


def save_fitted_scenario(db: Db) -> str:
    """The example whose level-1 weights are fitted (fit lines, explanations per team),
    saved; returns its slug."""
    path = EXAMPLES / "oost-nederland-werklast.yaml"
    _scenario, workload = read_scenario_file(path)
    with db.session() as session:
        saved = store.save(
            session, text=path.read_text(encoding="utf-8"), file=str(path), workload=workload
        )
        session.commit()
        return saved.slug


def test_every_page_is_dutch_in_the_dutch_locale(app_db: tuple[Db, dict[str, str]]) -> None:
    db, values = app_db
    slug = save_fitted_scenario(db)
    found = fetch_pages(db, values, "nl")
    scenario_values = {**values, "slug": slug}
    found.update(fetch_pages(db, scenario_values, "nl", "/scenarios/{slug}", "oost-nederland"))
    scenario = found["/scenarios/{slug}"][1]
    assert "gewichten gefit op" in scenario and "aandeel " in scenario  # fit and explanations
    assert len(found) > 30  # the route table's pages, not a handful
    english = {
        path: [*words[:3], f"... {len(words)} in all"]
        for path, (status, body) in found.items()
        if (words := english_in(body)) or status >= 500
    }
    assert english == {}, "\n".join(f"{p}: {w}" for p, w in english.items())


def test_every_page_renders_in_english(app_db: tuple[Db, dict[str, str]]) -> None:
    """The English catalogue breaks no page (a translation must keep its placeholders and
    may not add a bare % to a template's text)."""
    db, values = app_db
    found = fetch_pages(db, values, "en")
    assert len(found) > 30
    assert {path: status for path, (status, _body) in found.items() if status >= 500} == {}
    # every page on the shared layout (with the language switch) says it is English
    layout = {path: body for path, (_s, body) in found.items() if 'class="talen"' in body}
    assert len(layout) > 30
    assert [path for path, body in layout.items() if '<html lang="en">' not in body] == []


def test_pages_in_english_when_chosen(app_db: tuple[Db, dict[str, str]]) -> None:
    db, _values = app_db
    with TestClient(create_app(db.engine)) as client:
        home = client.get("/", params={"lang": "en"})
        assert home.cookies.get("korps_lang") == "en"
        # the interface is English; data (dataset titles, the loader's notes) stays as loaded
        assert '<a href="/gemeenten">Municipalities</a>' in home.text
        assert '<html lang="en">' in home.text and "Politie-eenheden" not in home.text
        # the cookie keeps the choice; numbers follow it (3,013.8 fte in English)
        rotterdam = client.get("/eenheden/rotterdam").text
        assert "3,013.8" in rotterdam and "3.013,8" not in rotterdam
        assert "Log in" in client.get("/aanmelden").text
        dutch = client.get("/eenheden/rotterdam", params={"lang": "nl"}).text
        assert "3.013,8" in dutch and "Gemeenten" in dutch


#: one page per domain wrapped in the catalogue (#14.12): its heading in Dutch and in English
DOMAIN_HEADINGS = {
    "/monitor": (
        "De plannen en monitors van de eenheden waarvoor u leesrechten hebt.",
        "The plans and monitors of the units you may read.",
    ),
    "/capaciteit": ("<h1>Capaciteit</h1>", "<h1>Capacity</h1>"),
    "/meldkamer/{eenheid}/nieuw": ("<h1>Nieuwe melding</h1>", "<h1>New incident</h1>"),
    "/aangifte": (
        "<h1>Online aangifte of melding</h1>",
        "<h1>Online crime report or notification</h1>",
    ),
}


def test_each_domain_has_its_headings_in_english(app_db: tuple[Db, dict[str, str]]) -> None:
    """Monitor, capacity, control room and portal show their texts from the catalogue: the
    Dutch heading in Dutch, the English one in English and not the Dutch one."""
    db, values = app_db
    for path, (dutch, english) in DOMAIN_HEADINGS.items():
        nl = fetch_pages(db, values, "nl", path)[path]
        en = fetch_pages(db, values, "en", path)[path]
        assert nl[0] == en[0] == 200, path
        assert dutch in nl[1] and english not in nl[1], path
        assert english in en[1] and dutch not in en[1], path


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("279.766 incidenten, 97,9%, gewicht 1,0", False),
        ("1,279,766 incidenten", True),
        ("3,833.2 fte", True),
        ("aandeel 110,508 van 3.228,5", False),
        ("97.9% binnen de norm", True),
        ("weight 1.0", True),
        ("String should have at most 2000 characters", True),
        ("Grondslag (see comment above)", True),
        ("is outside the area of Rotterdam", True),
        ("De eenheid is niet vrij", False),
    ],
)
def test_english_markers(text: str, english: bool) -> None:
    assert bool(english_in(f"<p>{text}</p>")) is english
