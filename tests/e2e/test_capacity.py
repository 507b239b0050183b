"""A teamchef of Rotterdam-Charlois generates a one-week roster, reads its effect in the
digital twin, marks all but one of Monday's least-staffed day shift sick for the week, sees the
shortfall named by day and shift, and sees the share of prio-1 incidents within the norm
drop in the twin (before against after the absences, on the same page)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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
POOL = "rotterdam-d"  # the district's flexteam pool


def people_rows() -> list[tuple[int, Sequence[object]]]:
    header = "personeelsnummer,naam,eenheid,functie,contracturen,begin,einde,kwalificaties"
    rows: list[tuple[int, Sequence[object]]] = [(1, header.split(","))]
    for n in range(12):  # 12 x 36 h: 54 shifts a week for 42 crew places
        quals = ";".join(q for q, on in (("prio1", n % 2 == 0), ("hovj", n % 3 == 1)) if on)
        rows.append(
            (n + 2, [f"E{n:03d}", f"Agent {n}", TEAM, "noodhulp", "36", "2020-01-01", "", quals])
        )
    rows.append((14, ["F001", "Flex Een", POOL, "flex", "36", "2020-01-01", "", "prio1"]))
    return rows


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[tuple[str, dict[str, str], Db]]:
    secrets: dict[str, str] = {}

    def seed(session: Session) -> None:
        people = datafile.parse("mensen.csv", people_rows())
        datafile.import_people(session, principal=SYSTEM, file="mensen.csv", people=people)
        secrets["chef"] = staff(session, username="chef-charlois", role="teamchef", unit=TEAM)
        secrets["pool"] = staff(session, username="planner-pool", role="planner", unit=POOL)

    folder = tmp_path_factory.mktemp("capaciteit")
    with (
        loaded_database(request.param, folder, _pg_admin, then=seed) as db,
        serve(db.engine) as url,
    ):
        yield url, secrets, db


def test_teamchef_rosters_marks_two_sick_and_sees_the_shortfall(
    browser: Any, site: tuple[str, dict[str, str], Db]
) -> None:
    from playwright.sync_api import expect

    base, secrets, db = site
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    login(page, base, username="chef-charlois", secret=secrets["chef"])
    page.get_by_role("link", name="Capaciteit").click()
    page.get_by_role("link", name=TEAM).click()
    expect(page.locator("#geen-rooster")).to_be_visible(timeout=30_000)
    form = page.locator("#rooster-maken")
    form.locator("input[name=starts]").fill("2027-01-04")
    form.get_by_role("button", name="Rooster maken").click()
    expect(page.locator("#warmtekaart")).to_be_visible(timeout=60_000)
    before = twin_share(page, expect)
    page.go_back()
    with db.session() as session:
        on_duty = session.execute(
            select(models.RosterShift.shift, models.Person.number)
            .join(models.Person, models.RosterShift.person_id == models.Person.id)
            .where(models.RosterShift.day == date(2027, 1, 4))
        ).all()
    by_shift: dict[str, list[str]] = {}
    for shift, number in on_duty:
        by_shift.setdefault(shift, []).append(number)
    # a day shift: at night the neighbouring teams answer Charlois' few prio-1 calls in time
    # in the twin whether or not its own car is out (a night without it changes nothing)
    day_shifts = [item for item in by_shift.items() if item[0] != "nacht"]
    shift, numbers = min(day_shifts, key=lambda item: (len(item[1]), item[0]))
    # all but one of them fall ill: one person cannot man a car, however many the solver
    # (time-limited, so not always the same roster) put on the shift
    assert len(numbers) >= 2
    for number in numbers[:-1]:
        sick = page.locator("#afwezigheid")
        sick.locator("input[name=number]").fill(number)
        sick.locator("select[name=kind]").select_option("ziek")
        sick.locator("input[name=starts]").fill("2027-01-04")
        sick.locator("input[name=ends]").fill("2027-01-10")  # ill for the roster's week
        sick.get_by_role("button", name="Opslaan").click()
        expect(page.locator("#afwezigen")).to_contain_text(number, timeout=30_000)
    shortfall = page.locator("#tekort")
    expect(shortfall).to_be_visible(timeout=30_000)
    expect(shortfall).to_contain_text(shift)
    expect(shortfall).to_contain_text("04-01")
    after = twin_share(page, expect)
    # the twin's page names the short shifts, Monday's among them
    expect(page.locator("#effect-tekorten")).to_contain_text(f"04-01-2027 {shift}")
    # before anyone fell ill the roster's cars were all on the road
    assert before["werkelijk"] == before["geroosterd"]
    # same roster, same incidents: the ill officers' shift loses cars on the road
    assert after["geroosterd"] == before["geroosterd"]
    assert after["gepland"] == before["gepland"]
    assert cars(page, "werkelijk") < cars(page, "geroosterd")
    # and the twin answers for them: on a team this small the share moves by a call or two
    # between unit patterns (the strict drop is asserted on a fixed case in
    # tests/integration/test_capacity_flow.py), so here: not better than the roster beyond
    # one call's noise
    assert after["werkelijk"] <= after["geroosterd"] + 0.5


def test_a_pool_planner_lends_on_the_page_and_both_teams_show_the_hours(
    browser: Any, site: tuple[str, dict[str, str], Db]
) -> None:
    from playwright.sync_api import expect

    base, secrets, _db = site
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    login(page, base, username="planner-pool", secret=secrets["pool"])
    page.goto(f"{base}/eenheden/{POOL}/capaciteit/uitlening")
    expect(page.locator("#geen-uitleningen")).to_be_visible()

    def lend(starts: str, ends: str) -> None:
        form = page.locator("#uitlenen")
        form.locator("input[name=number]").fill("F001")
        form.locator("input[name=to_unit]").fill(TEAM)
        form.locator("input[name=starts]").fill(starts)
        form.locator("input[name=ends]").fill(ends)
        form.locator("input[name=hours_per_week]").fill("16")
        form.get_by_role("button", name="Uitlenen").click()

    lend("2027-02-01", "2027-02-28")
    expect(page.locator("#uitleningen")).to_contain_text("F001")
    pool_week = page.locator("#uren-per-week tr", has_text="01-02-2027")
    expect(pool_week.locator("td").nth(3)).to_have_text("16,0")  # lent out
    lend("2027-02-20", "2027-03-10")
    expect(page.locator("#fout")).to_contain_text(
        "overlapt met een uitlening van 01-02-2027 tot 28-02-2027"
    )
    page.goto(f"{base}/eenheden/{TEAM}/capaciteit/uitlening?vanaf=2027-02-01")
    team_week = page.locator("#uren-per-week tr", has_text="01-02-2027")
    expect(team_week.locator("td").nth(4)).to_have_text("16,0")  # lent in


def twin_share(page: Any, expect: Any) -> dict[str, float]:
    """Open the roster's effect in the twin; the prio-1 shares within the norm (percent)."""
    page.locator("#effect-link").click()
    expect(page.locator("#prio1-gepland")).to_contain_text("%", timeout=120_000)
    return {
        which: dutch_number(page.locator(f"#prio1-{which}").inner_text())
        for which in ("gepland", "geroosterd", "werkelijk")
    }


def dutch_number(text: str) -> float:
    """99,76% / 1.234,5 as the Dutch page writes them."""
    cleaned = text.replace("%", "").replace("\xa0", "").replace(".", "").replace(",", ".")
    return float(cleaned.strip())


def cars(page: Any, which: str) -> float:
    """The cars on the road a day, summed over the shifts, in the effect table's row."""
    cells = page.locator(f"#rij-{which} td.getal").all_inner_texts()[:-1]  # last: the share
    return sum(dutch_number(cell) for cell in cells)
