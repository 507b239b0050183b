"""Issue 14, items 1-5: scenarios never lose work; weights, compare, totals and exports that
tell the truth. One database per backend for the module; each test saves its own copies."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from korps.audit.models import AuditEntry
from korps.planning import store
from korps.planning.models import SavedScenario, ScenarioVersion
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database, snapshot
from tests.support.auth import login_as

EXAMPLES = Path(__file__).parents[2] / "examples"
UITBREIDING = "uitbreiding-oost-nederland-2024"
WERKLAST = "werklast-oost-nederland-misdrijven-en-inwoners"
ROTTERDAM = "wijkagentnorm-rotterdam-1-per-5000-inwoners"


def save_examples(session: Session) -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        store.save(session, text=path.read_text(encoding="utf-8"), file=str(path))


@pytest.fixture(scope="module", params=BACKENDS)
def db(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[Db]:
    folder = tmp_path_factory.mktemp("versions")
    with loaded_database(request.param, folder, _pg_admin, then=save_examples) as database:
        yield database


@pytest.fixture
def client(db: Db, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[:40].strip("-")
    with TestClient(create_app(db.engine)) as test_client:
        login_as(test_client, db.engine, role="planner", unit="politie", username=f"p-{name}")
        yield test_client


def copy_of(client: TestClient, slug: str, name: str) -> str:
    """Save scenario ``slug`` under a new ``name``; returns the new slug."""
    answer = client.post(f"/scenarios/{slug}/opslaan", data={"naam": name}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].split("?")[0].removeprefix("/scenarios/")


def test_every_save_is_a_version_that_can_be_opened_compared_and_restored(
    client: TestClient, db: Db
) -> None:
    slug = copy_of(client, UITBREIDING, "Versies proef")
    changed = client.post(
        f"/scenarios/{slug}/opslaan", data={"w0__hbvs_2023": "2"}, follow_redirects=False
    )
    assert changed.status_code == 303
    assert changed.headers["location"] == f"/scenarios/{slug}?opgeslagen=2"
    page = client.get(changed.headers["location"]).text
    assert "Opgeslagen als versie 2" in page
    with db.session() as session:
        saved = session.scalar(select(SavedScenario).where(SavedScenario.slug == slug))
        assert saved is not None and saved.version == 2
        rows = session.scalars(
            select(ScenarioVersion)
            .where(ScenarioVersion.scenario_id == saved.id)
            .order_by(ScenarioVersion.number)
        ).all()
        assert [v.number for v in rows] == [1, 2]
        assert {v.created_by for v in rows} == {saved.updated_by}  # the logged-in planner
        assert (saved.updated_by or "").startswith("p-test-every-save-is-a-version")
        assert "hbvs_2023: 2.0" in rows[1].text and "hbvs_2023: 2.0" not in rows[0].text
    listing = client.get("/scenarios").text
    assert f'href="/scenarios/{slug}/versies"' in listing
    versions = client.get(f"/scenarios/{slug}/versies").text
    assert "/versies/1" in versions and "(nieuwste)" in versions
    first = client.get(f"/scenarios/{slug}/versies/1")
    assert first.status_code == 200 and "Deze versie terugzetten" in first.text
    both = client.get("/scenarios/vergelijk", params={"a": slug, "va": 1, "b": slug, "vb": 2})
    assert both.status_code == 200 and "(versie 1)" in both.text
    restored = client.post(f"/scenarios/{slug}/versies/1/terugzetten", follow_redirects=False)
    assert restored.headers["location"] == f"/scenarios/{slug}?opgeslagen=3&teruggezet=1"
    assert "Versie 1 is teruggezet als versie 3" in client.get(restored.headers["location"]).text
    with db.session() as session:
        saved = session.scalar(select(SavedScenario).where(SavedScenario.slug == slug))
        assert saved is not None and saved.version == 3
        texts = dict(
            session.execute(
                select(ScenarioVersion.number, ScenarioVersion.text).where(
                    ScenarioVersion.scenario_id == saved.id
                )
            ).all()
        )
        assert texts[3] == texts[1] != texts[2] and saved.text == texts[1]


def test_saving_under_another_scenarios_name_asks_first(client: TestClient, db: Db) -> None:
    mine = copy_of(client, UITBREIDING, "Eigen kopie")
    theirs = copy_of(client, UITBREIDING, "Andermans kopie")
    before = snapshot(db)
    asked = client.post(
        f"/scenarios/{mine}/opslaan", data={"naam": "Andermans kopie", "w0__hbvs_2023": "3"}
    )
    assert asked.status_code == 422
    assert "er bestaat al een scenario 'Andermans kopie'" in html.unescape(asked.text)
    assert 'id="bevestig-opslaan"' in asked.text
    assert snapshot(db) == before  # nothing written until the planner confirms
    same = client.post("/scenarios", data={"text": "name: Andermans kopie\n"})
    assert same.status_code == 422  # a bad scenario is refused before the name is looked at
    yaml_text = (EXAMPLES / "oost-nederland-uitbreiding-2024.yaml").read_text(encoding="utf-8")
    yaml_text = yaml_text.replace("name: Uitbreiding Oost-Nederland 2024", "name: Andermans kopie")
    form = client.post("/scenarios", data={"text": yaml_text})
    assert form.status_code == 422 and 'name="bevestig"' in form.text
    assert snapshot(db) == before
    confirmed = client.post(
        f"/scenarios/{mine}/opslaan",
        data={"naam": "Andermans kopie", "w0__hbvs_2023": "3", "bevestig": "1"},
        follow_redirects=False,
    )
    assert confirmed.headers["location"] == f"/scenarios/{theirs}?opgeslagen=2"
    with db.session() as session:
        numbers = session.scalars(
            select(ScenarioVersion.number)
            .join(SavedScenario, SavedScenario.id == ScenarioVersion.scenario_id)
            .where(SavedScenario.slug == theirs)
        ).all()
        assert sorted(numbers) == [1, 2]  # version 1 of the other scenario is still there


def test_delete_is_soft_audited_and_can_be_undone(client: TestClient, db: Db) -> None:
    slug = copy_of(client, UITBREIDING, "Weg ermee")
    gone = client.post(f"/scenarios/{slug}/verwijderen", follow_redirects=False)
    assert gone.headers["location"] == f"/scenarios?verwijderd={slug}"
    listing = client.get(gone.headers["location"]).text
    assert "Het scenario is verwijderd" in listing
    assert f'<a href="/scenarios/{slug}">' not in listing and "Terughalen" in listing
    assert client.get(f"/scenarios/{slug}").status_code == 404
    assert slug not in {s["slug"] for s in client.get("/api/v1/scenarios").json()}
    with db.session() as session:
        saved = session.scalar(select(SavedScenario).where(SavedScenario.slug == slug))
        assert saved is not None and saved.deleted_at is not None
        actions = session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity == "scenario", AuditEntry.entity_id == saved.id
            )
        ).all()
        assert "scenario verwijderd" in actions and "scenario opgeslagen: versie 1" in actions
    back = client.post(f"/scenarios/{slug}/terughalen", follow_redirects=False)
    assert back.status_code == 303 and client.get(f"/scenarios/{slug}").status_code == 200


def test_names_have_a_length_limit_and_long_names_wrap(client: TestClient, db: Db) -> None:
    before = snapshot(db)
    long = client.post(f"/scenarios/{UITBREIDING}/opslaan", data={"naam": "x" * 5000})
    assert long.status_code == 422 and "maximaal 200 tekens" in long.text
    text = (EXAMPLES / "oost-nederland-uitbreiding-2024.yaml").read_text(encoding="utf-8")
    text = text.replace("name: Uitbreiding Oost-Nederland 2024", "name: " + "y" * 201)
    assert client.post("/scenarios", data={"text": text}).status_code == 422
    assert snapshot(db) == before
    slug = copy_of(client, UITBREIDING, "z" * 200)
    row = re.search(rf'<tr data-slug="{slug}"><td style="([^"]*)"', client.get("/scenarios").text)
    assert row is not None and "overflow-wrap: anywhere" in row.group(1)


def test_the_weight_fields_show_the_fitted_weights_and_say_when_an_edit_replaces_them(
    client: TestClient,
) -> None:
    page = client.get(f"/scenarios/{WERKLAST}").text
    fields = dict(re.findall(r'name="(w0__[a-z0-9_]+)" value="([^"]+)"', page))
    assert fields == {"w0__misdrijven_2023": "0.0169163", "w0__inwoners": "0.000349684"}
    assert "de gefitte gewichten die de verdeling gebruikt" in page
    same = client.post(f"/scenarios/{WERKLAST}/voorbeeld", data=fields)
    assert same.status_code == 200 and 'id="fit-vervangen"' not in same.text

    def enschede(text: str) -> str:
        found = re.search(r'data-team="on-enschede".*?class="getal voorstel">([^<]+)<', text, re.S)
        assert found is not None
        return found.group(1)

    assert enschede(same.text) == enschede(page)  # the fitted weights, posted back: same result
    edited = client.post(f"/scenarios/{WERKLAST}/voorbeeld", data={**fields, "w0__inwoners": "0"})
    assert edited.status_code == 200 and 'id="fit-vervangen"' in edited.text
    assert "de fit (misdrijven_2023 0,0169163, inwoners 0,000349684) is vervangen" in edited.text
    zero = {"w0__misdrijven_2023": "0", "w0__inwoners": "0"}
    for action in ("voorbeeld", "opslaan"):
        refused = client.post(f"/scenarios/{WERKLAST}/{action}", data=zero)
        assert refused.status_code == 422
        assert "alle gewichten van niveau 1 zijn 0" in html.unescape(refused.text)
    assert client.get(f"/scenarios/{WERKLAST}/export.csv", params=zero).status_code == 422


def test_compare_shows_the_union_of_teams_with_each_own_current_figure(
    client: TestClient,
) -> None:
    answer = client.get("/scenarios/vergelijk", params={"a": UITBREIDING, "b": ROTTERDAM})
    assert answer.status_code == 200
    text = html.unescape(answer.text)
    assert "A gaat over oost-nederland, B over rotterdam" in text
    assert "'huidig' is in A uitbreiding en in B wijkagenten" in text
    rows = dict(re.findall(r'<tr data-team="([^"]+)">(.*?)</tr>', answer.text, re.S))
    assert "on-enschede" in rows
    only_b = [v for v in rows.values() if re.search(r'class="getal a">–<', v)]
    assert len(only_b) >= 6  # Rotterdam's teams are not in A, yet they are listed
    rotterdam_row = only_b[0]
    current_b = re.search(r'class="getal huidig-b">([^<]*)<', rotterdam_row)
    assert current_b is not None and current_b.group(1) not in ("", "–")  # B's own current
    enschede = rows["on-enschede"]
    assert re.search(r'class="getal b">–<', enschede)  # Enschede is not in B


def test_summary_table_and_export_tell_one_story(client: TestClient) -> None:
    """The Oost-Nederland uitbreiding: 110 (55 reserved, 55 distributed) + 27 HOvJ = 137."""
    page = client.get(f"/scenarios/{UITBREIDING}").text
    summary = re.search(r'<p id="samenvatting">(.*?)</p>', page, re.S)
    assert summary is not None
    words = html.unescape(re.sub(r"<[^>]+>", "", summary.group(1)))
    assert "Totaal 110,0 fte" in words and "Platform Web & Wijk: 55,0 gereserveerd" in words
    assert "verdeeld over de teams: 55,0 fte" in words and "HOvJ 27,0 fte" in words
    assert "samen 137,0 fte" in words

    def number(text: str) -> float:
        return float(text.strip().replace(".", "").replace(",", "."))

    tops = re.findall(r'class="niveau-0">.*?class="getal voorstel">([^<]+)<', page, re.S)
    reserves = re.findall(r'class="reservering">.*?class="getal">([^<]+)<', page, re.S)
    total = re.search(r'id="totaal">.*?class="getal voorstel">([^<]+)<', page, re.S)
    assert total is not None and number(total.group(1)) == 137
    assert round(sum(map(number, tops)), 6) == 82 and list(map(number, reserves)) == [55]
    exported = client.get(f"/scenarios/{UITBREIDING}/export.csv").content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(exported), delimiter=";"))
    totaal = next(line for line in lines if line[0] == "TOTAAL")
    assert number(totaal[3]) == 137  # Naam, hbvs_2023 (score), Huidig, Voorstel
    districts = [line for line in lines if line[0].startswith("totaal ")]
    assert round(sum(number(line[3]) for line in districts), 6) == 82


def test_csv_is_for_dutch_excel_and_exports_what_is_on_screen(client: TestClient) -> None:
    dutch = client.get(f"/scenarios/{UITBREIDING}/export.csv")
    assert dutch.content.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    lines = list(csv.reader(io.StringIO(dutch.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == ["Naam", "hbvs_2023", "Huidig", "Voorstel", "Verschil", "Nieuw totaal"]
    veluwe = next(line for line in lines if line[0] == "Veluwe West")
    assert veluwe == ["Veluwe West", "88,6", "3,4", "3,4", "0", "92"]
    english = client.get(f"/scenarios/{UITBREIDING}/export.csv", params={"scheiding": "komma"})
    assert "Veluwe West,88.6,3.4,3.4,0.0,92.0" in english.text.splitlines()
    # the indicator columns are filled; the unsaved weights on screen are what is exported
    werklast = client.get(f"/scenarios/{WERKLAST}/export.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(werklast), delimiter=";"))
    assert rows[0][:3] == ["Naam", "misdrijven_2023", "inwoners"]
    enschede = next(r for r in rows if r[0] == "Enschede")
    assert enschede[1] and enschede[2] and float(enschede[2].replace(",", ".")) > 100_000
    crime_only = client.get(
        f"/scenarios/{WERKLAST}/export.csv",
        params={"w0__misdrijven_2023": "1", "w0__inwoners": "0"},
    ).content.decode("utf-8-sig")
    again = next(
        r for r in csv.reader(io.StringIO(crime_only), delimiter=";") if r[0] == "Enschede"
    )
    assert again[4] != enschede[4]  # Voorstel follows the weights in the query
    page = client.get(f"/scenarios/{WERKLAST}").text
    assert "de export bevat de gewichten die hier nu staan" in page


def test_a_scenario_can_be_created_with_a_form(client: TestClient, db: Db) -> None:
    page = client.get("/scenarios/nieuw")
    assert page.status_code == 200 and '<option value="oost-nederland"' in page.text
    fields = {
        "naam": "Formulier Oost",
        "eenheid": "oost-nederland",
        "niveau": "basisteam",
        "totaal": "30",
        "stap": "0,1",
        "kolom0": "inwoners",
        "gewicht0": "1",
        "kolom1": "misdrijven_2023",
        "gewicht1": "0,5",
        "minimum": "0,5",
        "vast": "1",
        "vast_label": "HOvJ",
        "huidig": "hbvs_2023",
    }
    before = snapshot(db)
    bad = client.post("/scenarios/nieuw", data={**fields, "gewicht0": "0", "gewicht1": "0"})
    assert bad.status_code == 422 and "alle gewichten zijn 0" in html.unescape(bad.text)
    assert 'value="Formulier Oost"' in bad.text  # what was typed stays
    assert snapshot(db) == before
    made = client.post("/scenarios/nieuw", data=fields, follow_redirects=False)
    assert made.status_code == 303
    assert made.headers["location"] == "/scenarios/formulier-oost?opgeslagen=1"
    with db.session() as session:
        saved = session.scalar(select(SavedScenario).where(SavedScenario.slug == "formulier-oost"))
        assert saved is not None
        scenario = store.scenario_of(saved)  # the same YAML format as a typed scenario
    assert scenario.unit == "oost-nederland" and scenario.total == 30
    assert scenario.levels[0].weights == {"inwoners": 1.0, "misdrijven_2023": 0.5}
    assert scenario.levels[0].minimum == {"*": 0.5} and scenario.levels[0].fixed is not None
    assert scenario.indicators == ["inwoners", "misdrijven_2023"]
    result = client.get("/scenarios/formulier-oost").text
    summary = re.search(r"<p id=\"samenvatting\">(.*?)</p>", result, re.S)
    assert summary is not None
    words = re.sub(r"<[^>]+>", "", summary.group(1))
    assert "samen 57,0 fte" in words  # 30 distributed + 1 HOvJ for each of 27 basisteams
    again = client.post("/scenarios/nieuw", data=fields)
    assert again.status_code == 422 and 'name="bevestig"' in again.text
