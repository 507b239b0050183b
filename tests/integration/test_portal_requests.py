"""Issue 16.9 and 16.1: requests besides reports (house watch, contact with the wijkagent,
follow-up contact after an intervention) as dossiers with the same life cycle, each in the
queue of the team the registry says handles it (a Belgian zone's Operationeel Team,
Wijkwerking or Sociale Politie; in the Netherlands the basisteam of the address); bad input
stores nothing; the receipt as a PDF file for those who may read the dossier, audited.
SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from korps.audit.models import AuditEntry
from korps.organisation.models import Coverage, Gemeente, Unit
from korps.portal.models import Dossier, RequestDetail
from korps.portal.schemas import local_today
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database
from tests.integration.test_portal_flow import citizen
from tests.support.auth import login_as

TEAM = "rotterdam-c1-maas-rotte"  # the basisteam covering Rotterdam (largest share)
ZONE_GEMEENTE = "Baarle-Nassau"  # covered, in this test, by a basisteam of the Belgian zone
TODAY = local_today(datetime.now(UTC))  # the portal's day (Europe/Amsterdam), not the machine's
IN_TWO_DAYS = (TODAY + timedelta(days=2)).isoformat()


def _zone_covers(session: Any) -> None:
    """A wijkpost of the example zone covers one municipality (the registry has no Belgian
    municipalities; the zone's services are what matter here)."""
    zone = session.scalar(select(Unit).where(Unit.slug == "pz-voorbeeld"))
    code = session.scalar(select(Gemeente.code).where(Gemeente.name == ZONE_GEMEENTE))
    assert zone is not None and code is not None
    post = Unit(slug="pz-voorbeeld-wijkpost", name="Wijkpost (test)", kind="basisteam",
                parent_id=zone.id, dataset=zone.dataset, depth=zone.depth + 1)  # fmt: skip
    session.add(post)
    session.flush()
    post.path = f"{zone.path}{post.id}/"
    session.execute(delete(Coverage).where(Coverage.gemeente_code == code))
    session.add(Coverage(unit_id=post.id, gemeente_code=code, share=1.0, dataset=zone.dataset))
    session.commit()


@pytest.fixture(scope="module", params=BACKENDS)
def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _pg_admin: Any
) -> Iterator[Db]:
    with loaded_database(
        request.param, tmp_path_factory.mktemp("verzoek"), _pg_admin, then=_zone_covers
    ) as db:
        yield db


HUISWACHT = {
    "gemeente": "Rotterdam",
    "adres": "Coolsingel 40",
    "van": (TODAY + timedelta(days=7)).isoformat(),
    "tot": (TODAY + timedelta(days=21)).isoformat(),
    "telefoon": "06 1234 5678",
    "omschrijving": "Buurvrouw op nummer 42 heeft een sleutel.",
}
WIJKAGENT = {
    "gemeente": "Rotterdam",
    "adres": "Coolsingel 40",
    "contact": "telefoon",
    "telefoon": "010-1234567",
    "omschrijving": "Overlast van scooters in ons portiek, elke avond.",
}
HERCONTACT = {
    "gemeente": "Rotterdam",
    "datum": (TODAY - timedelta(days=3)).isoformat(),
    "kenmerk": "2026-00001234",
    "contact": "e-mail",
    "omschrijving": "Na de inzet bij ons thuis wil ik graag weten waar ik hulp kan krijgen.",
}


def file_request(client: TestClient, kind: str, data: dict[str, str]) -> str:
    response = client.post(f"/verzoek/{kind}", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    found = re.search(r"/mijn/dossiers/([0-9-]+)/ontvangstbewijs", response.headers["location"])
    assert found is not None
    return found.group(1)


def _dossier(db: Db, number: str) -> tuple[Dossier, str, RequestDetail | None]:
    with db.session() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.number == number))
        assert dossier is not None
        slug = session.scalar(select(Unit.slug).where(Unit.id == dossier.team_id))
        detail = session.scalar(select(RequestDetail).where(RequestDetail.dossier_id == dossier.id))
        session.expunge_all()
        return dossier, slug or "", detail


