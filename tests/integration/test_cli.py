"""The korps command line on the configured database (KORPS_DATABASE_URL)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from korps.cli import app
from tests.conftest import Db, snapshot

runner = CliRunner()


def test_org_tree_json_has_the_documented_fields(
    loaded_db: Db, use_database: Callable[[Db], None]
) -> None:
    use_database(loaded_db)
    result = runner.invoke(app, ["org", "tree", "rotterdam-d", "--json"])
    assert result.exit_code == 0, result.output
    tree = json.loads(result.stdout)
    assert {"slug", "name", "kind", "code", "fte", "wijkagenten", "children"} <= set(tree)
    assert (tree["code"], tree["fte"], tree["wijkagenten"]) == ("D", 541.1, 59.6)
    charlois = next(c for c in tree["children"] if c["code"] == "D1")
    assert (charlois["name"], charlois["fte"], charlois["children"]) == ("Charlois", 166.5, [])
    leiding = next(c for c in tree["children"] if c["slug"] == "rotterdam-d-leiding")
    assert leiding["wijkagenten"] is None


def test_org_tree_depth_and_text(loaded_db: Db, use_database: Callable[[Db], None]) -> None:
    use_database(loaded_db)
    shallow = json.loads(
        runner.invoke(app, ["org", "tree", "politie", "--depth", "1", "--json"]).stdout
    )
    assert len([c for c in shallow["children"] if c["kind"] == "eenheid"]) == 11
    assert all(c["children"] == [] for c in shallow["children"])
    text = runner.invoke(app, ["org", "tree", "on-twente"], env={"COLUMNS": "200"})
    assert text.exit_code == 0 and "Enschede" in text.stdout and "238,9 fte" in text.stdout


def test_org_show(loaded_db: Db, use_database: Callable[[Db], None]) -> None:
    use_database(loaded_db)
    result = runner.invoke(app, ["org", "show", "on-veluwe-west", "--json"])
    unit = json.loads(result.stdout)
    assert unit["fte"] == 92.0 and unit["wijkagenten"] == 20
    text = runner.invoke(app, ["org", "show", "rotterdam-b"], env={"COLUMNS": "200"})
    assert "Rotterdam Stad" in text.stdout and "Delfshaven" in text.stdout
    assert "onderdelen" in text.stdout  # the tables and the last line speak Dutch
    assert "1 gemeente, 122.722 inwoners" in text.stdout  # Dutch numbers, singular
    missing = runner.invoke(app, ["org", "show", "nergens"])
    assert missing.exit_code == 1 and "onbekende eenheid 'nergens'" in missing.stderr


def test_db_init_and_load_report(empty_db: Db, use_database: Callable[[Db], None]) -> None:
    use_database(empty_db)
    init = runner.invoke(app, ["db", "init"])
    assert init.exit_code == 0 and " op revisie " in init.stdout
    result = runner.invoke(app, ["load", "gemeenten", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report[0]["counts"]["gemeenten"] == 342


def test_load_bad_file_exits_nonzero_and_writes_nothing(
    empty_db: Db, use_database: Callable[[Db], None], tmp_path: Path
) -> None:
    use_database(empty_db)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "dataset: x\ntitle: X\nunits:\n  - slug: x\n    name: X\n    kind: team\n    parent: y\n",
        encoding="utf-8",
    )
    before = snapshot(empty_db)
    result = runner.invoke(app, ["load", str(bad)])
    assert result.exit_code == 1
    assert "bad.yaml:7: units[0].parent: onbekende ouder 'y'" in result.stderr
    assert "fout: " in result.stderr and "bad.yaml geweigerd, niets geschreven" in result.stderr
    assert snapshot(empty_db) == before
