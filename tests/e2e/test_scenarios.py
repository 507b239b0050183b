"""A planner opens a scenario, changes a weight, and sees the table and chart update; saves
versions, opens, compares and restores one, is asked before saving over another scenario,
deletes and brings back; compares two units' scenarios (issue 14, items 1-3 and 5)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from korps.planning import store
from tests.conftest import BACKENDS, loaded_database
from tests.e2e.conftest import login, serve, staff

pytestmark = pytest.mark.e2e
EXAMPLES = Path(__file__).parents[2] / "examples"
SECRETS: dict[str, str] = {}


def planner_page(browser: Any, base: str, username: str) -> Any:
    """A logged-in planner's page (a TOTP code is used once: one planner per test)."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    login(page, base, username=username, secret=SECRETS[username])
    return page


@pytest.fixture(scope="module", params=BACKENDS)
def planning_server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[str]:
    """A database of its own (scenarios are written) with the datasets and examples."""

    def save_examples(session: Session) -> None:
        for path in sorted(EXAMPLES.glob("*.yaml")):
            store.save(session, text=path.read_text(encoding="utf-8"), file=str(path))
        # a TOTP code is used once: one planner per test
        for name in ("planner-een", "planner-twee", "planner-drie", "planner-vier"):
            SECRETS[name] = staff(session, username=name, role="planner", unit="politie")

    folder = tmp_path_factory.mktemp("plan")
    with (
        loaded_database(request.param, folder, _pg_admin, then=save_examples) as db,
        serve(db.engine) as url,
    ):
        yield url


def proposed(page: Any, team: str) -> str:
    return str(page.locator(f"#verdeling tr[data-team='{team}'] td.voorstel").inner_text())


def test_change_a_weight_and_see_table_and_chart_update(browser: Any, planning_server: str) -> None:
    from playwright.sync_api import expect

    page = planner_page(browser, planning_server, "planner-een")
    page.goto(planning_server + "/scenarios")
    page.get_by_role("link", name="Werklast Oost-Nederland (misdrijven en inwoners)").click()
    expect(page.locator("h1")).to_have_text("Werklast Oost-Nederland (misdrijven en inwoners)")
    expect(page.locator("#verdeling tr[data-team]")).to_have_count(27)
    # the weight fields show the fitted weights the allocation uses, not the file's 1 / 1
    expect(page.get_by_label("gewicht misdrijven_2023 niveau 1")).to_have_value("0.0169163")
    expect(page.get_by_label("gewicht inwoners niveau 1")).to_have_value("0.000349684")
    expect(page.locator("#fit-vervangen")).to_have_count(0)
    before = proposed(page, "on-enschede")
    bar = page.locator("svg.grafiek g.balk[data-team='Enschede']")
    assert float(bar.get_attribute("data-proposed") or 0) == float(
        before.replace(".", "").replace(",", ".")
    )
    # crime only: Enschede (most registered crime per inhabitant in Twente) gains
    page.get_by_label("gewicht inwoners niveau 1").fill("0")
    expect(page.locator("#verdeling tr[data-team='on-enschede'] td.voorstel")).not_to_have_text(
        before
    )
    after = proposed(page, "on-enschede")
    value = float(after.replace(".", "").replace(",", "."))
    assert value > float(before.replace(".", "").replace(",", "."))
    expect(bar).to_have_attribute("data-proposed", str(value))
    total = page.locator("#samenvatting strong")
    expect(total).to_have_text("3.228,5")
    # the edit replaced the fitted weights, and the page says so
    expect(page.locator("#fit-vervangen")).to_contain_text("de fit (misdrijven_2023 0,0169163")
    # the export carries the weights on screen (saved or not)
    expect(page.locator("#export-csv")).to_have_attribute("href", re.compile(r"w0__inwoners=0"))
    # a weight that is not a number is refused with a message, nothing changes
    page.get_by_label("gewicht misdrijven_2023 niveau 1").fill("-1")
    expect(page.locator("#fout")).to_contain_text("moet een eindig getal >= 0 zijn")
    # all weights 0 would give every team the same: refused
    page.get_by_label("gewicht misdrijven_2023 niveau 1").fill("0")
    expect(page.locator("#fout")).to_contain_text("alle gewichten van niveau 1 zijn 0")
    page.close()


