"""Each command runs in a process of its own that imports only that command's module
(korps.cli.commands): every domain's tables must still be known to the ORM, or a query
that maps across domains (the monitor's plan refers to a scenario) stops with a traceback.
The tests in this process import everything, so these run ``korps`` in fresh processes, on
a SQLite database with the bundled datasets: each command ends with its own message (exit 0
or 1), never a traceback. ``monitor load`` writes plans that refer to scenarios (it stopped
``make run`` when only the monitor's models were imported)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import loaded_database

RUN = "import sys; from korps.cli import main; sys.argv = ['korps', *sys.argv[1:]]; main()"
COMMANDS = [
    ["monitor", "load"],
    ["monitor", "compute"],
    ["monitor", "status", "rotterdam"],
    ["org", "show", "rotterdam"],
    ["scenario", "list"],
    ["user", "list"],
    ["capacity", "templates", "rotterdam-d1-charlois"],
    ["portal", "stats"],
    ["controlroom", "units", "rotterdam"],
]


def korps(args: list[str], database: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"KORPS_DATABASE_URL": f"sqlite:///{database}", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", RUN, *args], env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with loaded_database("sqlite", tmp_path_factory.mktemp("vers"), None) as db:
        db.engine.dispose()
        yield Path(db.engine.url.database or "")


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_command_in_a_fresh_process_knows_every_table(args: list[str], database: Path) -> None:
    done = korps(args, database)
    output = done.stdout + done.stderr
    assert done.returncode in (0, 1), output
    assert "Traceback" not in output and "Error" not in output, output
