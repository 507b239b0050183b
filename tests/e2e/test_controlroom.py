"""An operator registers a prio-1 incident in Rotterdam-Charlois, sees the advice, assigns
the first unit, sets it on scene, and sees the response time on the live board, which
updates itself (htmx polling) in a second window that is never reloaded."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from korps.controlroom.seed import seed_units
from tests.conftest import BACKENDS, loaded_database
from tests.e2e.conftest import login, serve, staff

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=BACKENDS)
def meldkamer(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[tuple[str, dict[str, str]]]:
    secrets: dict[str, str] = {}

    def seed(session: Session) -> None:
        seed_units(session, eenheid="rotterdam", per_basisteam=2)
        for name in ("centralist-een", "centralist-twee"):
            secrets[name] = staff(session, username=name, role="centralist", unit="rotterdam")
        secrets["planner-een"] = staff(
            session, username="planner-een", role="planner", unit="rotterdam"
        )

    folder = tmp_path_factory.mktemp("meldkamer")
    with (
        loaded_database(request.param, folder, _pg_admin, then=seed) as db,
        serve(db.engine) as url,
    ):
        yield url, secrets


def test_prio1_in_charlois_from_intake_to_on_scene(
    browser: Any, meldkamer: tuple[str, dict[str, str]]
) -> None:
    """A centralist logs in with TOTP and registers an incident (issue 10)."""
    from playwright.sync_api import expect

    base, secrets = meldkamer
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    board = context.new_page()
    login(board, base, username="centralist-een", secret=secrets["centralist-een"])
    meldkamer = base
    board.goto(meldkamer + "/")
    board.get_by_role("link", name="Meldkamer").click()
    expect(board).to_have_url(meldkamer + "/meldkamer/rotterdam")
    expect(board.locator("#meldingen-leeg")).to_be_visible()
    expect(board.locator("[data-status='beschikbaar'] li")).to_have_count(34)

    page = context.new_page()  # the same login: a second window of the same centralist
    page.goto(meldkamer + "/meldkamer/rotterdam/nieuw")
    expect(page.locator("#centralist")).to_have_text("centralist-een")
    category = page.get_by_label("Classificatie", exact=True)
    category.select_option(label="Woninginbraak heterdaad (prio 1)")
    page.get_by_label("Gemeente", exact=True).fill("Rotterdam")
    page.get_by_label("Basisteam", exact=True).select_option(label="Charlois")
    page.get_by_label("Adres", exact=True).fill("Wolphaertsbocht 100")
    page.get_by_label("Naam melder").fill("J. de Vries")
    page.get_by_role("button", name="Melding registreren").click()

    expect(page.locator("h1")).to_contain_text("Woninginbraak heterdaad")
    expect(page.locator("#basisteam")).to_contain_text("Charlois")
    expect(page.locator("#basisteam")).to_contain_text("Rotterdam Zuid")
    number = re.search(r"/meldingen/(\d+)$", page.url)
    assert number is not None
    advice = page.locator("#advies tr[data-unit]")
    expect(advice.first).to_be_visible()
    first = advice.first.get_attribute("data-unit")
    assert first is not None and first.startswith("RT-")
    expect(advice.first).to_contain_text("haalt norm")

    # the board picks the new incident up by itself
    row = board.locator(f"#meldingen tr[data-id='{number.group(1)}']")
    expect(row).to_contain_text("Woninginbraak heterdaad", timeout=10_000)
    expect(row).to_contain_text("nieuw")

    page.get_by_role("button", name=f"Wijs {first} toe").click()
    assigned = page.locator(f"#ingezet tr[data-unit='{first}']")
    expect(assigned).to_contain_text("uitgegeven")
    expect(page.locator("#status")).to_contain_text("uitgegeven")
    page.get_by_role("button", name=f"{first} ter plaatse").click()
    expect(page.locator(f"#ingezet tr[data-unit='{first}']")).to_contain_text("ter plaatse")
    expect(page.locator("#tijdlijn")).to_contain_text("toegewezen")

    # ... and shows the unit on scene and the response time, without a reload
    expect(row).to_contain_text(f"{first} (ter plaatse)", timeout=10_000)
    response = row.locator("td.aanrijdtijd")
    expect(response).to_have_text(re.compile(r"^\d+:\d\d$"))
    expect(board.locator(f"[data-status='ter_plaatse'] li[data-unit='{first}']")).to_be_visible()

    # free again: the incident is closed and listed with its response time against the norm
    page.get_by_role("button", name=f"{first} vrij").click()
    expect(page.locator("#status")).to_contain_text("afgesloten")
    closed = board.locator(f"#afgesloten tr[data-id='{number.group(1)}']")
    expect(closed).to_contain_text("binnen 15 min", timeout=10_000)
    expect(page.locator("#tijdlijn")).to_contain_text("centralist-een")
    expect(page.locator("#tijdlijn")).to_contain_text("centralist-een")
    page.close()
    board.close()
    context.close()
    context.close()


def test_bad_intake_names_the_field_and_keeps_the_input(
    browser: Any, meldkamer: tuple[str, dict[str, str]]
) -> None:
    from playwright.sync_api import expect

    base, secrets = meldkamer
    page = browser.new_context().new_page()
    login(page, base, username="centralist-twee", secret=secrets["centralist-twee"])
    meldkamer = base
    page.goto(meldkamer + "/meldkamer/rotterdam/nieuw")
    page.get_by_label("Classificatie", exact=True).select_option(label="Burenruzie (prio 2)")
    page.get_by_label("Gemeente", exact=True).fill("Utrecht")
    page.get_by_label("Adres", exact=True).fill("Domplein 1")
    page.get_by_role("button", name="Melding registreren").click()
    expect(page.locator("#fout")).to_contain_text("Gemeente")
    expect(page.locator("#fout")).to_contain_text("ligt buiten het gebied van Eenheid Rotterdam")
    expect(page.get_by_label("Adres", exact=True)).to_have_value("Domplein 1")
    page.close()


def test_a_planner_cannot_open_the_meldkamer_and_logout_ends_the_session(
    browser: Any, meldkamer: tuple[str, dict[str, str]]
) -> None:
    from playwright.sync_api import expect

    base, secrets = meldkamer
    page = browser.new_context().new_page()
    page.goto(base + "/meldkamer/rotterdam")  # anonymous: to the login page, and back after
    expect(page).to_have_url(re.compile(r"/aanmelden\?volgende=%2Fmeldkamer%2Frotterdam$"))
    login(page, base, username="planner-een", secret=secrets["planner-een"])
    response = page.goto(base + "/meldkamer/rotterdam")
    assert response is not None and response.status == 403
    expect(page.locator("#reden")).to_contain_text("centralist")
    page.goto(base + "/scenarios")
    expect(page.locator("h1")).to_contain_text("Scenario")
    page.get_by_role("button", name="Afmelden").click()
    expect(page).to_have_url(base + "/aanmelden?afgemeld=1")
    page.goto(base + "/scenarios")
    expect(page).to_have_url(re.compile(r"/aanmelden\?volgende="))
    page.context.close()
