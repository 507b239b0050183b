"""Gap and wijkagent target on the bundled data plus examples/rotterdam-bezetting-wijkagenten.csv,
through the service, the JSON API and the CLI. Expected numbers are computed by hand from the
published wijkagenten formation (rotterdam.yaml) and the example occupancy:

    district  formation (basisteams)          occupancy (example CSV)            %
    A         24.5 + 18.0 + 23.9 = 66.4       23.8 + 16.6 + 23.9 = 64.3          96.84
    D         18.0 + 25.6 + 16.0 = 59.6       17.5 + 23.4 + 15.8 = 56.7          95.13
    E         26.0 + 17.0 + 29.0 = 72.0       25.2 + 16.9 + 28.1 = 70.2          97.50
    F         17.0 + 32.0 + 28.0 + 17.5 = 94.5  16.2 + 31.4 + 26.6 + 17.5 = 91.7  97.04
    eenheid   407.5 (18 basisteams)            393.6                              96.59
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from korps.cli import app
from korps.formation.loader import import_occupancy
from korps.formation.service import WIJKAGENT_TARGET, formation_gap, wijkagent_target
from korps.organisation.service import NotFoundError
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database, snapshot
from tests.support.auth import login_as

EXAMPLE = Path(__file__).parents[2] / "examples" / "rotterdam-bezetting-wijkagenten.csv"
runner = CliRunner()


@pytest.fixture(scope="module", params=BACKENDS)
def rotterdam_db(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[Db]:
    """Every bundled dataset and the example occupancy; tests must not change it."""
    with loaded_database(
        request.param,
        tmp_path_factory.mktemp("formation"),
        _pg_admin,
        then=lambda session: import_occupancy(session, path=EXAMPLE),
    ) as db:
        yield db


@pytest.fixture(scope="module")
def client(rotterdam_db: Db) -> Iterator[TestClient]:
    with TestClient(create_app(rotterdam_db.engine)) as test_client:
        login_as(test_client, rotterdam_db.engine, role="planner", unit="rotterdam")
        yield test_client


def test_example_file_is_marked_as_assumption_and_plausible(rotterdam_db: Db) -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "unit,category,period,bezetting,source"
    assert len(lines) == 19
    assert all(
        line.endswith(',"assumption: illustrative occupancy, not published"') for line in lines[1:]
    )
    with rotterdam_db.session() as session:
        report = formation_gap(session, slug="rotterdam", category="wijkagenten")
    basisteams = [r for r in report.rows if r.own.occupancy is not None]
    assert len(basisteams) == 18 and all(r.unit.kind == "basisteam" for r in basisteams)
    assert all(90 <= (r.own.percentage or 0) <= 100 for r in basisteams)


def test_rotterdam_rolls_up_the_18_basisteams(rotterdam_db: Db) -> None:
    with rotterdam_db.session() as session:
        report = formation_gap(session, slug="rotterdam", category="wijkagenten")
    assert (report.period, report.own.formation, report.own.occupancy) == ("2023-2026", None, None)
    assert report.subtree is not None
    assert report.subtree.model_dump() == {
        "formation": 407.5,
        "occupancy": 393.6,
        "gap": 13.9,
        "percentage": 96.59,
        "units": 18,
    }
    by_slug = {r.unit.slug: r for r in report.rows}
    district = by_slug["rotterdam-d"]
    assert (district.own.formation, district.own.occupancy, district.own.gap) == (59.6, None, None)
    assert district.subtree is not None
    assert (district.subtree.formation, district.subtree.occupancy) == (59.6, 56.7)
    assert (district.subtree.gap, district.subtree.percentage, district.subtree.units) == (
        2.9,
        95.13,
        3,
    )
    a = by_slug["rotterdam-a"].subtree
    assert a is not None and (a.occupancy, a.gap, a.percentage) == (64.3, 2.1, 96.84)
    charlois = by_slug["rotterdam-d1-charlois"]
    assert charlois.own.model_dump() == {
        "formation": 18.0,
        "occupancy": 17.5,
        "gap": 0.5,
        "percentage": 97.22,
    }
    assert charlois.subtree is None and charlois.depth == 2
    # tree order: each district directly followed by its basisteams
    slugs = [r.unit.slug for r in report.rows]
    assert slugs.index("rotterdam-d1-charlois") == slugs.index("rotterdam-d") + 1


def test_national_root_sums_the_same_basisteams(rotterdam_db: Db) -> None:
    with rotterdam_db.session() as session:
        report = formation_gap(session, slug="politie", category="wijkagenten", depth=1)
    assert report.subtree is not None
    assert (report.subtree.formation, report.subtree.occupancy, report.subtree.units) == (
        407.5,
        393.6,
        18,
    )
    assert max(r.depth for r in report.rows) == 1, "depth limits the rows, not the sums"


def test_default_category_is_formatie_and_period_the_latest(rotterdam_db: Db) -> None:
    with rotterdam_db.session() as session:
        report = formation_gap(session, slug="rotterdam-d")
        aspiranten = formation_gap(session, slug="politie", category="aspiranten")
        nothing = formation_gap(session, slug="rotterdam-d", category="bestaat_niet")
    assert (report.category, report.period, report.own.formation) == (
        "formatie",
        "2023-2026",
        541.1,
    )
    assert report.subtree is None, "no occupancy of formatie was imported"
    assert len(report.rows) == 7  # district, leiding, 3 basisteams, flexteam, districtsrecherche
    assert aspiranten.period == "2024-2027"  # Oost-Nederland's plan is later than Rotterdam's
    assert (nothing.period, [r.unit.slug for r in nothing.rows]) == (None, ["rotterdam-d"])


@pytest.mark.parametrize(
    ("slug", "target", "met", "basis", "percentage"),
    [
        ("rotterdam", None, False, "subtree", 96.59),
        ("rotterdam", 96.5, True, "subtree", 96.59),
        ("rotterdam-e", None, True, "subtree", 97.5),
        ("rotterdam-f", None, True, "subtree", 97.04),
        ("rotterdam-f", 97.1, False, "subtree", 97.04),
        ("rotterdam-d1-charlois", None, True, "own", 97.22),
        ("rotterdam-d2-feijenoord", None, False, "own", 91.41),
        ("rotterdam-a3-midden-schieland", 100, True, "own", 100.0),
    ],
)
def test_wijkagent_target(
    rotterdam_db: Db,
    slug: str,
    target: float | None,
    met: bool,
    basis: str,
    percentage: float,
) -> None:
    with rotterdam_db.session() as session:
        result = wijkagent_target(session, slug=slug, target=target)
    assert (result.met, result.basis, result.percentage) == (met, basis, percentage)
    assert result.target == (target or 97.0) and result.default_target == 97.0
    assert result.period == "2023-2026" and result.category == "wijkagenten"
    assert "97%" in result.rule and result.source.startswith("001_6cfd4132a7d74cba.txt")


def test_wijkagent_target_without_figures_and_unknown_unit(rotterdam_db: Db) -> None:
    assert WIJKAGENT_TARGET.percent == 97.0
    with rotterdam_db.session() as session:
        result = wijkagent_target(session, slug="oost-nederland")  # publishes min_wijkagenten
        assert (result.met, result.basis, result.formation, result.units) == (None, None, None, 0)
        with pytest.raises(NotFoundError, match="onbekende eenheid 'nergens'"):
            wijkagent_target(session, slug="nergens")


def test_api_gap_and_target(client: TestClient) -> None:
    response = client.get(
        "/api/v1/units/rotterdam-d/formation",
        params={"category": "wijkagenten", "period": "2023-2026"},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["unit"]["slug"], body["category"], body["period"]) == (
        "rotterdam-d",
        "wijkagenten",
        "2023-2026",
    )
    assert body["subtree"] == {
        "formation": 59.6,
        "occupancy": 56.7,
        "gap": 2.9,
        "percentage": 95.13,
        "units": 3,
    }
    assert [r["unit"]["code"] for r in body["rows"]] == ["D", "D1", "D2", "D3"]
    target = client.get("/api/v1/units/rotterdam-f/formation/wijkagenten").json()
    assert (target["met"], target["percentage"], target["target"]) == (True, 97.04, 97.0)
    stricter = client.get("/api/v1/units/rotterdam-f/formation/wijkagenten", params={"target": 98})
    assert stricter.json()["met"] is False
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/units/{slug}/formation", "/api/v1/units/{slug}/formation/wijkagenten"} <= set(
        paths
    )


@pytest.mark.parametrize(
    "url", ["/api/v1/units/nergens/formation", "/api/v1/units/nergens/formation/wijkagenten"]
)
def test_api_unknown_slug_is_404_json(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "onbekende eenheid 'nergens'"}


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/units/rotterdam/formation", {"category": "Wijk agenten"}),
        ("/api/v1/units/rotterdam/formation", {"period": "2023 2026"}),
        ("/api/v1/units/rotterdam/formation", {"depth": "-1"}),
        ("/api/v1/units/rotterdam/formation", {"depth": "veel"}),
        ("/api/v1/units/rotterdam/formation/wijkagenten", {"target": "150"}),
        ("/api/v1/units/rotterdam/formation/wijkagenten", {"target": "0"}),
        ("/api/v1/units/rotterdam/formation/wijkagenten", {"target": "hoog"}),
    ],
)
def test_api_bad_parameters_are_422(client: TestClient, url: str, params: dict[str, str]) -> None:
    response = client.get(url, params=params)
    assert response.status_code == 422
    assert "detail" in response.json()


def test_cli_gap_json_and_table(rotterdam_db: Db, use_database: Callable[[Db], None]) -> None:
    use_database(rotterdam_db)
    result = runner.invoke(
        app, ["formation", "gap", "rotterdam-e", "--category", "wijkagenten", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["subtree"]["formation"] == 72.0 and report["subtree"]["occupancy"] == 70.2
    assert report["subtree"]["percentage"] == 97.5 and report["period"] == "2023-2026"
    text = runner.invoke(
        app,
        ["formation", "gap", "rotterdam-d", "--category", "wijkagenten"],
        env={"COLUMNS": "200"},
    )
    assert text.exit_code == 0
    assert "Charlois (D1)" in text.stdout and "95,1" in text.stdout and "97,2" in text.stdout
    missing = runner.invoke(app, ["formation", "gap", "nergens"])
    assert missing.exit_code == 1 and "onbekende eenheid 'nergens'" in missing.stderr


def test_cli_wijkagenten(rotterdam_db: Db, use_database: Callable[[Db], None]) -> None:
    use_database(rotterdam_db)
    result = runner.invoke(app, ["formation", "wijkagenten", "rotterdam", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert (body["met"], body["formation"], body["occupancy"], body["units"]) == (
        False,
        407.5,
        393.6,
        18,
    )
    lower = json.loads(
        runner.invoke(
            app, ["formation", "wijkagenten", "rotterdam", "--target", "96", "--json"]
        ).stdout
    )
    assert lower["met"] is True and lower["target"] == 96.0
    text = runner.invoke(
        app, ["formation", "wijkagenten", "rotterdam-d1-charlois"], env={"COLUMNS": "200"}
    )
    assert "97,2%" in text.stdout and "gehaald" in text.stdout
    assert "niet gehaald" not in text.stdout


def test_cli_import_is_idempotent_and_refuses_bad_files(
    rotterdam_db: Db, use_database: Callable[[Db], None], tmp_path: Path
) -> None:
    use_database(rotterdam_db)
    before = snapshot(rotterdam_db)
    result = runner.invoke(app, ["formation", "import", str(EXAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["rows"], report["inserted"], report["updated"], report["unchanged"]) == (
        18,
        0,
        0,
        18,
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace(",17.5,", ",-17.5,", 1), encoding="utf-8"
    )
    refused = runner.invoke(app, ["formation", "import", str(bad)])
    assert refused.exit_code == 1
    assert "geweigerd, niets geschreven" in refused.stderr
    assert "bad.csv:9: kolom bezetting: negatieve waarde -17.5" in refused.stderr
    assert snapshot(rotterdam_db) == before


def test_occupancy_page(rotterdam_db: Db) -> None:
    with TestClient(create_app(rotterdam_db.engine)) as client:
        login_as(client, rotterdam_db.engine, role="gezag", unit="rotterdam")
        page = client.get("/eenheden/rotterdam/bezetting")
        assert page.status_code == 200
        assert "393,6 van 407,5 fte = 96,6%" in page.text and "voldoet niet" in page.text
        assert "Feijenoord" in page.text and "91,4" in page.text
        assert client.get("/eenheden/rotterdam/bezetting?category=Bad!").status_code == 422
        assert client.get("/eenheden/nergens/bezetting").status_code == 404