@pytest.mark.parametrize(
    ("kind", "data", "gemeente", "team"),
    [
        ("afwezigheidstoezicht", HUISWACHT, "Rotterdam", TEAM),
        ("contact-wijkagent", WIJKAGENT, "Rotterdam", TEAM),
        ("hercontact", HERCONTACT, "Rotterdam", TEAM),
        ("afwezigheidstoezicht", HUISWACHT, ZONE_GEMEENTE, "pz-voorbeeld-operationeel-team"),
        ("contact-wijkagent", WIJKAGENT, ZONE_GEMEENTE, "pz-voorbeeld-wijkwerking"),
        ("hercontact", HERCONTACT, ZONE_GEMEENTE, "pz-voorbeeld-sociale-politie"),
    ],
)
def test_each_request_kind_lands_in_its_team_queue_and_runs_its_life_cycle(
    db: Db, kind: str, data: dict[str, str], gemeente: str, team: str
) -> None:
    app = create_app(db.engine)
    with TestClient(app) as owner, TestClient(app) as staff, TestClient(app) as other:
        citizen(owner, db, f"verzoeker-{kind}")
        number = file_request(owner, kind, {**data, "gemeente": gemeente})
        dossier, slug, detail = _dossier(db, number)
        assert (dossier.kind, dossier.category, dossier.status) == ("verzoek", kind, "ontvangen")
        assert slug == team and dossier.route_rule.startswith("verzoek-")
        assert detail is not None
        if kind == "afwezigheidstoezicht":
            assert (detail.away_from, detail.phone) == (TODAY + timedelta(days=7), "06 1234 5678")
            assert dossier.occurred_on == detail.away_from
        if kind == "hercontact":
            assert detail.reference == "2026-00001234" and detail.contact_by == "e-mail"
        # the handling team has it in its queue; a team elsewhere has not
        login_as(staff, db.engine, role="medewerker", unit=team, username=f"mw-{team}"[:80])
        assert number in staff.get("/team/werkvoorraad").text
        login_as(other, db.engine, role="medewerker", unit="rotterdam-d2-feijenoord",
                 username="mw-elders")  # fmt: skip
        assert number not in other.get("/team/werkvoorraad").text
        page = staff.get(f"/team/dossiers/{number}")
        assert page.status_code == 200 and 'id="verzoek-gegevens"' in page.text
        # the same life cycle as a report: in behandeling, then closed with a decision
        for status, text in (("in-behandeling", ""), ("afgehandeld", "Toezicht ingepland.")):
            moved = staff.post(f"/team/dossiers/{number}/status",
                               data={"status": status, "toelichting": text},
                               follow_redirects=False)  # fmt: skip
            assert moved.status_code == 303, moved.text
        mine = owner.get(f"/mijn/dossiers/{number}")
        assert "Toezicht ingepland." in mine.text and "Afgehandeld" in mine.text
    with db.session() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity == "dossier", AuditEntry.entity_id == dossier.id
            )
        ).all()
    assert "verzoek ingediend" in actions and actions.count("status gewijzigd") == 2


@pytest.mark.parametrize(
    ("kind", "changes", "field", "message"),
    [
        ("afwezigheidstoezicht", {"van": (TODAY - timedelta(days=1)).isoformat()}, "van",
         "in het verleden"),
        ("afwezigheidstoezicht", {"tot": TODAY.isoformat(), "van": IN_TWO_DAYS}, "tot",
         "vóór de eerste dag"),
        ("afwezigheidstoezicht", {"tot": (TODAY + timedelta(days=200)).isoformat()}, "tot",
         "hoogstens 90 dagen"),
        ("afwezigheidstoezicht", {"adres": ""}, "adres", "vul uw adres in"),
        ("afwezigheidstoezicht", {"telefoon": "bel me"}, "telefoon", "geen geldig telefoonnummer"),
        ("afwezigheidstoezicht", {"gemeente": "Atlantis"}, "gemeente", "onbekende gemeente"),
        ("contact-wijkagent", {"telefoon": ""}, "telefoon", "telefonisch contact"),
        ("contact-wijkagent", {"omschrijving": "hoi"}, "omschrijving", "minstens 10 tekens"),
        ("hercontact", {"contact": "duif"}, "contact", "kies hoe wij contact"),
        ("hercontact", {"datum": (TODAY + timedelta(days=1)).isoformat()}, "datum", "toekomst"),
    ],
)  # fmt: skip
def test_bad_request_is_refused_on_its_field_and_stores_nothing(
    db: Db, kind: str, changes: dict[str, str], field: str, message: str
) -> None:
    data = {"afwezigheidstoezicht": HUISWACHT, "contact-wijkagent": WIJKAGENT,
            "hercontact": HERCONTACT}[kind]  # fmt: skip
    with db.session() as session:
        before = session.scalar(select(func.count(Dossier.id)))
    with TestClient(create_app(db.engine)) as client:
        citizen(client, db, "verzoeker-fout")
        response = client.post(f"/verzoek/{kind}", data={**data, **changes})
    assert response.status_code == 422
    assert message in response.text
    if field != "gemeente":  # the place is checked by the service, after the form
        assert f'id="fout-{field}"' in response.text
    with db.session() as session:
        assert session.scalar(select(func.count(Dossier.id))) == before


