"""Numbers as Dutch readers write them, the same in pages, reports and the CLI."""

from __future__ import annotations


def number(value: float | int | None, decimals: int = 1) -> str:
    """Dutch notation: 3.833,0 ; integers without decimals."""
    if value is None:
        return "–"
    if float(value).is_integer() and decimals == 0:
        text = f"{int(value):,}"
    else:
        text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")
