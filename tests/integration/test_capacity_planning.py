"""Issue 12, on both databases: a team's shift templates (a night over 10 h refused with the
rule named), wishes entered and honoured or reported by the generator, the printable wall
schedule (names only for the team's chief, and that read audited), and flexteam lending on a
page (overlap refused, the hours shown in both teams' tables)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from korps.audit.models import AuditEntry
from korps.capacity import datafile, models
from korps.cli.capacity import SYSTEM
from korps.db.base import Base
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database
from tests.support.auth import login_as

TEAM = "rotterdam-d1-charlois"
POOL = "rotterdam-d"  # the district's flexteam pool
HEADER = "personeelsnummer,naam,eenheid,functie,contracturen,begin,einde,kwalificaties"


def rows() -> list[tuple[int, Sequence[object]]]:
    out: list[tuple[int, Sequence[object]]] = [(1, HEADER.split(","))]
    for n in range(14):
        quals = ";".join(q for q, on in (("prio1", n % 2 == 0), ("hovj", n % 4 == 1)) if on)
        out.append(
            (n + 2, [f"P{n:03d}", f"Agent {n}", TEAM, "noodhulp", "36", "2020-01-01", "", quals])
        )
    out.append((16, ["F001", "Flex Een", POOL, "flex", "36", "2020-01-01", "", "prio1"]))
    return out


@pytest.fixture(scope="module", params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Db]:
    admin = request.getfixturevalue("_pg_admin")
    with loaded_database(request.param, tmp_path_factory.mktemp("plan"), admin) as loaded:
        with loaded.session() as session:
            people = datafile.parse("mensen.csv", rows())
            datafile.import_people(session, principal=SYSTEM, file="mensen.csv", people=people)
        yield loaded


def client_as(db: Db, role: str, unit: str, username: str) -> tuple[TestClient, str]:
    client = TestClient(create_app(db.engine))
    login_as(client, db.engine, role=role, unit=unit, username=username)
    return client, client.cookies.get("korps_csrf") or ""


def count(db: Db, model: type[Base]) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


SHIFTS = [
    ("vroeg", "07:00", "15:00", "ma-zo", "1", ""),
    ("laat", "15:00", "23:00", "ma-zo", "1", ""),
    ("nacht", "23:00", "07:00", "ma-zo", "1", "on"),
    ("weekend", "19:00", "03:00", "za,zo", "1", ""),
]


def test_a_teamchef_keeps_the_templates_and_a_long_night_is_refused(db: Db) -> None:
    chef, csrf = client_as(db, "teamchef", TEAM, "chef-diensten")
    url = f"/eenheden/{TEAM}/capaciteit/diensten"
    standard = chef.get(url)
    assert standard.status_code == 200 and "standaarddiensten" in standard.text
    long_night = {"name": "lang", "start": "20:00", "end": "07:00", "days": "ma-vr", "crews": "1"}
    refused = chef.post(url, data={**long_night, "night": "on", "csrf_token": csrf})
    assert refused.status_code == 422
    assert "nachtdienstduur" in refused.text and "maximaal 10 uur per nachtdienst" in refused.text
    bad_day = chef.post(
        url, data={**long_night, "end": "04:00", "days": "ma-xx", "csrf_token": csrf}
    )
    assert bad_day.status_code == 422 and "onbekende dag" in bad_day.text
    assert count(db, models.TeamShift) == 0
    for name, start, end, days, crews, night in SHIFTS:
        form = {"name": name, "start": start, "end": end, "days": days, "crews": crews}
        saved = chef.post(
            url, data={**form, "night": night, "csrf_token": csrf}, follow_redirects=False
        )
        assert saved.status_code == 303, saved.text
    listed = chef.get(url).text
    assert "za,zo" in listed and "standaarddiensten" not in listed
    reader, reader_csrf = client_as(db, "medewerker", TEAM, "lezer-diensten")
    seen = reader.get(url)
    assert seen.status_code == 200 and "weekend" in seen.text
    assert 'id="dienst-opslaan"' not in seen.text
    form = {"name": "x", "start": "07:00", "end": "08:00", "csrf_token": reader_csrf}
    assert reader.post(url, data=form).status_code == 403
    remove = f"{url}/verwijderen"
    assert reader.post(remove, data={"name": "vroeg", "csrf_token": reader_csrf}).status_code == 403
    missing = chef.post(remove, data={"name": "middag", "csrf_token": csrf})
    assert missing.status_code == 422 and "heeft geen dienst" in missing.text
    extra = {"name": "extra", "start": "10:00", "end": "18:00", "csrf_token": csrf}
    assert chef.post(url, data=extra, follow_redirects=False).status_code == 303
    gone = chef.post(remove, data={"name": "extra", "csrf_token": csrf}, follow_redirects=False)
    assert gone.status_code == 303 and "extra" not in chef.get(url).text
    assert count(db, models.TeamShift) == 4


def test_wishes_are_checked_and_stored(db: Db) -> None:
    chef, csrf = client_as(db, "teamchef", TEAM, "chef-wensen")
    url = f"/eenheden/{TEAM}/capaciteit/wensen"
    wish = {"number": "P001", "kind": "vrij", "starts": "2027-01-05", "ends": "2027-01-06"}
    for changed, message in (
        ({"number": "ZZZ9"}, "onbekend personeelsnummer"),
        ({"ends": "2027-01-04"}, "kan niet eindigen voordat ze begint"),
        ({"kind": "dienst", "shift": "middag"}, "heeft geen dienst 'middag'"),
        ({"kind": "dienst"}, "noemt de dienst"),
    ):
        refused = chef.post(url, data={**wish, **changed, "csrf_token": csrf})
        assert refused.status_code == 422 and message in unescape(refused.text), changed
    assert count(db, models.Wish) == 0
    for data in (
        wish,
        {"number": "P002", "kind": "geen_nacht", "starts": "2027-01-04", "ends": "2027-01-10"},
        {
            "number": "P003",
            "kind": "dienst",
            "shift": "vroeg",
            "starts": "2027-01-04",
            "ends": "2027-01-08",
        },
    ):
        stored = chef.post(url, data={**data, "csrf_token": csrf}, follow_redirects=False)
        assert stored.status_code == 303, stored.text
    page = chef.get(url).text
    assert "geen nachtdienst" in page and "P003" in page
    extra = {"number": "P004", "kind": "vrij", "starts": "2027-01-07", "ends": "2027-01-07"}
    assert chef.post(url, data={**extra, "csrf_token": csrf}).status_code == 200
    with db.session() as session:
        extra_id = session.scalar(select(func.max(models.Wish.id)))
    remove = f"{url}/verwijderen"
    reader, reader_csrf = client_as(db, "medewerker", TEAM, "lezer-wensen")
    refused = reader.post(remove, data={"wish": str(extra_id), "csrf_token": reader_csrf})
    assert refused.status_code == 403
    unknown = chef.post(remove, data={"wish": "999999", "csrf_token": csrf})
    assert unknown.status_code == 422 and "heeft geen wens 999999" in unknown.text
    gone = chef.post(remove, data={"wish": str(extra_id), "csrf_token": csrf})
    assert gone.status_code == 200 and "P004" not in gone.text
    assert count(db, models.Wish) == 3


def test_the_generator_rosters_the_templates_and_honours_or_reports_wishes(db: Db) -> None:
    chef, csrf = client_as(db, "teamchef", TEAM, "chef-rooster")
    made = chef.post(
        f"/eenheden/{TEAM}/capaciteit/rooster",
        data={"starts": "2027-01-04", "weeks": "1", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    with db.session() as session:
        roster = session.scalar(select(models.Roster).order_by(models.Roster.id.desc()))
        assert roster is not None
        assert [t["name"] for t in roster.templates] == ["vroeg", "laat", "weekend", "nacht"]
        shifts = session.execute(
            select(models.RosterShift.day, models.RosterShift.shift, models.Person.number)
            .join(models.Person, models.Person.id == models.RosterShift.person_id)
            .where(models.RosterShift.roster_id == roster.id)
        ).all()
        unmet = roster.unmet_wishes or []
    weekend_days = {day for day, shift, _n in shifts if shift == "weekend"}
    assert weekend_days and all(day.weekday() >= 5 for day in weekend_days)
    assert sum(1 for day, shift, _n in shifts if (day, shift) == (date(2027, 1, 9), "weekend")) >= 2
    night_or_weekend = {"nacht", "weekend"}  # weekend (19-03) has 3 h before 06:00: a night
    against = [
        ("P001", day)
        for day, shift, n in shifts
        if n == "P001" and day in (date(2027, 1, 5), date(2027, 1, 6))
    ] + [("P002", day) for day, shift, n in shifts if n == "P002" and shift in night_or_weekend]
    against += [
        ("P003", day)
        for day, shift, n in shifts
        if n == "P003" and day <= date(2027, 1, 8) and shift != "vroeg"
    ]
    # every wish the roster goes against is reported, with the day and a reason
    for number, day in against:
        line = next((u for u in unmet if u.startswith(f"{number} ") and f"{day:%d-%m-%Y}" in u), "")
        assert "; " in line, (number, day, unmet)
    assert len(unmet) == len(against)
    page = chef.get(f"/eenheden/{TEAM}/capaciteit").text
    assert 'name="cars"' in page and "Auto's weekend" in page


def test_the_printable_roster_shows_names_only_to_the_chief(db: Db) -> None:
    url = f"/eenheden/{TEAM}/capaciteit/rooster/afdrukken"
    reader, _ = client_as(db, "medewerker", TEAM, "lezer-afdruk")
    before = count(db, AuditEntry)
    plain = reader.get(url)
    assert plain.status_code == 200 and "@media print" in plain.text
    table = plain.text.split('id="weekrooster"', 1)[1].split("</table>", 1)[0]
    assert "P000" in table or "P001" in table
    assert "Agent" not in plain.text
    assert count(db, AuditEntry) == before
    chef, _ = client_as(db, "teamchef", TEAM, "chef-afdruk")
    named = chef.get(url)
    assert named.status_code == 200 and re.search(r"P0\d\d Agent \d+", named.text)
    assert "weekend (19:00-03:00)" in named.text
    with db.session() as session:
        read = session.scalar(
            select(AuditEntry)
            .where(AuditEntry.action == "ingezien: rooster met namen")
            .order_by(AuditEntry.id.desc())
        )
    assert read is not None and read.actor == "chef-afdruk"


def week_row(html: str, monday: str) -> list[str]:
    table = html.split('id="uren-per-week"', 1)[1].split("</table>", 1)[0]
    row = next(r for r in table.split("<tr>") if f"<td>{monday}</td>" in r)
    return re.findall(r'<td class="getal">([^<]*)</td>', row)


def test_lending_on_the_page_moves_hours_and_refuses_an_overlap(db: Db) -> None:
    planner, csrf = client_as(db, "planner", POOL, "planner-pool")
    url = f"/eenheden/{POOL}/capaciteit/uitlening"
    lend = {
        "number": "F001",
        "to_unit": TEAM,
        "starts": "2027-02-01",
        "ends": "2027-02-28",
        "hours_per_week": "16",
    }
    backwards = planner.post(url, data={**lend, "ends": "2027-01-31", "csrf_token": csrf})
    assert backwards.status_code == 422 and "kan niet eindigen voordat ze begint" in backwards.text
    unknown = planner.post(url, data={**lend, "to_unit": "geen-team", "csrf_token": csrf})
    assert unknown.status_code == 422
    assert "onbekende eenheid 'geen-team'" in unescape(unknown.text)
    made = planner.post(url, data={**lend, "csrf_token": csrf}, follow_redirects=False)
    assert made.status_code == 303, made.text
    again = {**lend, "starts": "2027-02-20", "ends": "2027-03-10", "csrf_token": csrf}
    overlap = planner.post(url, data=again)
    assert overlap.status_code == 422
    assert "overlapt met een uitlening van 01-02-2027 tot 28-02-2027" in overlap.text
    assert count(db, models.Lending) == 1
    pool = planner.get(url + "?vanaf=2027-02-01").text
    assert "F001" in pool and week_row(pool, "01-02-2027")[2] == "16,0"  # lent out
    assert week_row(pool, "01-02-2027")[4] == "20,0"  # 36 - 16 deployable in the pool
    chef, _ = client_as(db, "teamchef", TEAM, "chef-uitlening")
    team = chef.get(f"/eenheden/{TEAM}/capaciteit/uitlening?vanaf=2027-02-01").text
    row = week_row(team, "01-02-2027")
    assert row[3] == "16,0" and row[0] == "504,0"  # lent in; 14 x 36 own hours
    assert row[4] == "520,0"
    reader, reader_csrf = client_as(db, "medewerker", TEAM, "lezer-uitlening")
    refused = reader.post(
        f"/eenheden/{TEAM}/capaciteit/uitlening", data={**lend, "csrf_token": reader_csrf}
    )
    assert refused.status_code == 403


def test_a_lent_person_is_rostered_by_both_teams_with_their_share_of_hours(db: Db) -> None:
    from korps.capacity import rostering, schemas, service

    with db.session() as session:
        march = schemas.LendingIn(
            number="F001",
            from_unit=POOL,
            to_unit=TEAM,
            starts=date(2027, 3, 1),
            ends=date(2027, 3, 31),
            hours_per_week=8,
        )
        service.add_lending(session, principal=SYSTEM, data=march)
        session.commit()
        team, pool = (
            rostering.build_problem(
                session,
                unit=service.unit_by_slug(session, slug=slug),
                starts=date(2027, 2, 22),
                weeks=2,
                cars=None,
            )[0]
            for slug in (TEAM, POOL)
        )
    lent = [p for p in team.people if p.key == "F001"]
    assert len(lent) == 1 and lent[0].contract_hours == 16  # the larger of 16 and 8
    assert [p.contract_hours for p in pool.people if p.key == "F001"] == [20]  # 36 - 16
