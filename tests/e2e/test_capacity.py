"""A teamchef of Rotterdam-Charlois generates a one-week roster, marks two people of the
least-staffed shift sick, sees the shortfall on the heatmap's page, and opens the roster's
effect in the digital twin."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from korps.capacity import datafile, models
from korps.cli.capacity import SYSTEM
from tests.conftest import BACKENDS, Db, loaded_database
from tests.e2e.conftest import login, serve, staff

pytestmark = pytest.mark.e2e
TEAM = "rotterdam-d1-charlois"


def people_rows() -> list[tuple[int, list[str]]]:
    header = "personeelsnummer,naam,eenheid,functie,contracturen,begin,einde,kwalificaties"
    rows = [(1, header.split(","))]
    for n in range(12):  # 12 x 36 h: 54 shifts a week for 42 crew places
        quals = ";".join(q for q, on in (("prio1", n % 2 == 0), ("hovj", n % 3 == 1)) if on)
        rows.append(
            (n + 2, [f"E{n:03d}", f"Agent {n}", TEAM, "noodhulp", "36", "2020-01-01", "", quals])
        )
    return rows


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[tuple[str, str, Db]]:
    secrets: dict[str, str] = {}

    def seed(session: Session) -> None:
        people = datafile.parse("mensen.csv", people_rows())
        datafile.import_people(session, principal=SYSTEM, file="mensen.csv", people=people)
        secrets["chef"] = staff(session, username="chef-charlois", role="teamchef", unit=TEAM)

    folder = tmp_path_factory.mktemp("capaciteit")
    with (
        loaded_database(request.param, folder, _pg_admin, then=seed) as db,
        serve(db.engine) as url,
    ):
        yield url, secrets["chef"], db


def test_teamchef_rosters_marks_two_sick_and_sees_the_shortfall(
    browser: Any, site: tuple[str, str, Db]
) -> None:
    from playwright.sync_api import expect

    base, secret, db = site
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    login(page, base, username="chef-charlois", secret=secret)
    page.get_by_role("link", name="Capaciteit").click()
    page.get_by_role("link", name=TEAM).click()
    expect(page.locator("#geen-rooster")).to_be_visible(timeout=30_000)
    form = page.locator("#rooster-maken")
    form.locator("input[name=starts]").fill("2027-01-04")
    form.get_by_role("button", name="Rooster maken").click()
    expect(page.locator("#warmtekaart")).to_be_visible(timeout=60_000)
    with db.session() as session:
        on_duty = session.execute(
            select(models.RosterShift.shift, models.Person.number)
            .join(models.Person, models.RosterShift.person_id == models.Person.id)
            .where(models.RosterShift.day == date(2027, 1, 4))
        ).all()
    by_shift: dict[str, list[str]] = {}
    for shift, number in on_duty:
        by_shift.setdefault(shift, []).append(number)
    shift, numbers = min(by_shift.items(), key=lambda item: (len(item[1]), item[0]))
    assert 2 <= len(numbers) <= 3  # 54 shifts a week cannot put 4 on every shift
    for number in numbers[:2]:
        sick = page.locator("#afwezigheid")
        sick.locator("input[name=number]").fill(number)
        sick.locator("select[name=kind]").select_option("ziek")
        sick.locator("input[name=starts]").fill("2027-01-04")
        sick.locator("input[name=ends]").fill("2027-01-04")
        sick.get_by_role("button", name="Opslaan").click()
        expect(page.locator("#afwezigen")).to_contain_text(number, timeout=30_000)
    shortfall = page.locator("#tekort")
    expect(shortfall).to_be_visible(timeout=30_000)
    expect(shortfall).to_contain_text(shift)
    page.locator("#effect-link").click()
    expect(page.locator("#prio1-gepland")).to_contain_text("%", timeout=60_000)
    expect(page.locator("#prio1-werkelijk")).to_contain_text("%")
