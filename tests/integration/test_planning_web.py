"""Saved scenarios over the JSON API and the HTML forms; refused input stores nothing."""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from korps.cli import app as cli
from korps.organisation.loader import bundled_names, load
from korps.web.app import create_app
from tests.conftest import Db, snapshot
from tests.support.auth import login_as

EXAMPLES = Path(__file__).parents[2] / "examples"
INLINE = {
    "name": "API",
    "total": 10,
    "teams": [{"key": "a", "values": {"w": 1}}, {"key": "b", "values": {"w": 3}}],
    "levels": [{"weights": {"w": 1}}],
}


@pytest.fixture
def planning_db(empty_db: Db, use_database: Callable[[Db], None]) -> Db:
    with empty_db.session() as session:
        for name in bundled_names():
            load(session, name_or_path=name)
    use_database(empty_db)
    result = CliRunner().invoke(cli, ["scenario", "save", *map(str, EXAMPLES.glob("*.yaml"))])
    assert result.exit_code == 0, result.output
    return empty_db


@pytest.fixture
def client(planning_db: Db) -> Iterator[TestClient]:
    with TestClient(create_app(planning_db.engine)) as test_client:
        login_as(test_client, planning_db.engine, role="planner", unit="politie")
        yield test_client


def test_api_lists_and_runs_saved_scenarios(client: TestClient) -> None:
    slugs = {s["slug"] for s in client.get("/api/v1/scenarios").json()}
    assert "uitbreiding-oost-nederland-2024" in slugs and len(slugs) == 3
    result = client.get("/api/v1/scenarios/wijkagentnorm-rotterdam-1-per-5000-inwoners/allocation")
    rows = {r["name"]: r for r in result.json()["rows"]}
    assert rows["Rijnmond Zuid-West"]["norm_met_current"] is False
    assert client.get("/api/v1/scenarios/nergens/allocation").status_code == 404


def test_api_allocates_a_posted_scenario(client: TestClient) -> None:
    result = client.post("/api/v1/allocate", json=INLINE).json()
    assert [r["proposed"] for r in result["rows"]] == [2.5, 7.5]
    bad = client.post("/api/v1/allocate", json={**INLINE, "total": -1})
    assert bad.status_code == 422
    infeasible = client.post(
        "/api/v1/allocate", json={**INLINE, "levels": [{"weights": {"w": 1}, "minimum": {"*": 6}}]}
    )
    assert infeasible.status_code == 422 and "som van de minima" in infeasible.json()["detail"]
    unknown = client.post(
        "/api/v1/allocate",
        json={
            **INLINE,
            "teams": [],
            "unit": "nergens",
            "levels": [{"kind": "district", "weights": {"w": 1}}],
        },
    )
    assert unknown.status_code == 404


def test_form_refuses_a_bad_scenario_and_stores_nothing(
    client: TestClient, planning_db: Db
) -> None:
    before = snapshot(planning_db)
    text = (EXAMPLES / "oost-nederland-uitbreiding-2024.yaml").read_text(encoding="utf-8")
    bad = text.replace("to: on-veluwe-west", "to: on-veluwe-oost")
    response = client.post("/scenarios", data={"text": bad})
    assert response.status_code == 422
    assert "overheveling naar onbekend team 'on-veluwe-oost'" in html.unescape(response.text)
    assert snapshot(planning_db) == before
    good = client.post(
        "/scenarios",
        data={"text": text.replace("name: Uitbreiding", "name: Kopie")},
        follow_redirects=False,
    )
    assert (
        good.status_code == 303
        and good.headers["location"] == "/scenarios/kopie-oost-nederland-2024?opgeslagen=1"
    )


