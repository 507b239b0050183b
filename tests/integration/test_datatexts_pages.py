"""Issue 14.12, texts from data on the pages: the portal's categories, a dossier's status
(label, the citizen's wording and explanation, the routing reason) and the capacity wish
list are Dutch by default and English under ``?lang=en``, while what is stored stays Dutch.
SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from korps.capacity import datafile
from korps.cli.capacity import SYSTEM
from korps.identity.models import User
from korps.identity.service import principal_of
from korps.organisation.models import Unit
from korps.portal import service
from korps.portal.models import Dossier
from korps.portal.pages import CHECKED_COOKIE
from korps.portal.schemas import AangifteIn, GoodIn
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database
from tests.support.auth import login_as, make_user

TEAM = "rotterdam-d1-charlois"
PEOPLE = "personeelsnummer,naam,eenheid,functie,contracturen,begin,einde,kwalificaties"


@pytest.fixture(scope="module", params=BACKENDS)
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _pg_admin: Any
) -> Iterator[tuple[Db, str, str]]:
    """A loaded database with one dossier (fietsdiefstal in Rotterdam, filed by "melder")
    and the team's people; yields the database, the dossier's number and its team."""
    with loaded_database(request.param, tmp_path_factory.mktemp("texts"), _pg_admin) as db:
        make_user(db.engine, username="melder", grants=[("burger", None)], kind="burger")
        rows: list[tuple[int, Sequence[object]]] = [(1, PEOPLE.split(","))]
        rows += [(n + 2, [f"P{n:03d}", f"Agent {n}", TEAM, "noodhulp", "36", "2020-01-01", "", ""])
                 for n in range(3)]  # fmt: skip
        with db.session() as session:
            datafile.import_people(
                session, principal=SYSTEM, file="mensen.csv", people=datafile.parse("m.csv", rows)
            )
            user = session.scalar(select(User).where(User.username == "melder"))
            assert user is not None
            data = AangifteIn(
                category="fietsdiefstal",
                occurred_on=date(2026, 11, 2),
                gemeente="Rotterdam",
                address=None,
                lat=None,
                lon=None,
                description="Fiets gestolen bij het station.",
                goods=[GoodIn("Gazelle", 650.0, None)],
            )
            dossier = service.file_dossier(
                session, reporter=principal_of(session, user=user), data=data
            )
            session.commit()
            team = session.scalar(select(Unit.slug).where(Unit.id == dossier.team_id))
            assert team is not None
            yield db, dossier.number, team


def _text(page: str) -> str:
    return " ".join(unescape(re.sub(r"(?s)<[^>]+>", " ", page)).split())


def test_the_category_list_in_both_languages(setup: tuple[Db, str, str]) -> None:
    db, _number, _team = setup
    with TestClient(create_app(db.engine)) as client:
        login_as(client, db.engine, role="burger", unit=None, username="melder")
        client.cookies.set(CHECKED_COOKIE, "ja")
        dutch = _text(client.get("/aangifte/soort").text)
        english = _text(client.get("/aangifte/soort", params={"lang": "en"}).text)
    assert "Fietsdiefstal aangifte" in dutch and "Diefstal uit auto" in dutch
    assert "Bicycle theft crime report" in english and "Theft from a car" in english
    assert "Fietsdiefstal" not in english and "Diefstal uit auto" not in english


def test_a_dossier_status_for_the_citizen_and_the_team(setup: tuple[Db, str, str]) -> None:
    db, number, team = setup
    with TestClient(create_app(db.engine)) as client:
        login_as(client, db.engine, role="burger", unit=None, username="melder")
        dutch = _text(client.get(f"/mijn/dossiers/{number}", params={"lang": "nl"}).text)
        english = _text(client.get(f"/mijn/dossiers/{number}", params={"lang": "en"}).text)
    assert "Fietsdiefstal" in dutch and "Wij hebben uw aangifte of melding ontvangen" in dutch
    assert "Bicycle theft" in english and "Received" in english
    assert "We have received your report or notification." in english
    assert "Wij hebben uw aangifte" not in english and "Ontvangen" not in english
    with TestClient(create_app(db.engine)) as client:
        login_as(client, db.engine, role="medewerker", unit=team, username="mw-teksten")
        dutch = _text(client.get(f"/team/dossiers/{number}", params={"lang": "nl"}).text)
        english = _text(client.get(f"/team/dossiers/{number}", params={"lang": "en"}).text)
    assert "Het basisteam dat de gemeente van de plaats delict bedient" in dutch
    assert "The basic team that serves the municipality of the crime scene" in english
    assert "Online (citizen portal)" in english and "Online (burgerportaal)" in dutch
    with db.session() as session:  # what is stored stays Dutch
        reason = session.scalar(select(Dossier.route_reason).where(Dossier.number == number))
    assert reason is not None and reason.startswith("Het basisteam dat de gemeente")


def test_the_wish_list_in_both_languages(setup: tuple[Db, str, str]) -> None:
    db, _number, _team = setup
    url = f"/eenheden/{TEAM}/capaciteit/wensen"
    with TestClient(create_app(db.engine)) as client:
        login_as(client, db.engine, role="teamchef", unit=TEAM, username="chef-teksten")
        wish = {"number": "P001", "kind": "geen_nacht", "starts": "2027-01-04"}
        csrf = client.cookies.get("korps_csrf") or ""
        stored = client.post(
            url, data={**wish, "ends": "2027-01-10", "csrf_token": csrf}, follow_redirects=False
        )
        assert stored.status_code == 303, stored.text
        dutch = client.get(url, params={"lang": "nl"}).text
        english = client.get(url, params={"lang": "en"}).text
    row = re.compile(r"<tr><td>P001</td><td>([^<]*)</td>")
    assert row.findall(dutch) == ["geen nachtdienst"]
    assert row.findall(english) == ["no night shift"]
    assert '<option value="geen_nacht">no night shift</option>' in english  # the code posted


def test_a_unit_and_a_source_in_both_languages(setup: tuple[Db, str, str]) -> None:
    db, _number, _team = setup
    with TestClient(create_app(db.engine)) as client:
        dutch = _text(client.get("/eenheden/pz-voorbeeld", params={"lang": "nl"}).text)
        english = _text(client.get("/eenheden/pz-voorbeeld", params={"lang": "en"}).text)
        source = "/bronnen/002_c20bdcf4eda624e1.txt"
        bron = _text(client.get(source, params={"lang": "nl"}).text)
        source_en = _text(client.get(source, params={"lang": "en"}).text)
    assert "Dringende oproepen komen binnen via 101" in dutch
    assert "Urgent calls come in via 101" in english and "Dringende oproepen" not in english
    assert "Politiezone: Directie Operaties" in bron and "Een tweede organisatievorm" in bron
    assert "Police zone: Operations Directorate" in source_en
    assert "A second form of organisation" in source_en
