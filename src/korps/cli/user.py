"""``korps user``: accounts and role grants; ``korps demo``: the demo accounts of `make run`."""

from __future__ import annotations

import getpass

import typer
from rich.table import Table

from korps.audit.service import Context, acting
from korps.cli.common import console, fail, open_session, print_json
from korps.identity import service, tokens
from korps.identity.demo import create_demo_accounts
from korps.identity.errors import IdentityError
from korps.identity.mail import MailError

app = typer.Typer(help="Users, passwords and role grants.", no_args_is_help=True)
UnitOption = typer.Option(None, "--unit", help="Slug of the unit the role covers (subtree).")


def _who() -> Context:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "onbekend"
    return Context(actor=f"cli:{name}"[:100])


def _run(action: str) -> None:
    console.print(action, highlight=False)


@app.command("create")
def create(
    username: str,
    name: str = typer.Option(..., "--name", help="Full name."),
    email: str = typer.Option(None, "--email"),
    kind: str = typer.Option("medewerker", "--kind", help="medewerker or burger."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Create an account; without --password-stdin the user sets a password by reset mail."""
    password = typer.get_text_stream("stdin").readline().rstrip("\n") if password_stdin else None
    with open_session() as session, acting(_who()):
        try:
            user = service.create_user(
                session, username=username, name=name, email=email, kind=kind, password=password
            )
            session.commit()
        except IdentityError as exc:
            session.rollback()
            raise fail(str(exc)) from exc
    _run(f"gebruiker {user.username} aangemaakt")


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json")) -> None:
    """Accounts with their roles."""
    with open_session() as session:
        from korps.organisation.models import Unit

        slugs = dict(session.query(Unit.id, Unit.slug).all())
        rows = [
            {
                "username": u.username,
                "name": u.name,
                "kind": u.kind,
                "disabled": u.disabled,
                "demo": u.demo,
                "totp": u.totp_enabled,
                "grants": [
                    f"{g.role}@{slugs.get(g.unit_id, '-') if g.unit_id else '-'}" for g in u.grants
                ],
            }
            for u in service.list_users(session)
        ]
    if as_json:
        print_json(rows)
        return
    table = Table("gebruiker", "naam", "soort", "rollen", "status")
    for row in rows:
        status = "uitgeschakeld" if row["disabled"] else "actief"
        table.add_row(
            str(row["username"]),
            str(row["name"]),
            str(row["kind"]),
            ", ".join(row["grants"]),  # type: ignore[arg-type]
            status + (" (demo)" if row["demo"] else ""),
        )
    console.print(table)


def _change(action: str, **kwargs: object) -> None:
    with open_session() as session, acting(_who()):
        try:
            getattr(service, action)(session, actor=_who().actor, **kwargs)
            session.commit()
        except IdentityError as exc:
            session.rollback()
            raise fail(str(exc)) from exc


@app.command("disable")
def disable(username: str) -> None:
    """Disable an account and end its sessions."""
    _change("set_disabled", username=username, disabled=True)
    _run(f"{username} uitgeschakeld")


@app.command("enable")
def enable(username: str) -> None:
    _change("set_disabled", username=username, disabled=False)
    _run(f"{username} ingeschakeld")


@app.command("grant")
def grant_(username: str, role: str, unit: str = UnitOption) -> None:
    """Give ROLE on --unit (and everything under it)."""
    _change("grant", username=username, role=role, unit=unit)
    _run(f"{username}: {role}" + (f" op {unit}" if unit else ""))


@app.command("revoke")
def revoke(username: str, role: str, unit: str = UnitOption) -> None:
    _change("revoke", username=username, role=role, unit=unit)
    _run(f"{username}: {role} ingetrokken")


@app.command("reset-password")
def reset_password(username: str) -> None:
    """Mail the user a single-use link to set a new password."""
    with open_session() as session, acting(_who()):
        try:
            user = service.get_user(session, username=username)
            if not user.email:
                raise IdentityError(f"{user.username} heeft geen e-mailadres")
            tokens.request_reset(session, email_or_username=user.username)
        except (IdentityError, MailError) as exc:
            session.rollback()
            raise fail(str(exc)) from exc
    _run(f"herstellink gemaild naar {user.email}")


def demo() -> None:
    """Create the demo accounts (one per role) on the loaded data; passwords shown once."""
    with open_session() as session, acting(Context(actor="korps demo")):
        try:
            made = create_demo_accounts(session)
        except IdentityError as exc:
            session.rollback()
            hint = " (laad eerst de datasets: korps load all)" if "eenheid" in str(exc) else ""
            raise fail(f"{exc}{hint}") from exc
    if not made:
        console.print("de demo-accounts bestaan al (wachtwoorden zijn eerder getoond)")
        return
    table = Table(
        "gebruiker", "wachtwoord", "rol", "eenheid", title="DEMO-accounts (alleen om te proberen)"
    )
    for account in made:
        table.add_row(account.username, account.password, account.role, account.unit or "-")
    console.print(table)
    console.print("Medewerkers met een wijzigende rol stellen bij de eerste aanmelding TOTP in.")
