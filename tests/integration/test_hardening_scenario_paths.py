"""Issue 9, item 1: a scenario sent over HTTP never makes the server open a path; the CLI
reads workload files next to the scenario, regular files of bounded size only."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from korps.cli import app as cli
from korps.organisation.loader import load
from korps.planning import workload as workload_module
from korps.web.app import create_app
from tests.conftest import Db, snapshot
from tests.support.auth import login_as

SCENARIO = """name: Pad
total: 10
teams:
  - {key: noord, values: {meldingen: 1}}
  - {key: zuid, values: {meldingen: 3}}
levels:
  - weights: {meldingen: 1, ongevallen: 1}
"""
INLINE = {
    "name": "Pad",
    "total": 10,
    "teams": [
        {"key": "noord", "values": {"meldingen": 1}},
        {"key": "zuid", "values": {"meldingen": 3}},
    ],
    "levels": [{"weights": {"meldingen": 1, "ongevallen": 1}}],
}
SECRET = "s3cr3t-wachtwoord"


@pytest.fixture
def client(empty_db: Db) -> Iterator[TestClient]:
    with empty_db.session() as session:
        load(session, name_or_path="gemeenten")
        load(session, name_or_path="nederland")
    with TestClient(create_app(empty_db.engine)) as test_client:
        login_as(test_client, empty_db.engine, role="planner", unit="politie")
        yield test_client


@pytest.fixture
def paths(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "pijp.csv"
    os.mkfifo(fifo)
    secret = tmp_path / "creds.csv"
    secret.write_text(f"team,wachtwoord\nnoord,{SECRET}\n")
    return {"fifo": fifo, "secret": secret, "missing": tmp_path / "weg.csv"}


def _promptly(call: Callable[[], object], seconds: float = 20) -> object:
    """Run ``call`` in a thread; a blocking open of a FIFO would never return."""
    box: list[object] = []
    thread = threading.Thread(target=lambda: box.append(call()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the request blocked (a FIFO was opened)"
    return box[0]


def test_posted_scenarios_naming_a_path_are_refused_without_opening_it(
    client: TestClient, empty_db: Db, paths: dict[str, Path]
) -> None:
    before = snapshot(empty_db)
    answers = {}
    for kind, path in paths.items():
        text = SCENARIO + f"workload: {path}\n"
        page = _promptly(lambda text=text: client.post("/scenarios", data={"text": text}))
        api = _promptly(
            lambda path=path: client.post(
                "/api/v1/allocate", json={**INLINE, "workload": str(path)}
            )
        )
        assert page.status_code == 422 and api.status_code == 422  # type: ignore[attr-defined]
        assert SECRET not in page.text and SECRET not in api.text  # type: ignore[attr-defined]
        assert "alleen vanaf de opdrachtregel" in api.json()["detail"]  # type: ignore[attr-defined]
        answers[kind] = api.json()["detail"]  # type: ignore[attr-defined]
    # a missing file, an existing one and a FIFO get the same answer: nothing was looked at
    assert len(set(answers.values())) == 1
    assert snapshot(empty_db) == before


def test_workload_tables_are_uploaded_and_referred_to_by_id(
    client: TestClient, empty_db: Db
) -> None:
    upload = client.post(
        "/api/v1/workload-tables",
        files={"file": ("werklast.csv", b"team;ongevallen\nnoord;5\nzuid;1,5\n", "text/csv")},
        data={"name": "Ongevallen 2024"},
    )
    assert upload.status_code == 201, upload.text
    table = upload.json()
    assert table["teams"] == 2 and table["name"] == "Ongevallen 2024"
    result = client.post("/api/v1/allocate", json={**INLINE, "workload_table": table["id"]})
    assert result.status_code == 200, result.text
    scores = [row["score"] for row in result.json()["rows"]]
    assert scores == [1 + 5, 3 + 1.5]
    missing = client.post("/api/v1/allocate", json={**INLINE, "workload_table": 999})
    assert missing.status_code == 422 and "onbekende werklasttabel 999" in missing.text
    listed = client.get("/api/v1/workload-tables")
    assert [t["id"] for t in listed.json()] == [table["id"]]
    assert listed.headers["x-total-count"] == "1" and "link" not in listed.headers
    second = client.post(
        "/api/v1/workload-tables",
        files={"file": ("w2.csv", b"team;ongevallen\nnoord;2\n", "text/csv")},
    ).json()
    first_page = client.get("/api/v1/workload-tables", params={"limit": 1})
    assert first_page.headers["x-total-count"] == "2" and len(first_page.json()) == 1
    assert 'rel="next"' in first_page.headers["link"]
    rest = client.get("/api/v1/workload-tables", params={"limit": 1, "offset": 1}).json()
    assert {first_page.json()[0]["id"], rest[0]["id"]} == {table["id"], second["id"]}
    # the page stores a table too, and refuses a bad one with row and column, storing nothing
    before = snapshot(empty_db)
    bad = client.post(
        "/werklast", files={"bestand": ("w.csv", b"team,ongevallen\nnoord,veel\n", "text/csv")}
    )
    assert bad.status_code == 422
    assert "rij 2, kolom &#39;ongevallen&#39;" in bad.text and "geen getal" in bad.text
    assert snapshot(empty_db) == before
    good = client.post(
        "/werklast", files={"bestand": ("w.csv", b"team,ongevallen\nnoord,1\n", "text/csv")}
    )
    assert good.status_code == 200 and "is opgeslagen" in good.text


def test_uploads_over_the_size_limit_are_refused(
    client: TestClient, empty_db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workload_module, "MAX_BYTES", 100)
    before = snapshot(empty_db)
    answer = client.post(
        "/api/v1/workload-tables",
        files={"file": ("w.csv", b"team,x\n" + b"noord,1\n" * 50, "text/csv")},
    )
    assert answer.status_code == 422 and "groter dan" in answer.text
    assert snapshot(empty_db) == before


def _allocate(tmp_path: Path, workload: str) -> tuple[int, str]:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO + f"workload: {workload}\n")
    result = CliRunner().invoke(cli, ["allocate", str(scenario), "--json"])
    return result.exit_code, result.output


def test_the_cli_reads_regular_files_next_to_the_scenario_only(
    tmp_path: Path, paths: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "w.csv").write_text("team,ongevallen\nnoord,5\nzuid,1\n")
    code, out = _allocate(tmp_path, "w.csv")  # relative to the scenario file
    assert code == 0, out
    assert [r["score"] for r in json.loads(out)["rows"]] == [6, 4]
    code, out = _promptly(lambda: _allocate(tmp_path, paths["fifo"].name))  # type: ignore[misc]
    assert code == 1 and "geen gewoon bestand" in out
    os.symlink("/dev/zero", tmp_path / "nul.csv")
    code, out = _allocate(tmp_path, "nul.csv")
    assert code == 1 and "geen gewoon bestand" in out
    code, out = _allocate(tmp_path, "/etc/passwd")
    assert code == 1 and ".csv- of .xlsx-bestand" in out
    monkeypatch.setattr(workload_module, "MAX_BYTES", 10)
    code, out = _allocate(tmp_path, "w.csv")
    assert code == 1 and "groter dan" in out


def test_saving_from_the_cli_stores_the_table_and_no_path(
    empty_db: Db, use_database: Callable[[Db], None], tmp_path: Path
) -> None:
    with empty_db.session() as session:
        load(session, name_or_path="gemeenten")
        load(session, name_or_path="nederland")
    use_database(empty_db)
    (tmp_path / "w.csv").write_text("team,ongevallen\nnoord,5\nzuid,1\n")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO + "workload: w.csv\n")
    result = CliRunner().invoke(cli, ["scenario", "save", str(scenario)])
    assert result.exit_code == 0, result.output
    with TestClient(create_app(empty_db.engine)) as client:
        login_as(client, empty_db.engine, role="planner", unit="politie")
        answer = client.get("/api/v1/scenarios/pad/allocation")
        assert answer.status_code == 200, answer.text
        assert [r["score"] for r in answer.json()["rows"]] == [6, 4]
        text = client.get("/scenarios/pad").text
    with empty_db.session() as session:
        from korps.planning.models import SavedScenario

        saved = session.query(SavedScenario).one()
        assert "workload_table:" in saved.text and str(tmp_path) not in saved.text
        assert "workload: w.csv" not in saved.text.replace("# workload: w.csv", "")
    assert "Pad" in text
