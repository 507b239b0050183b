"""The README and docs stay honest: every command they show exists, every file they name too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from korps.cli import app

ROOT = Path(__file__).parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COMMAND = re.compile(r"`korps ([a-z]+(?: [a-z]+(?:\|[a-z]+)*)?)")


def commands() -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for doc in DOCS:
        for match in COMMAND.finditer(doc.read_text(encoding="utf-8")):
            words = match.group(1).split()
            for alternative in words[-1].split("|") if len(words) > 1 else [words[0]]:
                found.add((words[0], alternative) if len(words) > 1 else (words[0],))
    return found


@pytest.mark.parametrize("words", sorted(commands()), ids=" ".join)
def test_documented_command_exists(words: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*words, "--help"])
    if result.exit_code != 0 and len(words) == 2:  # `korps load NAME`: an argument, not a command
        result = CliRunner().invoke(app, [words[0], "--help"])
    assert result.exit_code == 0, f"{' '.join(words)}: {result.output}"


def test_documented_files_exist() -> None:
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for name in re.findall(
            r"`((?:examples|docs|benchmarks)/[\w./-]+\.(?:yaml|csv|md|py))`", text
        ):
            assert (ROOT / name).exists(), f"{doc.name} names {name}, which does not exist"
