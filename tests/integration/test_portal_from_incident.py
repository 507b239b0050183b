"""Issue 16.2: a control-room incident opens the dossier of the aangifte that follows it:
the form filled in from the incident, the same dossier as the other channels with channel
``meldkamer`` and the incident kept beside it, one dossier per incident (a second submit and
a lost race both give the first), only a centralist of the eenheid or staff of the team,
bad input refused on its field with nothing stored. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from korps.audit.models import AuditEntry
from korps.controlroom.models import Incident
from korps.identity.models import User
from korps.identity.service import principal_of
from korps.organisation.models import Unit
from korps.portal import from_incident
from korps.portal.intake_pages import register
from korps.portal.models import Dossier, DossierIncident, Entry
from korps.portal.schemas import local_today
from korps.portal.service import utc_now
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database
from tests.support.auth import login_as, make_user

FORM = {
    "melder_naam": "Jan Jansen",
    "melder_email": "jan.jansen@voorbeeld.nl",
    "categorie": "diefstal",
    "datum": local_today(utc_now()).isoformat(),  # the incidents below are received now
    "gemeente": "Rotterdam",
    "omschrijving": "Ingebroken via de achterdeur, laptop en sieraden weg.",
    "goed_omschrijving": ["Laptop"],
    "goed_waarde": ["900"],
    "goed_kenmerk": [""],
}


def incident(client: TestClient, category: str = "woninginbraak-heterdaad") -> int:
    made = client.post(
        "/api/v1/controlroom/incidents",
        json={
            "eenheid": "rotterdam",
            "channel": "112",
            "category": category,
            "gemeente": "Rotterdam",
            "address": "Coolsingel 40",
            "caller_name": "Jan Jansen",
        },
    )
    assert made.status_code == 201, made.text
    number: int = made.json()["id"]
    return number


@pytest.fixture(scope="module", params=BACKENDS)
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _pg_admin: Any
) -> Iterator[tuple[Db, str]]:
    with loaded_database(request.param, tmp_path_factory.mktemp("incident"), _pg_admin) as db:
        with TestClient(create_app(db.engine)) as client:
            login_as(client, db.engine, role="centralist", unit="rotterdam", username="c-rdam")
            first = incident(client)
        with db.session() as session:
            team = session.scalar(
                select(Unit.slug)
                .join(Incident, Incident.basisteam_id == Unit.id)
                .where(Incident.id == first)
            )
        assert team is not None
        yield db, team


def _client(db: Db, role: str, unit: str | None, username: str) -> TestClient:
    client = TestClient(create_app(db.engine), follow_redirects=False)
    login_as(client, db.engine, role=role, unit=unit, username=username)
    return client


def _linked(db: Db, incident_id: int) -> list[tuple[str, str, str, str]]:
    with db.session() as session:
        rows = session.execute(
            select(Dossier.number, Dossier.channel, Dossier.category, Dossier.gemeente_code)
            .join(DossierIncident, DossierIncident.dossier_id == Dossier.id)
            .where(DossierIncident.incident_id == incident_id)
        ).all()
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _counts(db: Db) -> tuple[int, int, int, int]:
    with db.session() as session:
        return (
            session.scalar(select(func.count(Dossier.id))) or 0,
            session.scalar(select(func.count(DossierIncident.dossier_id))) or 0,
            session.scalar(select(func.count(Entry.id))) or 0,
            session.scalar(select(func.count(User.id))) or 0,
        )


def test_a_centralist_opens_one_dossier_from_an_incident(setup: tuple[Db, str]) -> None:
    db, _team = setup
    with _client(db, "centralist", "rotterdam", "c-open") as client:
        number = incident(client)
        url = f"/team/meldingen/{number}/aangifte"
        form = client.get(url)
        assert form.status_code == 200
        assert 'value="diefstal" selected' in form.text  # woninginbraak -> diefstal (data)
        assert "Coolsingel 40" in form.text and "Jan Jansen" in form.text
        assert f"melding {number}" in form.text
        sent = client.post(url, data=FORM)
        assert sent.status_code == 303, sent.text
        assert sent.headers["location"] == url  # a centralist does not read the dossier
        linked = _linked(db, number)
        assert len(linked) == 1
        dossier_number, channel, category, gemeente = linked[0]
        assert (channel, category, gemeente) == ("meldkamer", "diefstal", "GM0599")
        before = _counts(db)
        again = client.post(url, data={**FORM, "melder_email": "iemand.anders@voorbeeld.nl"})
        assert again.status_code == 200
        assert dossier_number in again.text and "één dossier" in again.text
        assert _counts(db) == before
        assert _linked(db, number) == linked
        shown = client.get(url)
        assert dossier_number in shown.text and 'id="aangifte"' not in shown.text
        # the incident's category and channel by their names, in the reader's language
        assert "(Woninginbraak heterdaad, via 112 (spoed)) is dossier" in shown.text
        english = client.get(url + "?lang=en")
        assert "(Burglary in progress, via 112 (emergency))" in english.text


def test_staff_of_the_team_open_and_read_it(setup: tuple[Db, str]) -> None:
    db, team = setup
    with _client(db, "centralist", "rotterdam", "c-staff") as centralist:
        number = incident(centralist, "fietsdiefstal-aangifte")
    with _client(db, "medewerker", team, f"m-{team}"[:40]) as client:
        url = f"/team/meldingen/{number}/aangifte"
        assert 'value="fietsdiefstal" selected' in client.get(url).text
        sent = client.post(url, data={**FORM, "categorie": "fietsdiefstal"})
        assert sent.status_code == 303
        (dossier_number, channel, *_rest) = _linked(db, number)[0]
        assert channel == "meldkamer"
        if sent.headers["location"].startswith("/team/dossiers/"):
            page = client.get(sent.headers["location"])
            assert page.status_code == 200 and "meldkamer" in page.text
    with db.session() as session:
        entries = session.scalars(
            select(Entry.text)
            .join(Dossier, Dossier.id == Entry.dossier_id)
            .where(Dossier.number == dossier_number, Entry.kind == "registratie")
        ).all()
        assert entries == [f"geopend vanuit melding {number} (via 112)"]
        audited = session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == "geregistreerd namens melder via meldkamer"
            )
        )
        assert audited and audited >= 1


@pytest.mark.parametrize(
    ("role", "unit"),
    [
        ("centralist", "oost-nederland"),  # another eenheid
        ("medewerker", "rotterdam-d2-feijenoord"),  # another basisteam (unless it is the team)
        ("burger", None),
        ("planner", "rotterdam"),
    ],
)
def test_others_may_not(setup: tuple[Db, str], role: str, unit: str | None) -> None:
    db, team = setup
    if unit == team:
        pytest.skip("the incident's basisteam is this one")
    with _client(db, "centralist", "rotterdam", "c-refuse") as centralist:
        number = incident(centralist)
    before = _counts(db)
    with _client(db, role, unit, f"x-{role}-{unit}"[:40]) as client:
        url = f"/team/meldingen/{number}/aangifte"
        assert client.get(url).status_code == 403
        assert client.post(url, data=FORM).status_code == 403
    after = _counts(db)
    assert after[:3] == before[:3]
    assert _linked(db, number) == []


def test_bad_input_is_refused_and_nothing_is_stored(setup: tuple[Db, str]) -> None:
    db, _team = setup
    with _client(db, "centralist", "rotterdam", "c-bad") as client:
        number = incident(client)
        before = _counts(db)
        url = f"/team/meldingen/{number}/aangifte"
        refused = client.post(url, data={**FORM, "melder_email": "", "omschrijving": "kort"})
        assert refused.status_code == 422
        assert "beschrijf wat er gebeurde" in refused.text
        assert _counts(db) == before
        missing = client.post(url, data={**FORM, "melder_email": ""})
        assert missing.status_code == 422
        assert "vul het e-mailadres van de melder in" in missing.text
        assert _counts(db) == before
        assert client.get("/team/meldingen/99999999/aangifte").status_code == 404
        assert client.get("/team/meldingen/abc/aangifte").status_code == 404


def _principal(session: Session, username: str) -> Any:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    return principal_of(session, user=user)


def test_the_second_of_two_racing_openings_gets_the_first(setup: tuple[Db, str]) -> None:
    """Two screens pass the "no dossier yet" check at the same moment: the incident's unique
    key lets one through; the other's dossier, entries and audit are rolled back and it is
    given the first."""
    db, _team = setup
    make_user(db.engine, username="c-race", grants=[("centralist", "rotterdam")])
    with _client(db, "centralist", "rotterdam", "c-race") as client:
        number = incident(client)
    values = {k: v for k, v in FORM.items() if isinstance(v, str)}
    with db.session() as first, db.session() as second:
        me_first, me_second = _principal(first, "c-race"), _principal(second, "c-race")
        facts = from_incident.incident_facts(first, incident_id=number)
        assert from_incident.prefill(facts)["datum"] == values["datum"]
        now = utc_now()
        won = register(first, me=me_first, values=values, goods=[], channel="meldkamer", now=now)
        won = from_incident.link(first, dossier=won, facts=facts, principal=me_first, now=now)
        before = _counts(db)
        lost = register(second, me=me_second, values=values, goods=[], channel="meldkamer", now=now)
        given = from_incident.link(second, dossier=lost, facts=facts, principal=me_second, now=now)
        assert given.id == won.id
        assert _counts(db) == before
    assert len(_linked(db, number)) == 1
