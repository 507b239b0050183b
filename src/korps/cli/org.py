"""``korps org``: the organisation tree and unit details."""

from __future__ import annotations

import typer
from rich.table import Table
from rich.tree import Tree

from korps.cli.common import console, fail, open_session, print_json
from korps.common.formatting import number
from korps.organisation import schemas, service
from korps.organisation.service import NotFoundError

app = typer.Typer(help="Organisation: units, their tree and figures.", no_args_is_help=True)


def _label(node: schemas.UnitSummary) -> str:
    parts = [f"[bold]{node.name}[/bold]", f"[dim]{node.kind}[/dim]"]
    if node.code:
        parts.insert(1, f"({node.code})")
    if node.fte is not None:
        parts.append(f"{number(node.fte)} fte")
    if node.wijkagenten is not None:
        parts.append(f"{number(node.wijkagenten)} wijkagenten")
    return "  ".join(parts) + f"  [dim]{node.slug}[/dim]"


def _add(tree: Tree, node: schemas.UnitNode) -> None:
    for child in node.children:
        _add(tree.add(_label(child)), child)


@app.command("tree")
def tree(
    slug: str,
    depth: int | None = typer.Option(None, "--depth", min=0, help="Levels below SLUG to show."),
    as_json: bool = typer.Option(False, "--json", help="Print the subtree as JSON."),
) -> None:
    """Show the tree of units under SLUG with their fte and wijkagenten."""
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


@app.command("show")
def show(slug: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Show one unit: its place in the tree, figures, children and municipalities."""
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
    figures = Table("category", "period", "value", "source", title="figures")
    for f in unit.figures:
        figures.add_row(f.category, f.period, number(f.value), f.source or "")
    console.print(figures)
    children = Table("slug", "name", "kind", "fte", "wijkagenten", title="children")
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
        console.print(f"{len(codes)} municipalities, {unit.population or 0:,} inhabitants")
