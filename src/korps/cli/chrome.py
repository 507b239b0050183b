"""Typer's and Click's own texts in the command line's language: "Gebruik:", "Opties",
"Toon deze hulp en stop.", "[standaard: ...]", the error panel and its messages.

Typer 0.29 carries its own copy of Click (``typer._click``) whose texts are plain English
f-strings, and keeps its panel titles as constants in :mod:`typer.rich_utils` (fixed when
it is imported). :func:`install` is called once, in ``korps.cli`` right after the language
is chosen, and puts our catalogue's texts in their place:

- the constants of :mod:`typer.rich_utils` (panel titles, default, required, the hint);
- the help formatter of every context (the "Usage:" prefix and "[OPTIONS]");
- the help option's text;
- the error panel: the message of a usage error is rewritten by :data:`ERRORS`, a table of
  Click's English message patterns and their Dutch text (the msgid; the English catalogue
  gives Click's wording back, so ``KORPS_LANG=en`` reads as before).

Every text is an ordinary msgid of ``messages.po``, so the catalogue test covers them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from typer import _click, rich_utils
from typer._click import decorators
from typer._click.formatting import HelpFormatter
from typer.core import TyperOption

from korps.common.i18n import N_, _

#: Click's English error messages (a pattern) and the text shown instead (a msgid whose
#: placeholders are the pattern's groups), applied in this order to the whole message.
ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), text)
    for pattern, text in (
        (r"No such command (?P<name>'[^']*')\.", N_("Onbekende opdracht {name}.")),
        (r"Did you mean (?P<names>.+)\?", N_("Bedoelt u {names}?")),
        (r"Missing command\.", N_("Er ontbreekt een opdracht.")),
        (r"Missing argument (?P<name>'[^']*')\.", N_("Argument {name} ontbreekt.")),
        (r"Missing option (?P<name>'[^']*')\.", N_("Optie {name} ontbreekt.")),
        (r"No such option: (?P<name>\S+)", N_("Onbekende optie: {name}")),
        (r"\(Possible options: (?P<names>[^)]*)\)", N_("(mogelijke opties: {names})")),
        (
            r"Got unexpected extra argument\(s\) \((?P<values>.*)\)",
            N_("Onverwachte extra argumenten ({values})"),
        ),
        (
            r"Option (?P<name>'[^']*') requires an argument\.",
            N_("Optie {name} vraagt een waarde."),
        ),
        (
            r"Option (?P<name>'[^']*') requires (?P<count>\d+) arguments\.",
            N_("Optie {name} vraagt {count} waarden."),
        ),
        (
            r"Option (?P<name>'[^']*') does not take a value\.",
            N_("Optie {name} neemt geen waarde."),
        ),
        (r"^Invalid value for (?P<name>.+?): ", N_("Ongeldige waarde voor {name}: ")),
        (r"^Invalid value: ", N_("Ongeldige waarde: ")),
        (r"Input should be a valid integer[^.]*", N_("dit is geen geheel getal")),
        (r"Input should be a valid number[^.]*", N_("dit is geen getal")),
        (
            r"Input should be greater than or equal to (?P<limit>\S+)",
            N_("de waarde moet minstens {limit} zijn"),
        ),
        (
            r"Input should be less than or equal to (?P<limit>\S+)",
            N_("de waarde mag hoogstens {limit} zijn"),
        ),
        (r"Input should be greater than (?P<limit>\S+)", N_("de waarde moet boven {limit} zijn")),
        (r"Input should be less than (?P<limit>\S+)", N_("de waarde moet onder {limit} zijn")),
        (
            r"(?:File|Directory|Path) (?P<name>'.*') does not exist\.",
            N_("{name} bestaat niet."),
        ),
        (
            r"(?P<value>'[^']*') is not one of (?P<choices>.*)\.",
            N_("{value} is niet een van {choices}."),
        ),
    )
)


def translated_error(message: str) -> str:
    """A usage error of Click or Typer (English) in the current language."""
    for pattern, text in ERRORS:
        message = pattern.sub(
            lambda match, text=text: _(text, **match.groupdict()),  # type: ignore[misc]
            message,
        )
    return message


class Formatter(HelpFormatter):
    """Click's help formatter with the usage line in the current language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", _("[OPTIES]")).replace(
            "COMMAND [ARGS]...", _("OPDRACHT [ARGUMENTEN]...")
        )
        super().write_usage(prog, args, _("Gebruik: ") if prefix is None else prefix)


AddHelp = Callable[[list[str]], Callable[[_click.Command], _click.Command]]


def _help_option(original: AddHelp) -> AddHelp:
    """Click's ``help_option`` with the option's text in the current language."""

    def help_option(param_decls: list[str]) -> Callable[[_click.Command], _click.Command]:
        add = original(param_decls)

        def decorator(command: _click.Command) -> _click.Command:
            command = add(command)
            option = command.params[-1]
            if isinstance(option, TyperOption):
                option.help = _("Toon deze hulp en stop.")
            return command

        return decorator

    return help_option


def _format_error(
    original: Callable[[_click.ClickException], None],
) -> Callable[[_click.ClickException], None]:
    """Typer's error panel with the message in the current language."""

    def rich_format_error(error: _click.ClickException) -> None:
        message = translated_error(error.format_message())
        error.format_message = lambda: message  # type: ignore[method-assign]
        original(error)

    return rich_format_error


def install() -> None:
    """Put the catalogue's texts (of the current language) in Typer's and Click's place.
    Called once: a second call does nothing."""
    if getattr(rich_utils, "_korps_chrome", False):
        return
    rich_utils.DEPRECATED_STRING = _("(verouderd) ")
    rich_utils.DEFAULT_STRING = _("[standaard: {}]")
    rich_utils.ENVVAR_STRING = _("[omgevingsvariabele: {}]")
    rich_utils.REQUIRED_LONG_STRING = _("[verplicht]")
    rich_utils.ARGUMENTS_PANEL_TITLE = _("Argumenten")
    rich_utils.OPTIONS_PANEL_TITLE = _("Opties")
    rich_utils.COMMANDS_PANEL_TITLE = _("Opdrachten")
    rich_utils.ERRORS_PANEL_TITLE = _("Fout")
    rich_utils.ABORTED_TEXT = _("Afgebroken.")
    rich_utils.RICH_HELP = _("Probeer [blue]'{command_path} {help_option}'[/] voor hulp.")
    usage = re.escape(_("Gebruik: "))
    rich_utils.OptionHighlighter.highlights = [
        *rich_utils.OptionHighlighter.highlights,
        rf"(?P<usage>{usage})",
    ]
    _click.core.Context.formatter_class = Formatter
    decorators.help_option = _help_option(decorators.help_option)  # type: ignore[assignment]
    rich_utils.rich_format_error = _format_error(rich_utils.rich_format_error)  # type: ignore[assignment]
    rich_utils._korps_chrome = True  # type: ignore[attr-defined]