def test_request_kinds_are_not_offered_as_a_report(db: Db) -> None:
    with TestClient(create_app(db.engine)) as client:
        citizen(client, db, "verzoeker-aangifte")
        response = client.post("/aangifte/nieuw", data={
            "categorie": "afwezigheidstoezicht", "datum": TODAY.isoformat(),
            "gemeente": "Rotterdam", "omschrijving": "Ik ben drie weken weg op vakantie.",
        })  # fmt: skip
        assert response.status_code == 422 and "onbekende soort aangifte" in response.text
        assert 'value="afwezigheidstoezicht"' not in client.get("/aangifte/nieuw").text
        assert client.get("/verzoek/onbekend").status_code == 404
        public = TestClient(create_app(db.engine)).get("/verzoek")
        assert public.status_code == 200 and "/verzoek/hercontact" in public.text


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_receipt_pdf_for_owner_and_team_audited(db: Db) -> None:
    app = create_app(db.engine)
    with TestClient(app) as owner, TestClient(app) as staff:
        citizen(owner, db, "verzoeker-pdf")
        number = file_request(owner, "afwezigheidstoezicht", HUISWACHT)
        response = owner.get(f"/mijn/dossiers/{number}/ontvangstbewijs.pdf")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        disposition = response.headers["content-disposition"]
        assert disposition == f'attachment; filename="ontvangstbewijs-{number}.pdf"'
        text = _pdf_text(response.content)
        assert number in text and "Ontvangstbewijs" in text
        assert "Afwezigheidstoezicht" in text and "Coolsingel 40" in text
        login_as(staff, db.engine, role="medewerker", unit=TEAM, username="mw-pdf")
        team_copy = staff.get(f"/team/dossiers/{number}/ontvangstbewijs.pdf")
        assert team_copy.status_code == 200 and number in _pdf_text(team_copy.content)
    dossier, _, _ = _dossier(db, number)
    with db.session() as session:
        readers = session.scalars(
            select(AuditEntry.actor).where(
                AuditEntry.entity_id == dossier.id,
                AuditEntry.action == "ingezien: ontvangstbewijs (pdf)",
            )
        ).all()
    assert sorted(readers) == ["mw-pdf", "verzoeker-pdf"]


def test_receipt_renderer_opens_no_path_from_the_dossier(db: Db) -> None:
    """A description that tries to pull in a file or URL stays text in the PDF."""
    app = create_app(db.engine)
    with TestClient(app) as owner:
        citizen(owner, db, "verzoeker-pad")
        trap = '<img src="file:///etc/passwd"> <link rel=stylesheet href="http://127.0.0.1:9/x">'
        number = file_request(owner, "contact-wijkagent", {**WIJKAGENT, "omschrijving": trap})
        response = owner.get(f"/mijn/dossiers/{number}/ontvangstbewijs.pdf")
    assert response.status_code == 200
    text = _pdf_text(response.content)
    assert "file:///etc/passwd" in text and "root:" not in text


