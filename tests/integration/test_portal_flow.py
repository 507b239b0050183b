"""Issue 16: the citizen's online aangifte end to end through the pages (eligibility first,
registration, the guided form, receipt, e-mail without personal data), the team's work on
it (queue, assign, question, close with a decision) and bad input refused on its field with
nothing stored. SQLite and PostgreSQL."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from korps.audit.models import AuditEntry
from korps.config import get_settings
from korps.identity import debugmail
from korps.identity.models import User
from korps.portal.models import Dossier, Entry, Good
from korps.portal.schemas import QUESTIONS
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database
from tests.support.auth import PASSWORD, login_as, make_user, set_csrf

TEAM = "rotterdam-c1-maas-rotte"  # the basisteam with the largest share of Rotterdam
FIETS = {
    "categorie": "fietsdiefstal",
    "datum": "2026-11-02",
    "gemeente": "Rotterdam",
    "adres": "Coolsingel 40",
    "omschrijving": "Mijn fiets stond op slot bij het station en was weg toen ik terugkwam.",
    "goed_omschrijving": ["Zwarte herenfiets, Gazelle"],
    "goed_waarde": ["650"],
    "goed_kenmerk": ["GZ 1234-5678"],
}


@pytest.fixture(scope="module", params=BACKENDS)
def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _pg_admin: Any
) -> Iterator[Db]:
    with loaded_database(request.param, tmp_path_factory.mktemp("portal"), _pg_admin) as db:
        yield db


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Message]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    received: list[Message] = []
    arrived = threading.Event()

    def deliver(message: Message) -> None:
        received.append(message)
        arrived.set()

    controller = debugmail.start("127.0.0.1", port, deliver)
    monkeypatch.setenv("KORPS_SMTP_PORT", str(port))
    get_settings.cache_clear()
    yield received
    controller.stop()
    get_settings.cache_clear()


def counts(db: Db) -> tuple[int, int, int, int]:
    with db.session() as session:
        return (
            session.scalar(select(func.count(Dossier.id))) or 0,
            session.scalar(select(func.count(Good.id))) or 0,
            session.scalar(select(func.count(Entry.id))) or 0,
            session.scalar(select(func.count(AuditEntry.id))) or 0,
        )


def citizen(client: TestClient, db: Db, username: str) -> None:
    make_user(db.engine, username=username, grants=[("burger", None)], kind="burger")
    login_as(client, db.engine, role="burger", unit=None, username=username)


def file_online(client: TestClient, **changes: Any) -> str:
    response = client.post("/aangifte/nieuw", data={**FIETS, **changes}, follow_redirects=False)
    assert response.status_code == 303, response.text
    found = re.search(r"/mijn/dossiers/([0-9-]+)/ontvangstbewijs", response.headers["location"])
    assert found is not None
    return found.group(1)


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


@pytest.mark.parametrize(
    ("answers", "shown", "absent"),
    [
        ({"nu": "ja", "gevaar": "nee"}, "Bel nu 112", "0900-8844"),
        ({"gevaar": "ja"}, "Bel nu 112", "0900-8844"),
        ({"dader_bekend": "ja", "geweld": "ja"}, "u weet wie de dader is", "Bel nu 112"),
        ({"geweld": "ja"}, "er is geweld gebruikt", "u weet wie de dader is"),
        ({"onder_13": "ja"}, "jonger dan 13 jaar", "Bel nu 112"),
    ],
)
def test_eligibility_sends_elsewhere_and_stores_nothing(
    db: Db, answers: dict[str, str], shown: str, absent: str
) -> None:
    before = counts(db)
    with TestClient(create_app(db.engine)) as client:
        set_csrf(client)
        data = {"nu": "nee", "gevaar": "nee", "dader_bekend": "nee", "geweld": "nee"}
        data |= {"onder_13": "nee", **answers}
        response = client.post("/aangifte/toets", data=data, follow_redirects=False)
    assert response.status_code == 200
    assert shown in response.text and absent not in response.text
    assert "niets van wat u invulde bewaard" in response.text
    assert counts(db) == before  # no dossier, no timeline, not even an audit row


def test_eligibility_needs_every_answer_and_then_goes_on(db: Db) -> None:
    with TestClient(create_app(db.engine)) as client:
        set_csrf(client)
        missing = client.post("/aangifte/toets", data={"nu": "nee"})
        assert missing.status_code == 422
        assert missing.text.count("beantwoord deze vraag") == 4
        ok = client.post(
            "/aangifte/toets",
            data={q: "nee" for q in ("nu", "gevaar", "dader_bekend", "geweld", "onder_13")},
            follow_redirects=False,
        )
        assert ok.status_code == 303 and ok.headers["location"] == "/aangifte/soort"
        # the next step needs an account: anonymous goes to the login page
        step2 = client.get("/aangifte/soort", follow_redirects=False)
        assert step2.headers["location"].startswith("/aanmelden")


def test_register_file_receipt_mail_and_the_team_works_it(db: Db, mailbox: list[Message]) -> None:
    app = create_app(db.engine)
    with TestClient(app) as client, TestClient(app) as staff:
        set_csrf(client)
        weak = client.post(
            "/registreren",
            data={"gebruikersnaam": "fietser", "naam": "Fien Fietser", "email": "fien@voorbeeld.nl",
                  "wachtwoord": "kort", "herhaling": "kort"},
        )  # fmt: skip
        assert weak.status_code == 422
        registered = client.post(
            "/registreren",
            data={"gebruikersnaam": "fietser", "naam": "Fien Fietser", "email": "fien@voorbeeld.nl",
                  "wachtwoord": PASSWORD, "herhaling": PASSWORD},
            follow_redirects=False,
        )  # fmt: skip
        assert registered.status_code == 303, registered.text
        skipped = client.get("/aangifte/soort", follow_redirects=False)
        assert skipped.headers["location"] == "/aangifte"  # the questions come first
        client.post("/aangifte/toets", data=dict.fromkeys(QUESTIONS, "nee"))
        assert "Fietsdiefstal" in client.get("/aangifte/soort").text
        form = client.get("/aangifte/nieuw?categorie=fietsdiefstal")
        assert "Framenummer" in form.text and "portal.js" in form.text
        number = file_online(client)
        receipt = client.get(f"/mijn/dossiers/{number}/ontvangstbewijs")
        assert receipt.status_code == 200
        assert number in receipt.text and "Maas-Rotte" in receipt.text
        deadline = time.monotonic() + 5
        while not mailbox and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(mailbox) == 1 and mailbox[0]["To"] == "fien@voorbeeld.nl"
        text = mailbox[0]["Subject"] + body(mailbox[0])
        for personal in ("Fien", "Fietser", number, "Coolsingel", "Gazelle", "fiets", "Rotterdam"):
            assert personal.lower() not in text.lower(), personal
        assert "/mijn/dossiers" in text
        with db.session() as session:
            dossier = session.scalar(select(Dossier).where(Dossier.number == number))
            assert dossier is not None
            assert dossier.status == "ontvangen" and dossier.channel == "online"
            assert dossier.route_rule == "basisteam-van-de-plaats"
            assert [g.identifier for g in dossier.goods] == ["GZ12345678"]
        mine = client.get("/mijn/dossiers")
        assert number in mine.text and "Ontvangen" in mine.text

        login_as(staff, db.engine, role="medewerker", unit=TEAM, username="mw-maas-rotte")
        queue = staff.get("/team/werkvoorraad")
        assert number in queue.text
        page = staff.get(f"/team/dossiers/{number}")
        assert "Het basisteam dat de gemeente van de plaats delict bedient" in page.text
        assert staff.post(f"/team/dossiers/{number}/toewijzen").status_code == 200
        assert number in staff.get("/team/werkvoorraad?van_mij=true").text
        assert number not in staff.get("/team/werkvoorraad?niet_toegewezen=true").text
        no_question = staff.post(
            f"/team/dossiers/{number}/status", data={"status": "info-gevraagd"}
        )
        assert no_question.status_code == 422 and "vul dit veld in" in no_question.text
        asked = staff.post(
            f"/team/dossiers/{number}/status",
            data={"status": "info-gevraagd", "toelichting": "Welke kleur heeft het slot?",
                  "termijn": "5"},
        )  # fmt: skip
        assert asked.status_code == 200

        seen = client.get(f"/mijn/dossiers/{number}")
        assert (
            "Wij hebben een vraag aan u" in seen.text and "Welke kleur heeft het slot?" in seen.text
        )
        empty = client.post(f"/mijn/dossiers/{number}/antwoord", data={"antwoord": "  "})
        assert empty.status_code == 422
        answered = client.post(f"/mijn/dossiers/{number}/antwoord", data={"antwoord": "Rood."})
        assert answered.status_code == 200 and "Uw antwoord is ontvangen" in answered.text
        added = client.post(
            f"/mijn/dossiers/{number}/aanvulling", data={"aanvulling": "Er zat een mand op."}
        )
        assert "Er zat een mand op." in added.text

        undecided = staff.post(f"/team/dossiers/{number}/status", data={"status": "afgehandeld"})
        assert undecided.status_code == 422
        closed = staff.post(
            f"/team/dossiers/{number}/status",
            data={"status": "afgehandeld", "toelichting": "Geen opsporingsindicatie."},
        )
        assert closed.status_code == 200
        final = client.get(f"/mijn/dossiers/{number}")
        assert "Afgehandeld" in final.text and "Geen opsporingsindicatie." in final.text
        assert "Routering" not in final.text and "toegewezen aan" not in final.text  # internal
        late = client.post(f"/mijn/dossiers/{number}/aanvulling", data={"aanvulling": "Nog iets"})
        assert late.status_code == 422 and "gesloten" in late.text
        assert len(mailbox) >= 3  # receipt, question, closing: each only "there is news"
        unhappy = client.post(
            f"/mijn/dossiers/{number}/tevredenheid",
            data={"tevreden": "nee", "cijfer": "2", "toelichting": "Jammer.", "heropenen": "ja"},
        )
        assert unhappy.status_code == 200 and 'id="bedankt"' in unhappy.text
        assert "Verzoek om heropenen" in staff.get(f"/team/dossiers/{number}").text
        reopened = staff.post(
            f"/team/dossiers/{number}/status",
            data={"status": "heropend", "toelichting": "Op verzoek."},
        )
        assert reopened.status_code == 200 and "Heropend" in reopened.text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"datum": "2999-01-01"}, "datum", "de datum ligt in de toekomst"),
        ({"datum": "gisteren"}, "datum", "vul een datum in"),
        ({"categorie": "moord"}, "categorie", "onbekende soort aangifte"),
        ({"gemeente": "Antwerpen"}, "gemeente", "onbekende gemeente"),
        ({"gemeente": "", "lat": "48.8566", "lon": "2.3522"}, "locatie", "buiten Nederland"),
        ({"omschrijving": "x" * 6000}, "omschrijving", "te lang: maximaal 5000 tekens"),
        ({"omschrijving": ""}, "omschrijving", "beschrijf wat er gebeurde"),
        ({"goed_waarde": ["veel"]}, "goed_1", "geen getal"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_stores_nothing(
    db: Db, changes: dict[str, Any], field: str, message: str
) -> None:
    with TestClient(create_app(db.engine)) as client:
        citizen(client, db, "foutje")
        before = counts(db)
        response = client.post("/aangifte/nieuw", data={**FIETS, **changes})
        assert response.status_code == 422
        assert f'id="fout-{field}"' in response.text and message in response.text
        assert counts(db) == before


def test_ten_megabytes_of_text_are_refused_and_nothing_is_stored(db: Db) -> None:
    with TestClient(create_app(db.engine)) as client:
        citizen(client, db, "veelschrijver")
        before = counts(db)
        response = client.post(
            "/aangifte/nieuw", data={**FIETS, "omschrijving": "a" * (10 * 1024 * 1024)}
        )
        assert response.status_code == 413 and "te groot" in response.text  # a page: HTML
        assert counts(db) == before


def test_map_point_resolves_to_the_municipality_and_the_basisteam_of_its_part(db: Db) -> None:
    with TestClient(create_app(db.engine)) as client:
        citizen(client, db, "kaartlezer")
        number = file_online(
            client, gemeente="", lat="51.9225", lon="4.47917", goed_kenmerk=["KAART-1"]
        )
    with db.session() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.number == number))
        assert dossier is not None and dossier.gemeente_code == "GM0599"
        # the point is nearest the centre of the part of Rotterdam basisteam Centrum serves
        assert dossier.route_reason.endswith(": Centrum (Rotterdam)")


def test_staff_register_on_behalf_of_a_citizen_by_other_channels(db: Db) -> None:
    app = create_app(db.engine)
    with TestClient(app) as desk, TestClient(app) as burger:
        login_as(desk, db.engine, role="medewerker", unit=TEAM, username="mw-balie")
        form = desk.get("/team/aangifte/nieuw")
        assert form.status_code == 200 and "0900-8844" in form.text
        data = {**FIETS, "kanaal": "balie", "melder_naam": "Ria Balie",
                "melder_email": "ria@voorbeeld.nl", "goed_kenmerk": ["BALIE-1"]}  # fmt: skip
        for wrong, field in (
            ({"kanaal": "online"}, "kanaal"),
            ({"melder_email": ""}, "melder_email"),
            ({"melder_email": "mw-balie@korps.test"}, "melder_email"),
        ):
            before = counts(db)
            refused = desk.post("/team/aangifte/nieuw", data={**data, **wrong})
            assert refused.status_code == 422 and f'id="fout-{field}"' in refused.text
            assert counts(db)[:3] == before[:3]
        made = desk.post("/team/aangifte/nieuw", data=data, follow_redirects=False)
        assert made.status_code == 303
        number = made.headers["location"].rsplit("/", 1)[1]
        again = desk.post(
            "/team/aangifte/nieuw",
            data={**data, "kanaal": "0900-8844", "goed_kenmerk": ["TEL-1"]},
            follow_redirects=False,
        )
        assert again.status_code == 303
        with db.session() as session:
            rows = session.scalars(
                select(Dossier)
                .join(User, User.id == Dossier.reporter_id)
                .where(User.email == "ria@voorbeeld.nl")
            ).all()
            assert sorted(d.channel for d in rows) == ["0900-8844", "balie"]
            ria = session.scalar(select(User).where(User.email == "ria@voorbeeld.nl"))
            assert ria is not None and ria.kind == "burger" and ria.password_hash is None
            ria_name = ria.username
        assert "Registratie" in desk.get(f"/team/dossiers/{number}").text
        login_as(burger, db.engine, role="burger", unit=None, username=ria_name)
        assert number in burger.get("/mijn/dossiers").text
        assert burger.get("/team/aangifte/nieuw").status_code == 403
