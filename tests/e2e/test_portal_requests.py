"""Issue 16.9, 16.5 and 16.1 in the browser: a citizen asks for a house watch while away,
gets the receipt (also as a PDF file), fills in the individual assessment from the receipt
and sees the level and advised measures; a medewerker of the basisteam finds the request in
the team's queue with the assessment on the dossier."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pypdf
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from korps.portal.models import Assessment, Dossier
from tests.conftest import BACKENDS, Db, loaded_database
from tests.e2e.conftest import login, serve, staff

pytestmark = pytest.mark.e2e
TEAM = "rotterdam-c1-maas-rotte"


@pytest.fixture(scope="module", params=BACKENDS)
def portal(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[tuple[str, Db, str]]:
    secrets: dict[str, str] = {}

    def seed(session: Session) -> None:
        from korps.identity.service import create_user, grant
        from tests.support.auth import PASSWORD

        secrets["mw"] = staff(session, username="mw-toezicht", role="medewerker", unit=TEAM)
        create_user(session, username="vakantieganger", name="Vera Visser",
                    email="vera@voorbeeld.nl", kind="burger", password=PASSWORD)  # fmt: skip
        grant(session, username="vakantieganger", role="burger", unit=None, actor="test")
        session.commit()

    folder = tmp_path_factory.mktemp("verzoek-e2e")
    with (
        loaded_database(request.param, folder, _pg_admin, then=seed) as db,
        serve(db.engine) as url,
    ):
        yield url, db, secrets["mw"]


def test_citizen_asks_for_a_house_watch_and_fills_in_the_assessment(
    browser: Any, portal: tuple[str, Db, str]
) -> None:
    from playwright.sync_api import expect

    base, db, secret = portal
    away = date.today() + timedelta(days=10)
    citizen = browser.new_context(accept_downloads=True).new_page()
    login(citizen, base, username="vakantieganger")
    citizen.goto(base + "/aangifte")
    citizen.locator("#naar-verzoeken").click()
    citizen.locator("#verzoek-afwezigheidstoezicht").click()
    expect(citizen.locator("h1")).to_contain_text("Afwezigheidstoezicht")
    citizen.get_by_label("Gemeente").fill("Rotterdam")
    citizen.get_by_label("Adres").fill("Coolsingel 40")
    citizen.get_by_label("Van").fill(away.isoformat())
    citizen.get_by_label("Tot en met").fill((away - timedelta(days=1)).isoformat())
    citizen.get_by_label("Telefoonnummer").fill("06 1234 5678")
    citizen.get_by_role("button", name="Verzoek versturen").click()
    expect(citizen.locator("#fout-tot")).to_have_text("de laatste dag ligt vóór de eerste dag")
    citizen.get_by_label("Tot en met").fill((away + timedelta(days=14)).isoformat())
    citizen.get_by_role("button", name="Verzoek versturen").click()
    expect(citizen.locator("#ontvangstbewijs h1")).to_have_text("Ontvangstbewijs")
    number = citizen.locator("#dossiernummer").inner_text()

    with citizen.expect_download() as download:
        citizen.locator("#pdf-link").click()
    saved = download.value
    assert saved.suggested_filename == f"ontvangstbewijs-{number}.pdf"
    path = saved.path()
    assert path is not None
    with open(path, "rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    assert number in "".join(page.extract_text() for page in reader.pages)

    citizen.locator("#ib-link").click()
    expect(citizen.locator("h1")).to_have_text("Individuele beoordeling")
    for question in citizen.locator("#ib-formulier fieldset").all():
        code = (question.get_attribute("id") or "").removeprefix("vraag-")
        yes = code in ("dader-kent-adres", "angst-herhaling", "geweld", "wil-hulp")
        question.locator(f"input[value={'ja' if yes else 'nee'}]").check()
    citizen.get_by_role("button", name="Beoordeling opslaan").click()
    expect(citizen.locator("#melding")).to_be_visible()
    expect(citizen.locator("#ib-niveau")).to_have_text("Verhoogde beschermingsbehoefte")
    expect(citizen.locator("#maatregelen")).to_contain_text("Adresgegevens afschermen")
    expect(citizen.locator("#maatregelen")).to_contain_text("Slachtofferhulp")

    team = browser.new_context().new_page()
    login(team, base, username="mw-toezicht", secret=secret)
    team.locator("#nav-werkvoorraad").click()
    team.get_by_role("link", name=number).click()
    expect(team.locator("#waarom-hier")).to_contain_text("Het team dat uw adres bedient")
    expect(team.locator("#afwezig")).to_contain_text(away.strftime("%d-%m-%Y"))
    expect(team.locator("#ib-samenvatting")).to_have_text("Verhoogde beschermingsbehoefte")
    with db.session() as session:
        found = session.scalar(select(Assessment).join(Dossier).where(Dossier.number == number))
        assert found is not None and found.level == "verhoogd" and found.side == "burger"
