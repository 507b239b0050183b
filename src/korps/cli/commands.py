"""The ``korps`` app: one sub-app per domain (the language is chosen in ``korps.cli``)."""

from __future__ import annotations

import typer

from korps.cli import allocate as allocate_cli
from korps.cli import capacity as capacity_cli
from korps.cli import controlroom as controlroom_cli
from korps.cli import db as db_cli
from korps.cli import formation as formation_cli
from korps.cli import load as load_cli
from korps.cli import monitor as monitor_cli
from korps.cli import org as org_cli
from korps.cli import plan as plan_cli
from korps.cli import portal as portal_cli
from korps.cli import scenario as scenario_cli
from korps.cli import serve as serve_cli
from korps.cli import sim as sim_cli
from korps.cli import user as user_cli
from korps.common.i18n import _

app = typer.Typer(
    help=_("korps: de open digitale ruggengraat van een regionale politie-eenheid."),
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(db_cli.app, name="db")
app.add_typer(org_cli.app, name="org")
app.add_typer(formation_cli.app, name="formation")
app.add_typer(scenario_cli.app, name="scenario")
app.add_typer(controlroom_cli.app, name="controlroom")
app.add_typer(sim_cli.app, name="sim")
app.add_typer(plan_cli.app, name="plan")
app.add_typer(portal_cli.app, name="portal")
app.add_typer(user_cli.app, name="user")
app.add_typer(monitor_cli.app, name="monitor")
app.add_typer(capacity_cli.app, name="capacity")
app.command("load", help=load_cli.HELP)(load_cli.load)
app.command("allocate", help=allocate_cli.HELP)(allocate_cli.allocate)
app.command("serve", help=serve_cli.HELP)(serve_cli.serve)
app.command("demo", help=user_cli.DEMO_HELP)(user_cli.demo)


def main() -> None:
    app()