def test_purge_removes_a_closed_requests_phone_number_with_its_location(db: Db) -> None:
    from korps.portal.purge import purge

    app = create_app(db.engine)
    with TestClient(app) as owner, TestClient(app) as staff:
        citizen(owner, db, "verzoeker-privacy")
        closed = file_request(owner, "hercontact", {**HERCONTACT, "telefoon": "010 765 4321"})
        still_open = file_request(owner, "hercontact", {**HERCONTACT, "telefoon": "010 765 4322"})
        login_as(staff, db.engine, role="medewerker", unit=TEAM, username="mw-privacy")
        done = staff.post(f"/team/dossiers/{closed}/status",
                          data={"status": "afgehandeld", "toelichting": "Gebeld."},
                          follow_redirects=False)  # fmt: skip
        assert done.status_code == 303
    with db.session() as session:
        purge(session, now=datetime.now(UTC) + timedelta(days=400))
        session.commit()
    gone, kept = _dossier(db, closed)[2], _dossier(db, still_open)[2]
    assert gone is not None and gone.phone is None
    assert kept is not None and kept.phone == "010 765 4322"


def test_staff_plan_a_hercontact_task_for_the_reporter(db: Db) -> None:
    app = create_app(db.engine)
    with TestClient(app) as owner, TestClient(app) as staff:
        citizen(owner, db, "verzoeker-na-inzet")
        first = file_request(owner, "contact-wijkagent", WIJKAGENT)
        login_as(staff, db.engine, role="medewerker", unit=TEAM, username="mw-hercontact")
        with db.session() as session:
            before = session.scalar(select(func.count(Dossier.id)))
        short = staff.post(f"/team/dossiers/{first}/hercontact",
                           data={"omschrijving": "bel", "contact": "telefoon"})  # fmt: skip
        assert short.status_code == 422 and "minstens 10 tekens" in short.text
        with db.session() as session:
            assert session.scalar(select(func.count(Dossier.id))) == before
        planned = staff.post(
            f"/team/dossiers/{first}/hercontact",
            data={"omschrijving": "Nabellen na de inzet van gisteren.", "contact": "telefoon"},
            follow_redirects=False,
        )
        assert planned.status_code == 303
        task_number = planned.headers["location"].split("/")[3].split("?")[0]
        assert task_number != first
        assert task_number in staff.get("/team/werkvoorraad").text
        # the citizen sees the task among their own dossiers
        assert task_number in owner.get("/mijn/dossiers").text
    task, slug, detail = _dossier(db, task_number)
    original, _, _ = _dossier(db, first)
    assert (task.category, task.channel, task.reporter_id) == (
        "hercontact", "team", original.reporter_id
    )  # fmt: skip
    assert slug == TEAM and detail is not None and detail.reference == first
    with db.session() as session:
        actions = session.scalars(
            select(AuditEntry.entity_id).where(AuditEntry.action == "hercontact gepland")
        ).all()
    assert sorted(actions) == sorted([original.id, task.id])


def test_staff_register_a_request_on_behalf_of_a_citizen(db: Db) -> None:
    with TestClient(create_app(db.engine)) as staff:
        login_as(staff, db.engine, role="medewerker", unit=TEAM, username="mw-balie")
        page = staff.get("/team/verzoek/afwezigheidstoezicht")
        assert page.status_code == 200 and 'name="melder_email"' in page.text
        with db.session() as session:
            before = session.scalar(select(func.count(Dossier.id)))
        wrong = staff.post("/team/verzoek/afwezigheidstoezicht",
                           data={**HUISWACHT, "kanaal": "online", "melder_naam": "Ali Aksoy",
                                 "melder_email": "ali@voorbeeld.nl"})  # fmt: skip
        assert wrong.status_code == 422 and "kies balie, 0900-8844 of 101" in wrong.text
        with db.session() as session:
            assert session.scalar(select(func.count(Dossier.id))) == before
        sent = staff.post("/team/verzoek/afwezigheidstoezicht",
                          data={**HUISWACHT, "kanaal": "0900-8844", "melder_naam": "Ali Aksoy",
                                "melder_email": "ali@voorbeeld.nl"},
                          follow_redirects=False)  # fmt: skip
        assert sent.status_code == 303
        number = sent.headers["location"].removeprefix("/team/dossiers/")
    dossier, slug, detail = _dossier(db, number)
    assert (dossier.category, dossier.channel, slug) == ("afwezigheidstoezicht", "0900-8844", TEAM)
    assert detail is not None and detail.away_from == TODAY + timedelta(days=7)
    with db.session() as session:
        from korps.identity.models import User

        reporter = session.get(User, dossier.reporter_id)
        assert reporter is not None and (reporter.email, reporter.kind) == (
            "ali@voorbeeld.nl", "burger"
        )  # fmt: skip
