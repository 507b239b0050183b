"""Issue 14.12: pages with dates show them as their reader's locale writes them: Dutch day
names and dd-mm-jjjj in Dutch, English ones under ``?lang=en``; moments in Dutch local time
(Europe/Amsterdam), not in UTC. The capacity team page (its shortfall table, heat map and
absences), the printable roster, and a citizen's dossier and receipt. SQLite and
PostgreSQL."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from korps.audit.models import AuditEntry
from korps.capacity import datafile
from korps.cli.capacity import SYSTEM
from korps.portal.models import Dossier
from korps.portal.schemas import QUESTIONS
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database
from tests.integration.test_capacity_flow import TEAM, people_csv
from tests.integration.test_portal_flow import FIETS, citizen, file_online
from tests.support.auth import login_as

MONDAY = "2027-01-04"


@pytest.fixture(scope="module", params=BACKENDS)
def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _pg_admin: Any
) -> Iterator[Db]:
    with loaded_database(request.param, tmp_path_factory.mktemp("dates"), _pg_admin) as loaded:
        with loaded.session() as session:
            rows: list[tuple[int, Sequence[object]]] = [
                (i + 1, line.split(",")) for i, line in enumerate(people_csv().splitlines())
            ]
            people = datafile.parse("mensen.csv", rows)
            datafile.import_people(session, principal=SYSTEM, file="mensen.csv", people=people)
        yield loaded


def _between(page: str, start: str, end: str = "</table>") -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


def test_the_capacity_pages_write_days_in_the_readers_language(db: Db) -> None:
    with TestClient(create_app(db.engine)) as client:
        login_as(client, db.engine, role="teamchef", unit=TEAM, username="chef-datums")
        csrf = client.cookies.get("korps_csrf") or ""
        made = client.post(
            f"/eenheden/{TEAM}/capaciteit/rooster",
            data={"starts": MONDAY, "weeks": "1", "cars": ["1", "1", "1"], "csrf_token": csrf},
            follow_redirects=False,
        )
        assert made.status_code == 303, made.text
        for number in ("T000", "T001", "T002", "T003", "T004", "T005", "T006"):
            ill = client.post(
                f"/eenheden/{TEAM}/capaciteit/afwezigheid",
                data={"number": number, "kind": "ziek", "starts": MONDAY, "ends": MONDAY,
                      "csrf_token": csrf},
                follow_redirects=False,
            )  # fmt: skip
            assert ill.status_code == 303, ill.text
        url = f"/eenheden/{TEAM}/capaciteit"
        dutch = client.get(url, params={"lang": "nl"}).text
        english = client.get(url, params={"lang": "en"}).text
        printed = client.get(f"{url}/rooster/afdrukken", params={"lang": "en"}).text
        sheets = [
            load_workbook(
                io.BytesIO(client.get(f"{url}/rooster.xlsx", params={"lang": lang}).content)
            )
            for lang in ("nl", "en")
        ]
        gedrukt = client.get(f"{url}/rooster/afdrukken", params={"lang": "nl"}).text

    # half the team ill on Monday: the shortfall table names Monday as each language does
    shortfall = _between(dutch, 'id="tekort"')
    assert "<td>ma 04-01</td>" in shortfall and "Mon" not in shortfall
    assert "<td>Mon, 1/4</td>" in _between(english, 'id="tekort"')
    assert "<th>04-01</th>" in _between(dutch, 'id="warmtekaart"')
    assert "<th>1/4</th>" in _between(english, 'id="warmtekaart"')
    assert "Rooster vanaf 04-01-2027, 7 dagen" in dutch
    assert "Roster from 1/4/27, 7 days" in english
    assert "<td>04-01-2027</td>" in _between(dutch, 'id="afwezigen"')
    assert "<td>1/4/27</td>" in _between(english, 'id="afwezigen"')
    # the printable week: a weekday and a day per column, the week in the heading
    assert "ma<br>04-01" in gedrukt and "zo<br>10-01" in gedrukt
    assert "Mon<br>1/4" in printed and "Sun<br>1/10" in printed
    assert re.search(r"<h1>Rooster [^<]*, 04-01-2027 t/m 10-01-2027</h1>", gedrukt)
    assert re.search(r"<h1>Roster [^<]*, 1/4/27 to 1/10/27</h1>", printed)
    # the wall schedule (XLSX) has the same columns
    headers = [
        [cell.value for cell in next(book.worksheets[0].iter_rows(max_row=1))] for book in sheets
    ]
    assert headers[0][:3] == ["Medewerker", "ma 04-01", "di 05-01"] and headers[0][-1] == "Uren"
    assert headers[1][:3] == ["Employee", "Mon, 1/4", "Tue, 1/5"] and headers[1][-1] == "Hours"


def test_a_dossier_and_its_receipt_in_both_languages_in_local_time(db: Db) -> None:
    with TestClient(create_app(db.engine)) as client:
        citizen(client, db, "datum-burger")
        client.post("/aangifte/toets", data=dict.fromkeys(QUESTIONS, "nee"))
        number = file_online(client)
        with db.session() as session:
            dossier = session.scalar(select(Dossier).where(Dossier.number == number))
            assert dossier is not None
            created, deadline = dossier.created_at, dossier.deadline
        page = f"/mijn/dossiers/{number}"
        dutch = client.get(page, params={"lang": "nl"}).text
        english = client.get(page, params={"lang": "en"}).text
        receipt_en = client.get(f"{page}/ontvangstbewijs", params={"lang": "en"}).text
        receipt_nl = client.get(f"{page}/ontvangstbewijs", params={"lang": "nl"}).text

    assert FIETS["datum"] == "2026-11-02"  # the day of the theft, as typed
    assert "<dd>02-11-2026</dd>" in dutch and "<dd>11/2/26</dd>" in english
    due = deadline.strftime("%d-%m-%Y")
    assert f"Wij reageren uiterlijk {due}. Behandeld door " in dutch
    us = f"{deadline.month}/{deadline.day}/{deadline:%y}"
    assert f"We will respond by {us} at the latest. Handled by " in english
    # the moment of filing in Dutch local time, as the control room shows its times
    moment = (created if created.tzinfo else created.replace(tzinfo=UTC)).astimezone(
        ZoneInfo("Europe/Amsterdam")
    )
    assert f"<dd>{moment:%d-%m-%Y %H:%M}</dd>" in receipt_nl
    assert "UTC" not in receipt_nl and "UTC" not in receipt_en
    assert f"{moment.month}/{moment.day}/{moment:%y}, " in receipt_en


def test_the_audit_trail_shows_and_filters_days_in_local_time(db: Db) -> None:
    """Half past midnight in Amsterdam on 1 July is 22:30 UTC on 30 June: the trail shows
    the local time and files the entry under 1 July."""
    with db.session() as session:
        session.add(
            AuditEntry(
                at=datetime(2026, 6, 30, 22, 30, tzinfo=UTC),
                actor="nachtdienst",
                entity="test",
                entity_id=1,
                action="om middernacht",
            )
        )
        session.commit()
    with TestClient(create_app(db.engine)) as client:
        login_as(client, db.engine, role="beheerder", unit="politie", username="beheer-datums")

        def shown(**days: str) -> str:
            params = {"actor": "nachtdienst", "lang": "nl", **days}
            return str(client.get("/beheer/audit", params=params).text)

        july = shown(vanaf="2026-07-01", tot="2026-07-01")
        assert "01-07-2026 00:30:00" in july and "(UTC)" not in july
        assert "om middernacht" not in shown(vanaf="2026-06-30", tot="2026-06-30")
        english = client.get("/beheer/audit", params={"actor": "nachtdienst", "lang": "en"})
        assert "Jul 1, 2026, 12:30:00\u202fAM" in english.text
