"""Issue 14.15: every command on a database that was never initialised says so in one line
(what to run), without a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from korps.cli import app
from tests.conftest import Db

COMMANDS = [
    ["org", "show", "den-haag"],
    ["org", "tree", "rotterdam"],
    ["load", "rotterdam"],
    ["user", "list"],
    ["scenario", "list"],
    ["controlroom", "units", "rotterdam"],
    ["formation", "gap", "rotterdam"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_commands_on_an_uninitialised_database(
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    use_database: Callable[[Db], None],
) -> None:
    from korps.db.session import make_engine

    url = f"sqlite:///{tmp_path / 'nieuw.db'}"
    use_database(Db(url, make_engine(url)))
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "voer eerst `korps db init` uit" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
