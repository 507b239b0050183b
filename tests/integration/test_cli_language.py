"""Issue 14.12 for the command line: every help text of every command (the whole tree,
walked, so a new command is covered) is a marked text, Typer's and Click's own texts are
Dutch too, and ``KORPS_LANG=en`` gives English."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from typer import _click
from typer.testing import CliRunner

from korps.cli import app
from korps.cli.chrome import translated_error
from korps.cli.commands import every_command
from korps.common import catalogue
from korps.common.i18n import DEFAULT_LOCALE, gettext

runner = CliRunner()
#: Typer's and Click's English, which the Dutch help must not show
ENGLISH_CHROME = ("Usage:", "Options", "Commands", "Arguments", "Show this message", "[default:")


Command = _click.Command


def walk(command: Command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Command]]:
    """Every command and group under ``command`` with the words that call it."""
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from walk(sub, (*path, name))


def commands() -> list[tuple[tuple[str, ...], Command]]:
    return list(walk(every_command()))


def _marked() -> tuple[set[str], list[re.Pattern[str]]]:
    """The texts a marked message can show in this locale: the plain ones, and a pattern
    for each one with {placeholders} (the filled-in values may be anything)."""
    plain: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for message in catalogue.load(DEFAULT_LOCALE):
        if not isinstance(message.id, str) or not message.id:
            continue
        shown = gettext(message.id)
        if re.search(r"\{\w+\}", shown):
            parts = re.split(r"\{\w+\}", shown)
            patterns.append(re.compile(".+?".join(re.escape(p) for p in parts) + r"\Z", re.S))
        else:
            plain.add(shown)
    return plain, patterns


def help_texts(command: Command) -> Iterator[tuple[str, str]]:
    """(where, text) for the help of ``command`` and of each of its parameters."""
    for attribute in ("help", "short_help", "epilog"):
        text = getattr(command, attribute, None)
        if text:
            yield attribute, text
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            yield param.name or "?", text


MARKED = _marked()


def test_the_tree_is_walked() -> None:
    names = {" ".join(path) for path, _command in commands()}
    assert {"", "org", "org tree", "user grant", "load", "formation gap", "plan roster"} <= names
    assert len(names) > 40


@pytest.mark.parametrize(
    ("path", "command"), commands(), ids=lambda v: " ".join(v) if isinstance(v, tuple) else ""
)
def test_every_help_text_is_marked(path: tuple[str, ...], command: Command) -> None:
    """A help text that is not in the catalogue was not marked: it shows in one language
    whatever the user chose (a docstring as help, or help="..." without _())."""
    plain, patterns = MARKED
    unmarked = [
        f"{where}: {text}"
        for where, text in help_texts(command)
        if text.strip() not in plain and not any(p.match(text.strip()) for p in patterns)
    ]
    assert unmarked == [], f"korps {' '.join(path)}"
    shown = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"}, prog_name="korps")
    assert shown.exit_code == 0, shown.output
    assert "Gebruik: korps" in shown.stdout and "Toon deze hulp en stop." in shown.stdout
    assert [word for word in ENGLISH_CHROME if word in shown.stdout] == []


def test_the_dutch_chrome() -> None:
    top = runner.invoke(app, ["--help"], env={"COLUMNS": "120"}, prog_name="korps")
    assert "Gebruik: korps [OPTIES] OPDRACHT [ARGUMENTEN]..." in top.stdout
    assert "Opties" in top.stdout and "Opdrachten" in top.stdout
    assert "de open digitale ruggengraat" in top.stdout
    bare = runner.invoke(app, ["org"], env={"COLUMNS": "120"}, prog_name="korps")
    assert "Gebruik: korps org [OPTIES] OPDRACHT" in bare.output and "Usage" not in bare.output
    tree = runner.invoke(app, ["org", "tree", "--help"], env={"COLUMNS": "120"})
    assert "Argumenten" in tree.stdout and "[verplicht]" in tree.stdout
    roster = runner.invoke(app, ["plan", "roster", "--help"], env={"COLUMNS": "200"})
    assert "[standaard: unit]" in roster.stdout


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["nergens"], "Onbekende opdracht 'nergens'."),
        (["org", "tre"], "Onbekende opdracht 'tre'. Bedoelt u 'tree'?"),
        (["org", "tree"], "Argument 'slug' ontbreekt."),
        (["org", "tree", "x", "--bla"], "Onbekende optie: --bla"),
        (["org", "tree", "x", "--depth"], "Optie '--depth' vraagt een waarde."),
        (["org", "tree", "x", "y"], "Onverwachte extra argumenten (y)"),
        (
            ["org", "tree", "x", "--depth", "-1"],
            "Ongeldige waarde voor '--depth': de waarde moet minstens 0 zijn",
        ),
        (
            ["org", "tree", "x", "--depth", "twee"],
            "Ongeldige waarde voor '--depth': dit is geen geheel getal",
        ),
    ],
)
def test_usage_errors_in_dutch(args: list[str], shown: str) -> None:
    result = runner.invoke(app, args, env={"COLUMNS": "200"}, prog_name="korps")
    assert result.exit_code == 2
    assert shown in result.stderr and "Fout" in result.stderr
    assert "Error" not in result.stderr and "Usage" not in result.stderr
    if args != ["org", "tree", "x", "--depth"]:  # Typer leaves the hint out there
        assert "Probeer 'korps" in result.stderr and "--help' voor hulp." in result.stderr


def test_an_unknown_english_message_passes_unchanged() -> None:
    assert translated_error("Something Typer says one day.") == "Something Typer says one day."
    assert translated_error("Missing option '--name'.") == "Optie '--name' ontbreekt."


def _english(*args: str) -> subprocess.CompletedProcess[str]:
    """``korps ARGS`` in a new process with KORPS_LANG=en (the language is fixed at import)."""
    env = {**os.environ, "KORPS_LANG": "en", "COLUMNS": "200", "TERM": "dumb"}
    return subprocess.run(
        [sys.executable, "-c", "from korps.cli import app; app(prog_name='korps')", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_english_with_korps_lang_en() -> None:
    top = _english("--help")
    assert top.returncode == 0, top.stderr
    assert "Usage: korps [OPTIONS] COMMAND [ARGS]..." in top.stdout
    assert "Options" in top.stdout and "Commands" in top.stdout
    assert "Show this message and exit." in top.stdout
    assert "the open digital backbone of a police regional unit" in top.stdout
    assert "Gebruik" not in top.stdout and "Opties" not in top.stdout
    wrong = _english("org", "tre")
    assert wrong.returncode == 2
    assert "No such command 'tre'. Did you mean 'tree'?" in wrong.stderr
    assert "Error" in wrong.stderr and "Try 'korps org --help' for help." in wrong.stderr
