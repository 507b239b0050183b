"""Issue #14, the operators' items 8-11, as an operator does them in Debian's chromium (one
staff user per test: one TOTP login per user per 30 s):

8. an incident at 51.88, 4.47 in Rotterdam lands in Charlois and Charlois is advised first;
9. the KPI page judges 5 prio-1 incidents of which one had a unit on scene: 25 %, its
   Wilson interval, and "too few to judge" (not "gehaald 100 %");
10. closing a prio-1 incident no unit reached asks for a reason, stores it and shows it;
11. the incident page refreshes itself; the intake offers no 101 in Rotterdam; the centralist
    of Oost-Nederland adds a unit, puts it in service and sees it on the board.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from korps.controlroom import closing, schemas, service
from korps.controlroom.seed import seed_units
from tests.conftest import BACKENDS, loaded_database
from tests.e2e.conftest import login, serve, staff

pytestmark = pytest.mark.e2e
DAY = datetime(2024, 5, 6, 8, 0, tzinfo=UTC)
USERS = {
    "cen-locatie": "rotterdam",
    "cen-kpi": "rotterdam",
    "cen-afsluiten": "rotterdam",
    "cen-verversen": "rotterdam",
    "cen-oost": "oost-nederland",
}


def _history(session: Session) -> None:
    """Hoeksche Waard, 6 May 2024, five prio-1 incidents: one with RT-F1-01 on scene after
    8 minutes, one closed as a duplicate, three never reached (open, long past the norm)."""
    numbers = []
    for n in range(5):
        received = DAY + timedelta(minutes=10 * n)
        data = schemas.IncidentIn(
            eenheid="rotterdam",
            channel="112",
            category="overval",
            gemeente="Hoeksche Waard",
            received_at=received,
            historical_import=True,
        )
        numbers.append(service.intake(session, data=data, actor="test", now=received)[0].id)
    service.assign(
        session,
        incident_id=numbers[0],
        call_sign="RT-F1-01",
        actor="test",
        now=DAY + timedelta(minutes=1),
    )
    for status, minutes in (("ter_plaatse", 8), ("vrij", 30)):
        at = DAY + timedelta(minutes=minutes)
        service.set_status(session, call_sign="RT-F1-01", status=status, actor="test", now=at)
    closing.close_incident(
        session,
        incident_id=numbers[1],
        actor="test",
        reason="dubbel",
        now=DAY + timedelta(minutes=12),
    )


@pytest.fixture(scope="module", params=BACKENDS)
def meldkamer(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[tuple[str, dict[str, str]]]:
    secrets: dict[str, str] = {}

    def seed(session: Session) -> None:
        seed_units(session, eenheid="rotterdam", per_basisteam=1)
        _history(session)
        for name, unit in USERS.items():
            secrets[name] = staff(session, username=name, role="centralist", unit=unit)

    folder = tmp_path_factory.mktemp("meldkamer-operators")
    with (
        loaded_database(request.param, folder, _pg_admin, then=seed) as db,
        serve(db.engine) as url,
    ):
        yield url, secrets


def _open(browser: Any, base: str, secrets: dict[str, str], username: str) -> Any:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    login(page, base, username=username, secret=secrets[username])
    return page


def _register(page: Any, base: str, *, category: str, gemeente: str, **extra: str) -> str:
    page.goto(base + "/meldkamer/rotterdam/nieuw")
    page.get_by_label("Classificatie", exact=True).select_option(label=category)
    page.get_by_label("Gemeente", exact=True).fill(gemeente)
    for label, value in extra.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Melding registreren").click()
    found = re.search(r"/meldingen/(\d+)$", page.url)
    assert found is not None, page.url
    return found.group(1)


def test_a_point_south_of_the_maas_is_charlois(
    browser: Any, meldkamer: tuple[str, dict[str, str]]
) -> None:
    """Item 8: no basisteam chosen, only the point; Charlois decides and is advised first."""
    from playwright.sync_api import expect

    base, secrets = meldkamer
    page = _open(browser, base, secrets, "cen-locatie")
    _register(
        page,
        base,
        category="Overval (prio 1)",
        gemeente="Rotterdam",
        Breedtegraad="51,88",
        Lengtegraad="4,47",
    )
    expect(page.locator("#basisteam")).to_contain_text("Charlois")
    first = page.locator("#advies tr[data-unit]").first
    expect(first).to_contain_text("Charlois")
    expect(first).to_contain_text("RT-D1-01")
    page.context.close()


def test_the_kpi_page_does_not_call_one_arrival_of_five_gehaald(
    browser: Any, meldkamer: tuple[str, dict[str, str]]
) -> None:
    """Item 9: 1 within, 3 late (open past 15 min), 1 closed without a unit (apart):
    25,0 %, Wilson 95 % 4,6 % - 69,9 %, too few to judge."""
    from playwright.sync_api import expect

    base, secrets = meldkamer
    page = _open(browser, base, secrets, "cen-kpi")
    page.goto(base + "/meldkamer/rotterdam")
    page.get_by_role("link", name="Aanrijdtijden en normen").click()
    page.get_by_label("Van", exact=True).fill("2024-05-06")
    page.get_by_label("Tot en met", exact=True).fill("2024-05-06")
    page.locator("#periode select[name=group]").select_option(label="basisteam")
    page.get_by_role("button", name="Toon").click()
    row = page.locator("#kpi tr[data-key='rotterdam-f1-hoeksche-waard'][data-priority='1']")
    expect(row.locator("td.binnen")).to_have_text("1")
    expect(row.locator("td.te-laat")).to_have_text("3")
    expect(row.locator("td.zonder-eenheid")).to_have_text("1")
    expect(row.locator("td.aandeel")).to_have_text("25,0%")
    expect(row.locator("td.interval")).to_have_text("4,6% – 69,9%")
    expect(row.locator("td.oordeel")).to_contain_text("te weinig meldingen om te oordelen")
    expect(row).not_to_contain_text("gehaald")
    page.context.close()


def test_closing_a_prio1_without_a_unit_asks_for_a_reason(
    browser: Any, meldkamer: tuple[str, dict[str, str]]
) -> None:
    """Item 10: no one-click close; Anders needs a text; the reason is shown afterwards."""
    from playwright.sync_api import expect

    base, secrets = meldkamer
    page = _open(browser, base, secrets, "cen-afsluiten")
    number = _register(page, base, category="Overval (prio 1)", gemeente="Dordrecht")
    page.get_by_role("button", name="Melding afsluiten").click()  # no reason: the form stops
    expect(page.locator("#status")).to_contain_text("nieuw")
    assert page.url.endswith(f"/meldingen/{number}")
    reason = page.get_by_label("Reden", exact=True)
    reason.select_option(label="Anders (met toelichting)")
    # the page refreshes itself meanwhile; the reason being chosen survives the refresh
    stamp = page.locator("#bijgewerkt").inner_text()
    expect(page.locator("#bijgewerkt")).not_to_have_text(stamp, timeout=10_000)
    expect(page.get_by_label("Reden", exact=True)).to_have_value("anders")
    page.get_by_role("button", name="Melding afsluiten").click()
    expect(page.locator("#fout")).to_contain_text("toelichting: bij reden 'Anders'")
    expect(page.locator("#status")).to_contain_text("nieuw")
    page.get_by_label("Reden", exact=True).select_option(label="Anders (met toelichting)")
    page.get_by_label("Toelichting", exact=True).fill("melder belde terug: vergissing")
    page.get_by_role("button", name="Melding afsluiten").click()
    expect(page.locator("#status")).to_contain_text("afgesloten")
    expect(page.locator("#reden-afsluiten")).to_have_text("Anders: melder belde terug: vergissing")
    expect(page.locator("#tijdlijn")).to_contain_text("afgesloten: anders")
    page.context.close()


def test_the_incident_page_refreshes_itself_and_rotterdam_has_no_101(
    browser: Any, meldkamer: tuple[str, dict[str, str]]
) -> None:
    """Item 11: a second window assigns a unit; the first shows it without a reload."""
    from playwright.sync_api import expect

    base, secrets = meldkamer
    page = _open(browser, base, secrets, "cen-verversen")
    page.goto(base + "/meldkamer/rotterdam/nieuw")
    channels = page.get_by_label("Kanaal", exact=True).locator("option")
    expect(channels).to_have_text(
        ["112 (spoed)", "0900-8844 (geen spoed)", "Online (politie.nl)", "Balie"]
    )
    number = _register(page, base, category="Overval (prio 1)", gemeente="Nissewaard")
    expect(page.locator("#ingezet")).to_have_count(0)
    other = page.context.new_page()  # the same operator's second window
    other.goto(f"{base}/meldkamer/meldingen/{number}")
    other.get_by_role("button", name="Wijs RT-E2-01 toe").click()
    expect(other.locator("#ingezet tr[data-unit='RT-E2-01']")).to_contain_text("uitgegeven")
    # the first window was never reloaded
    expect(page.locator("#ingezet tr[data-unit='RT-E2-01']")).to_contain_text(
        "uitgegeven", timeout=10_000
    )
    expect(page.locator("#status")).to_contain_text("uitgegeven")
    page.context.close()


def test_oost_nederland_gets_its_first_unit_from_the_page(
    browser: Any, meldkamer: tuple[str, dict[str, str]]
) -> None:
    """Item 11: the meldkamer of Oost-Nederland had no units and none could be added."""
    from playwright.sync_api import expect

    base, secrets = meldkamer
    page = _open(browser, base, secrets, "cen-oost")
    page.goto(base + "/meldkamer")
    expect(page).to_have_url(base + "/meldkamer/oost-nederland")
    expect(page.locator("[data-status='beschikbaar'] li")).to_have_count(0)
    page.get_by_role("link", name="Eenheden beheren").click()
    expect(page.locator("#geen-eenheden")).to_be_visible()
    page.get_by_label("Roepnaam", exact=True).fill("ON-VD-01")
    page.get_by_label("Basisteam", exact=True).select_option(label="Vechtdal")
    page.get_by_label("Soort", exact=True).select_option(label="Noodhulp")
    page.get_by_role("button", name="Eenheid toevoegen").click()
    row = page.locator("#eenheden-beheer tr[data-unit='ON-VD-01']")
    expect(row.locator("td.status")).to_have_text("uit dienst")
    page.get_by_role("button", name="ON-VD-01 beschikbaar").click()
    expect(row.locator("td.status")).to_have_text("beschikbaar")
    page.get_by_label("Soort ON-VD-01").select_option(label="Motor")
    page.get_by_role("button", name="Wijzig ON-VD-01").click()
    expect(page.get_by_label("Soort ON-VD-01")).to_have_value("motor")
    page.get_by_role("link", name="Meldkamer Eenheid Oost-Nederland").click()
    expect(page.locator("[data-status='beschikbaar'] li[data-unit='ON-VD-01']")).to_be_visible()
    page.context.close()