def test_preview_export_and_compare(client: TestClient) -> None:
    slug = "uitbreiding-oost-nederland-2024"
    page = client.get(f"/scenarios/{slug}")
    assert page.status_code == 200 and "Veluwe West" in page.text and "<svg" in page.text
    preview = client.post(f"/scenarios/{slug}/voorbeeld", data={"w0__hbvs_2023": "abc"})
    assert preview.status_code == 422 and "is geen getal" in preview.text
    xlsx = client.get(f"/scenarios/{slug}/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet["A1"].value == "Uitbreiding Oost-Nederland 2024"
    csv_text = client.get(f"/scenarios/{slug}/export.csv", params={"scheiding": "komma"}).text
    assert "Veluwe West,88.6,3.4,3.4,0.0,92.0" in csv_text.splitlines()
    other = "werklast-oost-nederland-misdrijven-en-inwoners"
    compare = client.get("/scenarios/vergelijk", params={"a": slug, "b": other})
    assert compare.status_code == 200 and "Enschede" in compare.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("wabc__hbvs_2023", "1", "onbekend gewichtveld"),
        ("w0__hbvs_2023", "nan", "eindig getal"),
        ("w0__hbvs_2023", "inf", "eindig getal"),
        ("w0__hbvs_2023", "-1", "eindig getal"),
        ("w0__X Y", "1", "onbekend gewichtveld"),
        ("w7__hbvs_2023", "1", "niveau 7 bestaat niet"),
    ],
)
def test_malformed_weight_fields_are_refused_and_nothing_is_saved(
    client: TestClient, planning_db: Db, field: str, value: str, message: str
) -> None:
    """Issue 9, item 3: these gave a 500 (or were silently ignored)."""
    slug = "uitbreiding-oost-nederland-2024"
    before = snapshot(planning_db)
    for action in ("voorbeeld", "opslaan"):
        answer = client.post(f"/scenarios/{slug}/{action}", data={field: value, "naam": "x"})
        assert answer.status_code == 422 and message in html.unescape(answer.text)
    export = client.get(f"/scenarios/{slug}/export.csv", params={field: value})
    assert export.status_code == 422 and message in export.text
    assert snapshot(planning_db) == before


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("step: .inf", "step"),
        ("step: 1e-300", "step"),
        ("levels: [{weights: {w: 1}, norm: {population: w, ratio: .inf}}]", "ratio"),
    ],
)
def test_absurd_scenario_numbers_are_refused(
    client: TestClient, planning_db: Db, line: str, message: str
) -> None:
    text = "name: Absurd\ntotal: 10\nteams: [{key: a, values: {w: 1}}]\n"
    text += (
        line + "\n" if line.startswith("levels") else f"levels: [{{weights: {{w: 1}}}}]\n{line}\n"
    )
    before = snapshot(planning_db)
    answer = client.post("/scenarios", data={"text": text})
    assert answer.status_code == 422 and message in answer.text
    assert snapshot(planning_db) == before


def test_cli_refuses_a_bad_scenario_file(planning_db: Db, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ntotal: 1\nlevels: []\nteams: [{key: a}]\n", encoding="utf-8")
    before = snapshot(planning_db)
    result = CliRunner().invoke(cli, ["scenario", "save", str(bad)])
    assert result.exit_code == 1 and "bad.yaml:3: levels" in result.stderr
    assert snapshot(planning_db) == before


def test_a_planner_sees_and_changes_only_the_scenarios_of_their_units(
    planning_db: Db,
) -> None:
    """Issue 10: services filter by what the user may read (a planner of Rotterdam)."""
    with TestClient(create_app(planning_db.engine)) as client:
        login_as(client, planning_db.engine, role="planner", unit="rotterdam")
        listed = {s["slug"] for s in client.get("/api/v1/scenarios").json()}
        assert listed == {"wijkagentnorm-rotterdam-1-per-5000-inwoners"}
        assert "Uitbreiding Oost-Nederland" not in client.get("/scenarios").text
        other = "uitbreiding-oost-nederland-2024"
        assert client.get(f"/api/v1/scenarios/{other}/allocation").status_code == 404
        assert client.get(f"/scenarios/{other}").status_code == 404
        foreign = client.post(
            "/api/v1/allocate",
            json={
                **INLINE,
                "teams": [],
                "unit": "oost-nederland",
                "levels": [{"kind": "basisteam", "weights": {"inwoners": 1}}],
            },
        )
        assert foreign.status_code == 403 and "geen planner" in foreign.json()["detail"]
        assert client.post("/api/v1/allocate", json=INLINE).status_code == 200  # inline teams
        before = snapshot(planning_db)
        text = "name: Uitbreiding Oost-Nederland 2024\nunit: oost-nederland\ntotal: 1\n"
        text += "levels: [{kind: basisteam, weights: {inwoners: 1}}]\nindicators: [inwoners]\n"
        refused = client.post("/scenarios", data={"text": text})
        assert refused.status_code == 403
        assert snapshot(planning_db) == before
