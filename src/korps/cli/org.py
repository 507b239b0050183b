"""``korps org``: the organisation tree and unit details."""

from __future__ import annotations

import typer
from rich.table import Table
from rich.tree import Tree

from korps.cli.common import console, fail, open_session, print_json
from korps.common.formatting import number
from korps.common.i18n import _, ngettext
from korps.organisation import schemas, service
from korps.organisation.service import NotFoundError

app = typer.Typer(no_args_is_help=True, add_completion=False)  # help: cli.commands.COMMANDS


def _label(node: schemas.UnitSummary) -> str:
    parts = [f"[bold]{node.name}[/bold]", f"[dim]{node.kind}[/dim]"]
    if node.code:
        parts.insert(1, f"({node.code})")
    if node.fte is not None:
        parts.append(_("{fte} fte", fte=number(node.fte)))
    if node.wijkagenten is not None:
        parts.append(number(node.wijkagenten) + " " + _("wijkagenten"))
    return "  ".join(parts) + f"  [dim]{node.slug}[/dim]"


def _add(tree: Tree, node: schemas.UnitNode) -> None:
    for child in node.children:
        _add(tree.add(_label(child)), child)


@app.command("tree", help=_("Toon de boom van eenheden onder SLUG met hun fte en wijkagenten."))
def tree(
    slug: str = typer.Argument(..., help=_("De slug van de eenheid.")),
    depth: int | None = typer.Option(
        None, "--depth", min=0, help=_("Het aantal niveaus onder SLUG dat u ziet.")
    ),
    as_json: bool = typer.Option(False, "--json", help=_("Geef de deelboom als JSON.")),
) -> None:
    with open_session() as session:
        try:
            root = service.unit_tree(session, slug=slug, depth=depth)
        except NotFoundError as exc:
            raise fail(str(exc.args[0])) from exc
    if as_json:
        print_json(root)
        return
    rich_tree = Tree(_label(root))
    _add(rich_tree, root)
    console.print(rich_tree)


@app.command(
    "show",
    help=_("Toon één eenheid: haar plaats in de boom, cijfers, onderdelen en gemeenten."),
)
def show(
    slug: str = typer.Argument(..., help=_("De slug van de eenheid.")),
    as_json: bool = typer.Option(False, "--json", help=_("Geef de eenheid als JSON.")),
) -> None:
    with open_session() as session:
        try:
            unit = service.unit_detail(session, slug=slug)
        except NotFoundError as exc:
            raise fail(str(exc.args[0])) from exc
    if as_json:
        print_json(unit)
        return
    path = " › ".join([*(b.name for b in unit.breadcrumbs), unit.name])
    console.print(
        f"[bold]{unit.name}[/bold] ({unit.kind}{', ' + unit.code if unit.code else ''})\n{path}",
        highlight=False,
    )
    if unit.description:
        console.print(unit.description, highlight=False)
    figures = Table(_("categorie"), _("periode"), _("waarde"), _("bron"), title=_("cijfers"))
    for f in unit.figures:
        figures.add_row(f.category, f.period, number(f.value), f.source or "")
    console.print(figures)
    children = Table("slug", _("naam"), _("soort"), "fte", _("wijkagenten"), title=_("onderdelen"))
    for c in unit.children:
        children.add_row(
            c.slug,
            c.name,
            c.kind,
            number(c.fte) if c.fte is not None else "",
            number(c.wijkagenten) if c.wijkagenten is not None else "",
        )
    console.print(children)
    if unit.coverage:
        codes = {c.gemeente.code for c in unit.coverage}
        places = ngettext("{count} gemeente", "{count} gemeenten", len(codes))
        console.print(
            _(
                "{municipalities}, {inhabitants} inwoners",
                municipalities=places.format(count=number(len(codes), 0)),
                inhabitants=number(unit.population or 0, 0),
            )
        )
