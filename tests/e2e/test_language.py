"""A visitor switches the interface to English and back in chromium (the browser itself
asks for English: that alone changes nothing)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def test_the_footer_switches_the_language_and_the_choice_stays(
    browser: Any, live_server: str
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="en-US")  # Accept-Language: en-US
    page = context.new_page()
    page.goto(live_server + "/eenheden/rotterdam-d1-charlois")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("#unit-fte")).to_have_text("166,5")
    page.locator("#taal-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#unit-fte")).to_have_text("166.5")
    expect(page.locator("header.top")).to_contain_text("Municipalities")
    page.locator("header.top").get_by_role("link", name="Municipalities").click()
    expect(page.locator("h1")).to_contain_text("Municipalities")  # the cookie keeps it
    page.locator("#taal-nl").click()
    expect(page.locator("h1")).to_contain_text("Gemeenten")
    context.close()
