"""Issue 16 in the browser: a case happening now is sent to 112 and nothing is stored; a
citizen registers, files an online bicycle theft through the guided form (the draft
survives a reload), gets a dossier number and receipt, adds a photo, answers the team's
question, sees the dossier afgehandeld and gives feedback, while a medewerker works it from
the team's queue and downloads the photo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from korps.portal.models import Dossier, Entry
from tests.conftest import BACKENDS, Db, loaded_database
from tests.e2e.conftest import login, serve, staff
from tests.support.auth import PASSWORD

pytestmark = pytest.mark.e2e
TEAM = "rotterdam-c1-maas-rotte"
PHOTO = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(200))


@pytest.fixture(scope="module", params=BACKENDS)
def portal(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[tuple[str, Db, str]]:
    secrets: dict[str, str] = {}

    def seed(session: Session) -> None:
        secrets["mw"] = staff(session, username="mw-fiets", role="medewerker", unit=TEAM)

    folder = tmp_path_factory.mktemp("portaal")
    with (
        pytest.MonkeyPatch.context() as patch,
        loaded_database(request.param, folder, _pg_admin, then=seed) as db,
        serve(db.engine) as url,
    ):
        patch.setenv("KORPS_PORTAL_FILES", str(folder / "bijlagen"))
        yield url, db, secrets["mw"]


def _count(db: Db) -> tuple[int, int]:
    with db.session() as session:
        return (
            session.scalar(select(func.count(Dossier.id))) or 0,
            session.scalar(select(func.count(Entry.id))) or 0,
        )


def _answer(page: Any, **answers: str) -> None:
    for name in ("nu", "gevaar", "dader_bekend", "geweld", "onder_13"):
        page.locator(f"#vraag-{name} input[value={answers.get(name, 'nee')}]").check()
    page.get_by_role("button", name="Volgende").click()


def test_happening_now_goes_to_112_and_nothing_is_stored(
    browser: Any, portal: tuple[str, Db, str]
) -> None:
    from playwright.sync_api import expect

    base, db, _secret = portal
    before = _count(db)
    page = browser.new_context().new_page()
    page.goto(base + "/")
    page.locator("#nav-aangifte").click()
    _answer(page, nu="ja")
    expect(page.locator("#bel-112")).to_be_visible()
    expect(page).to_have_url(base + "/aangifte")  # htmx swapped the answer in place
    assert _count(db) == before


def test_citizen_files_a_bicycle_theft_and_follows_it_to_afgehandeld(
    browser: Any, portal: tuple[str, Db, str]
) -> None:
    from playwright.sync_api import expect

    base, db, secret = portal
    citizen = browser.new_context().new_page()
    citizen.goto(base + "/registreren")
    citizen.get_by_label("Gebruikersnaam").fill("fietsbezitter")
    citizen.get_by_label("Naam", exact=True).fill("Bo Bakker")
    citizen.get_by_label("E-mailadres").fill("bo@voorbeeld.nl")
    citizen.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    citizen.get_by_label("Wachtwoord herhalen").fill(PASSWORD)
    citizen.get_by_role("button", name="Account maken").click()
    expect(citizen).to_have_url(base + "/aangifte")
    _answer(citizen)
    expect(citizen).to_have_url(base + "/aangifte/soort")
    citizen.locator("#soort-fietsdiefstal").click()
    expect(citizen.locator("h1")).to_have_text("Fietsdiefstal")

    citizen.get_by_label("Omschrijving").fill("Mijn fiets is van het rek bij het station gehaald.")
    citizen.get_by_label("Datum").fill("2999-01-01")
    citizen.get_by_label("Gemeente").fill("Rotterdam")
    citizen.get_by_label("Goed 1").fill("Blauwe damesfiets, Batavus")
    citizen.get_by_label("Waarde 1").fill("450")
    citizen.get_by_label("Kenmerk 1").fill("BT 998877")
    citizen.reload()  # the draft survives a reload (sessionStorage, static/portal.js)
    expect(citizen.get_by_label("Gemeente")).to_have_value("Rotterdam")
    expect(citizen.get_by_label("Kenmerk 1")).to_have_value("BT 998877")
    citizen.get_by_role("button", name="Aangifte versturen").click()
    expect(citizen.locator("#fout-datum")).to_have_text("de datum ligt in de toekomst")
    assert _count(db)[0] == 0
    citizen.get_by_label("Datum").fill("2026-11-02")
    citizen.get_by_role("button", name="Aangifte versturen").click()
    expect(citizen.locator("#ontvangstbewijs h1")).to_have_text("Ontvangstbewijs")
    number = citizen.locator("#dossiernummer").inner_text()
    expect(citizen.locator("#ontvangstbewijs")).to_contain_text("Maas-Rotte")
    expect(citizen.get_by_role("button", name="Afdrukken of opslaan als PDF")).to_be_visible()

    citizen.get_by_role("link", name="Naar uw dossier").click()
    citizen.get_by_label("Bestand").set_input_files(
        {"name": "fiets.png", "mimeType": "image/png", "buffer": PHOTO}
    )
    citizen.get_by_role("button", name="Bijlage toevoegen").click()
    expect(citizen.locator("#bijlagen")).to_contain_text("fiets.png")

    team = browser.new_context().new_page()
    login(team, base, username="mw-fiets", secret=secret)
    team.locator("#nav-werkvoorraad").click()
    team.get_by_role("link", name=number).click()
    expect(team.locator("#waarom-hier")).to_contain_text("basisteam")
    team.locator("#toewijzen").click()
    expect(team.locator("#toegewezen")).to_have_text("Mw-Fiets")
    team.get_by_label("Nieuwe status").select_option("info-gevraagd")
    team.get_by_label("Toelichting").fill("Had de fiets een kinderzitje?")
    team.locator("#status-opslaan").click()
    expect(team.locator("#status")).to_have_text("Aanvullende informatie gevraagd")

    citizen.goto(base + "/mijn/dossiers")
    citizen.get_by_role("link", name=number).click()
    expect(citizen.locator("#status")).to_have_text("Wij hebben een vraag aan u")
    expect(citizen.locator("#vraag")).to_contain_text("Had de fiets een kinderzitje?")
    citizen.get_by_label("Uw antwoord").fill("Ja, een blauw kinderzitje achterop.")
    citizen.get_by_role("button", name="Antwoord versturen").click()
    expect(citizen.locator("#status")).to_have_text("Uw antwoord is ontvangen")

    team.reload()
    expect(team.locator("#tijdlijn")).to_contain_text("Ja, een blauw kinderzitje achterop.")
    team.get_by_label("Sjabloon").select_option(label="Afgehandeld: Geen opsporingsindicatie")
    expect(team.get_by_label("Nieuwe status")).to_have_value("afgehandeld")  # static/portal.js
    text = team.get_by_label("Toelichting")
    text.fill(text.input_value() + " De fiets staat gesignaleerd.")
    team.locator("#status-opslaan").click()
    expect(team.locator("#status")).to_have_text("Afgehandeld")

    citizen.reload()
    expect(citizen.locator("#status")).to_have_text("Afgehandeld")
    expect(citizen.locator("#besluit")).to_contain_text("onvoldoende aanknopingspunten")
    expect(citizen.locator("#besluit")).to_contain_text("De fiets staat gesignaleerd.")
    citizen.locator("#tevredenheid-formulier input[name=tevreden][value=ja]").check()
    citizen.locator("#tevredenheid-formulier input[name=cijfer][value='4']").check()
    citizen.get_by_role("button", name="Mening versturen").click()
    expect(citizen.locator("#bedankt")).to_contain_text("Bedankt voor uw mening")
    with team.expect_download() as download:
        team.goto(team.url)  # the photo, from the team's page, as a download
        team.locator("#bijlagen a").first.click()
    assert Path(download.value.path()).read_bytes() == PHOTO
