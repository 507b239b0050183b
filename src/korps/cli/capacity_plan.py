"""``korps capacity``: shift templates, wishes and flexteam lending (registered on the
capacity app by ``korps.cli.capacity``)."""

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
from korps.common.datafile import DatasetError
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
        where = ".".join(str(p) for p in error["loc"]) or "invoer"
        raise fail(f"{where}: {str(error['msg']).removeprefix('Value error, ')}") from exc
    except service.CapacityError as exc:
        raise fail(f"{exc.field}: {exc}") from exc
    except DatasetError as exc:
        raise fail(f"geweigerd, niets opgeslagen: {exc}") from exc
    except (NotFoundError, Forbidden) as exc:
        raise fail(str(exc)) from exc


def list_templates(slug: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """The team's shift templates (the three standard shifts when it has none)."""
    with refusals(), open_session() as session:
        unit = service.unit_by_slug(session, slug=slug)
        found = templates.shift_templates(session, unit=unit)
    if as_json:
        print_json([t.as_json() for t in found])
        return
    for t in found:
        start, end = t.bounds(date(2027, 1, 4))
        night = " nacht" if t.night else ""
        console.print(
            f"{t.name}: {start:%H:%M}-{end:%H:%M}, {schemas.weekday_text(t.weekdays)}, "
            f"{t.crews} auto('s){night}",
            highlight=False,
        )


def save_template(
    slug: str,
    name: str,
    start: str = typer.Option(..., "--start", help="HH:MM"),
    end: str = typer.Option(..., "--end", help="HH:MM"),
    days: str = typer.Option("ma-zo", "--days", help="ma-vr, za,zo ..."),
    crews: int = typer.Option(1, "--cars", help="Cars required by default."),
    night: bool = typer.Option(False, "--night", help="Mark as a night shift."),
) -> None:
    """Add or change a shift template of a team (refused when it breaks a working-time rule)."""
    with refusals(), open_session() as session:
        data = schemas.TeamShiftIn(
            unit=slug, name=name, start=start, end=end, days=days, crews=crews, night=night
        )
        templates.save_template(session, principal=SYSTEM, data=data)
        session.commit()
    console.print(f"dienst {name} van {slug} opgeslagen", highlight=False)


def remove_template(slug: str, name: str) -> None:
    """Remove a shift template of a team."""
    with refusals(), open_session() as session:
        templates.remove_template(session, principal=SYSTEM, slug=slug, name=name)
        session.commit()
    console.print(f"dienst {name} van {slug} verwijderd", highlight=False)


def _import(file: Path, read: Callable[[Path], list[M]], store: Store[M], noun: str) -> None:
    with refusals():
        rows = read(file)
        with open_session() as session:
            count = store(session, principal=SYSTEM, file=str(file), rows=rows)
    console.print(f"{count} {noun} geïmporteerd uit {file}", highlight=False)


def import_templates(file: Path = typer.Argument(..., help="CSV or XLSX.")) -> None:
    """Import shift templates; one bad row (or an unknown team) and nothing is written."""
    _import(file, imports.read_templates, imports.import_templates, "diensten")


def add_wish(
    number: str,
    kind: str = typer.Option(..., "--kind", help="vrij | geen_nacht | dienst"),
    starts: str = typer.Option(..., "--from", help="YYYY-MM-DD"),
    ends: str = typer.Option(..., "--to", help="YYYY-MM-DD"),
    shift: str | None = typer.Option(None, "--shift", help="The preferred shift (dienst)."),
) -> None:
    """Record a person's wish (the roster generator honours it when it can)."""
    with refusals(), open_session() as session:
        data = schemas.WishIn.model_validate(
            {"number": number, "kind": kind, "starts": starts, "ends": ends, "shift": shift}
        )
        wishlist.add_wish(session, principal=SYSTEM, data=data)
        session.commit()
    console.print(f"wens van {number} vastgelegd", highlight=False)


def import_wishes(file: Path = typer.Argument(..., help="CSV or XLSX.")) -> None:
    """Import wishes; one bad row (unknown person or shift) and nothing is written."""
    _import(file, imports.read_wishes, imports.import_wishes, "wensen")


def lend(
    number: str,
    source: str = typer.Option(..., "--pool", help="The unit the person belongs to."),
    target: str = typer.Option(..., "--team", help="The team the person is lent to."),
    starts: str = typer.Option(..., "--from", help="YYYY-MM-DD"),
    ends: str = typer.Option(..., "--to", help="YYYY-MM-DD"),
    hours: float = typer.Option(..., "--hours", help="Hours a week."),
) -> None:
    """Lend a flexteam member to a team (an overlapping lending is refused)."""
    with refusals(), open_session() as session:
        data = schemas.LendingIn.model_validate(
            {
                "number": number,
                "from_unit": source,
                "to_unit": target,
                "starts": starts,
                "ends": ends,
                "hours_per_week": hours,
            }
        )
        service.add_lending(session, principal=SYSTEM, data=data)
        session.commit()
    console.print(f"{number} uitgeleend aan {target}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("templates")(list_templates)
    app.command("template")(save_template)
    app.command("template-remove")(remove_template)
    app.command("templates-import")(import_templates)
    app.command("wish")(add_wish)
    app.command("wishes-import")(import_wishes)
    app.command("lend")(lend)
