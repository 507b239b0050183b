"""``korps capacity``: shift templates, wishes and flexteam lending (registered on the
capacity app by ``korps.cli.capacity``), in the language of the command line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Protocol, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from korps.capacity import imports, schemas, service, templates, wishlist
from korps.cli.common import console, fail, open_session, print_json
from korps.common.datafile import DatasetError, pydantic_reason
from korps.common.formatting import number
from korps.common.i18n import N_, _
from korps.identity.errors import Forbidden
from korps.identity.roles import Principal, Scope
from korps.organisation.service import NotFoundError

M = TypeVar("M", bound=BaseModel)


class Store(Protocol[M]):
    def __call__(
        self, session: Session, *, principal: Principal | None, file: str, rows: list[M]
    ) -> int: ...


# the CLI runs with the database's own rights: a planner over every unit
SYSTEM = Principal(
    user_id=0,
    username="cli",
    name="cli",
    kind="medewerker",
    scopes=(Scope(role="planner", unit_id=None, unit_path="/"),),
)


@contextmanager
def refusals() -> Iterator[None]:
    """Refused input ends the command with the Dutch reason (exit 1); nothing is committed."""
    try:
        yield
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or _("invoer")
        raise fail(f"{where}: {pydantic_reason(error)}") from exc
    except service.CapacityError as exc:
        raise fail(f"{exc.field}: {exc}") from exc
    except DatasetError as exc:
        raise fail(_("geweigerd, niets opgeslagen: {reason}", reason=exc)) from exc
    except (NotFoundError, Forbidden) as exc:
        raise fail(str(exc)) from exc


def list_templates(
    slug: str = typer.Argument(..., help=_("Het team (slug).")),
    as_json: bool = typer.Option(False, "--json", help=_("Geef de dienstsjablonen als JSON.")),
) -> None:
    with refusals(), open_session() as session:
        unit = service.unit_by_slug(session, slug=slug)
        found = templates.shift_templates(session, unit=unit)
    if as_json:
        print_json([t.as_json() for t in found])
        return
    for t in found:
        start, end = t.bounds(date(2027, 1, 4))
        line = N_("{name}: {start}-{end}, {days}, {cars} auto('s) nacht") if t.night else None
        text = _(
            line or N_("{name}: {start}-{end}, {days}, {cars} auto('s)"),
            name=t.name,
            start=f"{start:%H:%M}",
            end=f"{end:%H:%M}",
            days=schemas.weekday_text(t.weekdays),
            cars=number(t.crews, 0),
        )
        console.print(text, highlight=False)


def save_template(
    slug: str = typer.Argument(..., help=_("Het team (slug).")),
    name: str = typer.Argument(..., help=_("De naam van de dienst.")),
    start: str = typer.Option(..., "--start", help=_("De begintijd (UU:MM).")),
    end: str = typer.Option(..., "--end", help=_("De eindtijd (UU:MM).")),
    days: str = typer.Option("ma-zo", "--days", help=_("De dagen: ma-vr, za,zo ...")),
    crews: int = typer.Option(1, "--cars", help=_("Het aantal auto's dat standaard nodig is.")),
    night: bool = typer.Option(False, "--night", help=_("Markeer de dienst als nachtdienst.")),
) -> None:
    with refusals(), open_session() as session:
        data = schemas.TeamShiftIn(
            unit=slug, name=name, start=start, end=end, days=days, crews=crews, night=night
        )
        templates.save_template(session, principal=SYSTEM, data=data)
        session.commit()
    console.print(_("dienst {name} van {team} opgeslagen", name=name, team=slug), highlight=False)


def remove_template(
    slug: str = typer.Argument(..., help=_("Het team (slug).")),
    name: str = typer.Argument(..., help=_("De naam van de dienst.")),
) -> None:
    with refusals(), open_session() as session:
        templates.remove_template(session, principal=SYSTEM, slug=slug, name=name)
        session.commit()
    console.print(_("dienst {name} van {team} verwijderd", name=name, team=slug), highlight=False)


def _import(file: Path, read: Callable[[Path], list[M]], store: Store[M], done: str) -> None:
    """Read and store ``file``; ``done`` (marked with N_) says how many, with {count} {file}."""
    with refusals():
        rows = read(file)
        with open_session() as session:
            count = store(session, principal=SYSTEM, file=str(file), rows=rows)
    console.print(_(done, count=number(count, 0), file=file), highlight=False)


def import_templates(
    file: Path = typer.Argument(..., help=_("CSV- of XLSX-bestand met dienstsjablonen.")),
) -> None:
    done = N_("{count} diensten geïmporteerd uit {file}")
    _import(file, imports.read_templates, imports.import_templates, done)


def add_wish(
    person: str = typer.Argument(..., metavar="number", help=_("Het personeelsnummer.")),
    kind: str = typer.Option(
        ..., "--kind", help=_("De soort wens: vrij, geen_nacht (geen nachtdienst) of dienst.")
    ),
    starts: str = typer.Option(..., "--from", help=_("De eerste dag (JJJJ-MM-DD).")),
    ends: str = typer.Option(..., "--to", help=_("De laatste dag (JJJJ-MM-DD).")),
    shift: str | None = typer.Option(
        None, "--shift", help=_("De gewenste dienst (bij de soort dienst).")
    ),
) -> None:
    with refusals(), open_session() as session:
        data = schemas.WishIn.model_validate(
            {"number": person, "kind": kind, "starts": starts, "ends": ends, "shift": shift}
        )
        wishlist.add_wish(session, principal=SYSTEM, data=data)
        session.commit()
    console.print(_("wens van {number} vastgelegd", number=person), highlight=False)


def import_wishes(
    file: Path = typer.Argument(..., help=_("CSV- of XLSX-bestand met wensen.")),
) -> None:
    done = N_("{count} wensen geïmporteerd uit {file}")
    _import(file, imports.read_wishes, imports.import_wishes, done)


def lend(
    person: str = typer.Argument(..., metavar="number", help=_("Het personeelsnummer.")),
    source: str = typer.Option(
        ..., "--pool", help=_("De eenheid waartoe de persoon behoort (het flexteam).")
    ),
    target: str = typer.Option(
        ..., "--team", help=_("Het team waaraan de persoon wordt uitgeleend.")
    ),
    starts: str = typer.Option(..., "--from", help=_("De eerste dag (JJJJ-MM-DD).")),
    ends: str = typer.Option(..., "--to", help=_("De laatste dag (JJJJ-MM-DD).")),
    hours: float = typer.Option(..., "--hours", help=_("Het aantal uren per week.")),
) -> None:
    with refusals(), open_session() as session:
        data = schemas.LendingIn.model_validate(
            {
                "number": person,
                "from_unit": source,
                "to_unit": target,
                "starts": starts,
                "ends": ends,
                "hours_per_week": hours,
            }
        )
        service.add_lending(session, principal=SYSTEM, data=data)
        session.commit()
    console.print(_("{number} uitgeleend aan {team}", number=person, team=target), highlight=False)


def register(app: typer.Typer) -> None:
    app.command(
        "templates",
        help=_(
            "Toon de dienstsjablonen van een team (de drie standaarddiensten als het er geen "
            "heeft)."
        ),
    )(list_templates)
    app.command(
        "template",
        help=_(
            "Voeg een dienstsjabloon van een team toe of wijzig het (geweigerd als het een "
            "arbeidstijdregel overtreedt)."
        ),
    )(save_template)
    app.command("template-remove", help=_("Verwijder een dienstsjabloon van een team."))(
        remove_template
    )
    app.command(
        "templates-import",
        help=_(
            "Importeer dienstsjablonen; bij één foute regel (of een onbekend team) wordt niets "
            "opgeslagen."
        ),
    )(import_templates)
    app.command(
        "wish",
        help=_(
            "Leg een wens van een persoon vast (de roostergenerator houdt er rekening mee als "
            "dat kan)."
        ),
    )(add_wish)
    app.command(
        "wishes-import",
        help=_(
            "Importeer wensen; bij één foute regel (een onbekende persoon of dienst) wordt niets "
            "opgeslagen."
        ),
    )(import_wishes)
    app.command(
        "lend",
        help=_(
            "Leen een lid van het flexteam uit aan een team (een overlappende uitlening wordt "
            "geweigerd)."
        ),
    )(lend)