def test_save_compare_and_export(browser: Any, planning_server: str) -> None:
    from playwright.sync_api import expect

    page = planner_page(browser, planning_server, "planner-twee")
    page.goto(planning_server + "/scenarios/uitbreiding-oost-nederland-2024")
    expect(page.locator("#verdeling tr[data-team='on-veluwe-west'] td.voorstel")).to_have_text(
        "3,4"
    )
    with page.expect_download() as download:
        page.locator("#export-xlsx").click()
    assert download.value.suggested_filename == "uitbreiding-oost-nederland-2024.xlsx"
    page.get_by_label("gewicht hbvs_2023 niveau 1").fill("2")
    page.get_by_label("naam").fill("Uitbreiding kopie")
    page.locator("#opslaan").click()
    expect(page).to_have_url(planning_server + "/scenarios/uitbreiding-kopie?opgeslagen=1")
    expect(page.locator("#melding")).to_contain_text("Opgeslagen als versie 1")
    page.goto(planning_server + "/scenarios")
    page.get_by_label("A: Uitbreiding Oost-Nederland 2024").check()
    page.get_by_label("B: Uitbreiding kopie").check()
    page.get_by_role("button", name="Vergelijk A en B").click()
    row = page.locator("#vergelijking tr[data-team='on-veluwe-west'] td")
    expect(row.nth(2)).to_have_text("3,4")
    expect(row.nth(3)).to_have_text("3,4")  # the weights scale together: same shares
    page.close()


def test_versions_confirm_restore_and_delete(browser: Any, planning_server: str) -> None:
    from playwright.sync_api import expect

    page = planner_page(browser, planning_server, "planner-drie")
    start = planning_server + "/scenarios/uitbreiding-oost-nederland-2024"
    page.goto(start)
    page.get_by_label("naam").fill("Proef versies")
    page.locator("#opslaan").click()
    expect(page).to_have_url(planning_server + "/scenarios/proef-versies?opgeslagen=1")
    # a changed weight, saved under the same name: version 2, said so, by whom
    page.get_by_label("gewicht hbvs_2023 niveau 2").fill("3")
    page.locator("#opslaan").click()
    expect(page.locator("#melding")).to_contain_text("Opgeslagen als versie 2")
    expect(page.locator("#melding")).to_contain_text("door planner-drie")
    # saving another scenario under this name asks first; nothing is saved until confirmed
    page.goto(start)
    page.get_by_label("naam").fill("Proef versies")
    page.locator("#opslaan").click()
    expect(page.locator("#bevestigen")).to_contain_text("er bestaat al een scenario")
    page.locator("#bevestig-opslaan").click()
    expect(page).to_have_url(planning_server + "/scenarios/proef-versies?opgeslagen=3")
    # open version 2 (the changed weight), compare it with the newest, restore it
    page.locator("#versies").click()
    expect(page.locator("#versielijst tr[data-versie]")).to_have_count(3)
    page.get_by_role("link", name="2", exact=True).click()
    expect(page.locator("h1")).to_contain_text("versie 2")
    page.get_by_role("link", name="Vergelijk met de nieuwste versie").click()
    expect(page.locator("h1")).to_contain_text("(versie 2)")
    page.go_back()
    page.locator("#terugzetten").click()
    expect(page.locator("#melding")).to_contain_text("Versie 2 is teruggezet als versie 4")
    expect(page.get_by_label("gewicht hbvs_2023 niveau 2")).to_have_value("3.0")
    # delete (soft), then bring it back from the list
    page.get_by_role("button", name="Scenario verwijderen").click()
    expect(page.locator("#melding")).to_contain_text("Het scenario is verwijderd")
    expect(page.locator("#scenarios tr[data-slug='proef-versies']")).to_have_count(0)
    page.get_by_role("button", name="terughalen: Proef versies").click()
    expect(page.locator("#melding")).to_contain_text("Het scenario is teruggehaald")
    page.close()


def test_compare_two_units_on_the_union_of_their_teams(browser: Any, planning_server: str) -> None:
    from playwright.sync_api import expect

    page = planner_page(browser, planning_server, "planner-vier")
    page.goto(planning_server + "/scenarios")
    page.get_by_label("A: Uitbreiding Oost-Nederland 2024").check()
    page.get_by_label("B: Wijkagentnorm Rotterdam (1 per 5000 inwoners)").check()
    page.get_by_role("button", name="Vergelijk A en B").click()
    expect(page.locator(".waarschuwing").first).to_contain_text(
        "A gaat over oost-nederland, B over rotterdam"
    )
    enschede = page.locator("#vergelijking tr[data-team='on-enschede']")
    expect(enschede.locator("td.b")).to_have_text("–")
    only_b = page.locator("#vergelijking tr[data-team]").filter(
        has=page.locator("td.a", has_text="–")
    )
    assert only_b.count() >= 6  # Rotterdam's teams are shown, with Rotterdam's own figures
    expect(only_b.first.locator("td.huidig-b")).not_to_have_text("")
    expect(only_b.first.locator("td.huidig-b")).not_to_have_text("–")
    page.close()
