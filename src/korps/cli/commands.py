"""The ``korps`` app: one sub-app per domain (the language is chosen in ``korps.cli``).

A command's module is imported when the command runs or shows its own help, not before:
``korps org show`` does not load the simulation, the roster solver and the web server
(``korps --help`` lists every command from :data:`COMMANDS` alone). Each entry names the
module and the help text; a group's module has an ``app`` (a Typer), a single command's
module the function of the same name.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import typer
from typer import _click
from typer.core import TyperCommand, TyperGroup

from korps.common.i18n import N_, _

#: name -> (module, what it is for; a group's module has ``app``, a command's ``function``)
COMMANDS: dict[str, tuple[str, str, str | None]] = {
    "db": ("korps.cli.db", N_("Het databaseschema."), None),
    "org": ("korps.cli.org", N_("Organisatie: eenheden, hun boom en cijfers."), None),
    "formation": (
        "korps.cli.formation",
        N_("Formatie: de bezetting tegenover de formatie, tekorten en de wijkagentnorm."),
        None,
    ),
    "scenario": ("korps.cli.scenario", N_("Opgeslagen verdeelscenario's."), None),
    "controlroom": (
        "korps.cli.controlroom",
        N_("Meldkamer: eenheden, KPI's van de aanrijdtijden en export van de meldinghistorie."),
        None,
    ),
    "sim": (
        "korps.cli.sim",
        N_("Digitale tweeling: meldingen, meldkamer en eenheden simuleren."),
        None,
    ),
    "plan": ("korps.cli.plan", N_("Plannen met de digitale tweeling."), None),
    "portal": ("korps.cli.portal", N_("Burgerportaal: dossiers, routering en termijnen."), None),
    "user": ("korps.cli.user", N_("Gebruikers, wachtwoorden en rollen."), None),
    "monitor": (
        "korps.cli.monitor",
        N_("Monitor: indicatoren, doelen, metingen en status."),
        None,
    ),
    "capacity": (
        "korps.cli.capacity",
        N_(
            "Capaciteit: personen, afwezigheid, ziekteverzuim, dienstsjablonen, wensen, "
            "uitlenen en roosters."
        ),
        None,
    ),
    "load": (
        "korps.cli.load",
        N_(
            "Laad een dataset; een foutief bestand wordt geweigerd met bestand, regel, "
            "YAML-pad en reden."
        ),
        "load",
    ),
    "allocate": (
        "korps.cli.allocate",
        N_(
            "Verdeel een totaal over teams volgens de regels van het scenario, naast de "
            "huidige cijfers."
        ),
        "allocate",
    ),
    "serve": (
        "korps.cli.serve",
        N_(
            "Start de webinterface op http://HOST:PORT (de API onder /api/v1, OpenAPI op "
            "/openapi.json)."
        ),
        "serve",
    ),
    "demo": (
        "korps.cli.user",
        N_(
            "Maak de demo-accounts aan (één per rol) op de geladen gegevens; de wachtwoorden "
            "worden één keer getoond."
        ),
        "demo",
    ),
}


def loaded(name: str) -> _click.Command:
    """The command ``name`` of :data:`COMMANDS`, its module imported."""
    module_name, help_text, function = COMMANDS[name]
    module = import_module(module_name)
    holder = typer.Typer(add_completion=False)  # as the root held it (a group of one stays one)
    if function is None:
        holder.add_typer(module.app, name=name)
    else:
        holder.command(name)(getattr(module, function))
    holder.callback()(lambda: None)
    group = typer.main.get_command(holder)
    assert isinstance(group, TyperGroup)
    command = group.commands[name]
    command.help = _(help_text)
    return command


class Listed(TyperCommand):
    """A command listed by name and help, its module not imported yet."""


class LazyGroup(TyperGroup):
    """The root group: every command is listed from :data:`COMMANDS` and loaded when it is
    called (:meth:`resolve_command`)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, (_module, help_text, _function) in COMMANDS.items():
            self.commands[name] = Listed(name=name, help=_(help_text))

    def resolve_command(
        self, ctx: _click.Context, args: list[str]
    ) -> tuple[str | None, _click.Command | None, list[str]]:
        if args and isinstance(self.commands.get(args[0]), Listed):
            self.commands[args[0]] = loaded(args[0])
        return super().resolve_command(ctx, args)

    def load_all(self) -> LazyGroup:
        """Every command loaded (the tests walk the whole tree)."""
        for name in COMMANDS:
            if isinstance(self.commands[name], Listed):
                self.commands[name] = loaded(name)
        return self


app = typer.Typer(
    cls=LazyGroup,
    help=_("korps: de open digitale ruggengraat van een regionale politie-eenheid."),
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def root() -> None:
    pass  # the root group; its commands are in COMMANDS


def every_command() -> LazyGroup:
    """The whole command tree, every module loaded."""
    group = typer.main.get_command(app)
    assert isinstance(group, LazyGroup)
    return group.load_all()


def main() -> None:
    app()
