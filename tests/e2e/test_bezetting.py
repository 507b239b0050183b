"""A planner of Oost-Nederland opens the bezetting page, sees the categories that have data,
uploads an occupancy file (a bad one first: nothing imported) and sees the figures; a bad
query parameter gives a Dutch page (issue 14, item 7)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.conftest import BACKENDS, loaded_database
from tests.e2e.conftest import login, serve, staff

pytestmark = pytest.mark.e2e
SECRETS: dict[str, str] = {}


@pytest.fixture(scope="module", params=BACKENDS)
def bezetting_server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[str]:
    def planner(session: Session) -> None:
        SECRETS["planner-oost"] = staff(
            session, username="planner-oost", role="planner", unit="oost-nederland"
        )

    folder = tmp_path_factory.mktemp("bez")
    with (
        loaded_database(request.param, folder, _pg_admin, then=planner) as db,
        serve(db.engine) as url,
    ):
        yield url


def test_upload_occupancy_in_the_page(browser: Any, bezetting_server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    login(page, bezetting_server, username="planner-oost", secret=SECRETS["planner-oost"])
    page.goto(bezetting_server + "/eenheden/oost-nederland/bezetting")
    expect(page.locator("#categorie")).to_have_text("Operationele sterkte")
    expect(page.locator("a.categorie[href='?category=wijkagenten']")).to_have_count(0)
    twente = page.locator("#bezetting tr[data-slug='on-twente'] td")
    expect(twente.nth(1)).not_to_have_text("")  # the offered category has a formation
    expect(twente.nth(2)).to_have_text("")  # no occupancy yet
    header = "unit,category,period,bezetting,source\n"
    bad = tmp_path / "fout.csv"
    bad.write_text(header + "on-twente,operationele_sterkte,2024-2027,-5,test\n", "utf-8")
    page.get_by_label("Bestand").set_input_files(str(bad))
    page.get_by_role("button", name="Importeren").click()
    expect(page.locator("#fout")).to_contain_text("Niets geïmporteerd")
    expect(page.locator("#fout")).to_contain_text("fout.csv")
    expect(twente.nth(2)).to_have_text("")
    good = tmp_path / "bezetting.csv"
    good.write_text(header + "on-twente,operationele_sterkte,2024-2027,700,test\n", "utf-8")
    page.get_by_label("Bestand").set_input_files(str(good))
    page.get_by_role("button", name="Importeren").click()
    expect(page.locator("#melding")).to_contain_text("Geïmporteerd: 1 rijen (1 nieuw")
    expect(twente.nth(2)).to_have_text("700,0")
    page.goto(bezetting_server + "/eenheden/oost-nederland/bezetting?category=Niet%20geldig")
    expect(page.locator("h1")).to_have_text("Ongeldige aanvraag")
    expect(page.locator("#fout")).to_contain_text("bestaat niet")
    page.close()
