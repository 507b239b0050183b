"""``korps user``: accounts and role grants; ``korps demo``: the demo accounts of `make run`."""

from __future__ import annotations

import getpass

import typer
from rich.table import Table

from korps.audit.service import Context, acting
from korps.cli.common import console, fail, open_session, print_json
from korps.common.i18n import _
from korps.identity import service, tokens
from korps.identity.demo import create_demo_accounts
from korps.identity.errors import IdentityError
from korps.identity.mail import MailError

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.commands.COMMANDS
UnitOption = typer.Option(
    None, "--unit", help=_("De slug van de eenheid waarvoor de rol geldt (met alles eronder).")
)
UsernameArgument = typer.Argument(..., help=_("De gebruikersnaam."))
RoleArgument = typer.Argument(..., help=_("De rol."))


def _who() -> Context:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "onbekend"
    return Context(actor=f"cli:{name}"[:100])


def _run(action: str) -> None:
    console.print(action, highlight=False)


@app.command(
    "create",
    help=_(
        "Maak een account aan; zonder --password-stdin stelt de gebruiker een wachtwoord in "
        "via een herstelmail."
    ),
)
def create(
    username: str = UsernameArgument,
    name: str = typer.Option(..., "--name", help=_("De volledige naam.")),
    email: str = typer.Option(None, "--email", help=_("Het e-mailadres.")),
    kind: str = typer.Option("medewerker", "--kind", help=_("medewerker of burger.")),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help=_("Lees het wachtwoord van de standaardinvoer.")
    ),
) -> None:
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
    _run(_("gebruiker {username} aangemaakt", username=user.username))


@app.command("list", help=_("De accounts met hun rollen."))
def list_(
    as_json: bool = typer.Option(False, "--json", help=_("Geef de accounts als JSON.")),
) -> None:
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
    table = Table(_("gebruiker"), _("naam"), _("soort"), _("rollen"), _("status"))
    for row in rows:
        status = _("uitgeschakeld") if row["disabled"] else _("actief")
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


@app.command("disable", help=_("Schakel een account uit en beëindig zijn sessies."))
def disable(username: str = UsernameArgument) -> None:
    _change("set_disabled", username=username, disabled=True)
    _run(_("{username} uitgeschakeld", username=username))


@app.command("enable", help=_("Schakel een account weer in."))
def enable(username: str = UsernameArgument) -> None:
    _change("set_disabled", username=username, disabled=False)
    _run(_("{username} ingeschakeld", username=username))


@app.command("grant", help=_("Geef ROLE op --unit (en alles eronder)."))
def grant_(
    username: str = UsernameArgument, role: str = RoleArgument, unit: str = UnitOption
) -> None:
    _change("grant", username=username, role=role, unit=unit)
    _run(
        _("{username}: {role} op {unit}", username=username, role=role, unit=unit)
        if unit
        else _("{username}: {role}", username=username, role=role)
    )


@app.command("revoke", help=_("Trek ROLE op --unit in."))
def revoke(
    username: str = UsernameArgument, role: str = RoleArgument, unit: str = UnitOption
) -> None:
    _change("revoke", username=username, role=role, unit=unit)
    _run(_("{username}: {role} ingetrokken", username=username, role=role))


@app.command(
    "reset-password",
    help=_(
        "Mail de gebruiker een link voor eenmalig gebruik om een nieuw wachtwoord in te stellen."
    ),
)
def reset_password(username: str = UsernameArgument) -> None:
    with open_session() as session, acting(_who()):
        try:
            user = service.get_user(session, username=username)
            if not user.email:
                raise IdentityError(_("{username} heeft geen e-mailadres", username=user.username))
            tokens.request_reset(session, email_or_username=user.username)
        except (IdentityError, MailError) as exc:
            session.rollback()
            raise fail(str(exc)) from exc
    _run(_("herstellink gemaild naar {email}", email=user.email))


def demo() -> None:
    with open_session() as session, acting(Context(actor="korps demo")):
        try:
            made = create_demo_accounts(session)
        except IdentityError as exc:
            session.rollback()
            hint = (
                " " + _("(laad eerst de datasets: korps load all)") if "eenheid" in str(exc) else ""
            )
            raise fail(f"{exc}{hint}") from exc
    if not made:
        console.print(_("de demo-accounts bestaan al (de wachtwoorden zijn eerder getoond)"))
        return
    table = Table(
        _("gebruiker"),
        _("wachtwoord"),
        _("rol"),
        _("eenheid"),
        title=_("DEMO-accounts (alleen om te proberen)"),
    )
    for account in made:
        table.add_row(account.username, account.password, account.role, account.unit or "-")
    console.print(table)
    console.print(_("Medewerkers met een wijzigende rol stellen bij de eerste aanmelding TOTP in."))
