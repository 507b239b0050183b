"""A person browses from the home page to a basisteam and a municipality, in chromium."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e
SCREENSHOT = os.environ.get("KORPS_SCREENSHOT")


def test_home_to_rotterdam_zuid_to_charlois(browser: Any, live_server: str) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server + "/")
    expect(page.locator("h1")).to_have_text("Politie-eenheden")
    page.get_by_role("link", name="Eenheid Rotterdam", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Eenheid Rotterdam")
    expect(page.locator("#unit-fte")).to_have_text("6.129,2")
    page.locator("#children").get_by_role("link", name="Rotterdam Zuid").click()
    expect(page.locator("h1")).to_contain_text("Rotterdam Zuid")
    zuid_rows = page.locator("#children tr[data-slug^='rotterdam-d']")
    expect(zuid_rows).to_have_count(6)  # leiding, D1-D3, flexteam, districtsrecherche
    page.locator("#children").get_by_role("link", name="Charlois").click()
    expect(page.locator("h1")).to_contain_text("Charlois")
    expect(page.locator("h1 .soort")).to_have_text("D1")
    expect(page.locator("#unit-fte")).to_have_text("166,5")
    expect(page.locator("#unit-wijkagenten")).to_have_text("18,0")
    crumbs = page.locator("nav.kruimels a")
    expect(crumbs).to_have_text(
        ["Overzicht", "Politie (Nationale Politie)", "Eenheid Rotterdam", "Rotterdam Zuid"]
    )
    expect(page.locator("#figures tr[data-category='formatie'] td.getal")).to_have_text("166,5")
    expect(page.locator("#gemeenten")).to_contain_text("Rotterdam")
    page.locator("#gemeenten").get_by_role("link", name="Rotterdam").first.click()
    expect(page.locator("h1")).to_contain_text("Gemeente Rotterdam")
    expect(page.locator("#district")).to_contain_text("Rotterdam Zuid")
    expect(page.locator("#eenheid")).to_have_text("Eenheid Rotterdam")
    expect(page.locator("td.partnership-riec")).to_have_text("RIEC Rotterdam")
    page.close()


def test_search_box_finds_units_and_municipalities(browser: Any, live_server: str) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server + "/")
    page.get_by_label("Zoeken").fill("veluwe")
    results = page.locator("#zoekresultaten")
    expect(results).to_contain_text("Veluwe West")
    expect(results.get_by_role("link")).to_have_count(4)  # Noord, West, Vallei N+Z
    results.get_by_role("link", name="Veluwe West").click()
    expect(page.locator("h1")).to_contain_text("Veluwe West")
    expect(page.locator("#unit-fte")).to_have_text("92,0")
    expect(page.locator("#figures")).to_contain_text(re.compile("amendement", re.I))
    if SCREENSHOT:
        page.goto(live_server + "/eenheden/rotterdam-d")
        Path(SCREENSHOT).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOT, full_page=False)
    page.close()
