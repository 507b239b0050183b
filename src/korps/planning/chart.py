"""A bar chart of current vs proposed per team, as inline SVG (no JavaScript, works offline)."""

from __future__ import annotations

from dataclasses import dataclass

from korps.planning.plan import Result

ROW = 22
LABEL = 190
WIDTH = 760


@dataclass(frozen=True)
class Bar:
    name: str
    y: float
    current: float | None
    proposed: float
    current_width: float
    proposed_width: float


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    label_width: int
    plot_width: int
    maximum: float


def bars(result: Result) -> Chart:
    """One pair of bars per team of the deepest level."""
    deepest = max(r.level for r in result.rows)
    rows = [r for r in result.ordered() if r.level == deepest]
    top = max([r.total for r in rows] + [r.current or 0.0 for r in rows] + [1e-9])
    plot = WIDTH - LABEL - 60
    items = [
        Bar(
            name=r.name,
            y=i * ROW,
            current=r.current,
            proposed=r.total,
            current_width=0.0 if r.current is None else plot * r.current / top,
            proposed_width=plot * r.total / top,
        )
        for i, r in enumerate(rows)
    ]
    return Chart(
        bars=items, height=len(items) * ROW + 30, label_width=LABEL, plot_width=plot, maximum=top
    )
