"""A trend plot as a small, self-contained SVG (no script, no external files): the actuals as
a line with points, the targets as a dashed line, years on the x-axis."""

from __future__ import annotations

from html import escape

from korps.common.datatexts import shown
from korps.monitor.schemas import StatusRow

WIDTH, HEIGHT, PAD = 480, 200, 40
COLOURS = {"op-koers": "#1a7f37", "aandacht": "#b35900", "uit-koers": "#c62828"}


def _fmt(value: float) -> str:
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def trend_svg(row: StatusRow, first_year: int, last_year: int) -> str:
    # a quarter or month sits at its middle, a year at its tick
    points = [(p.year + (p.first_month - 1 + p.months / 2) / 12 - 0.5, p.value) for p in row.series]
    labels = [p.period for p in row.series]
    goals = [(t.year, t.value) for t in row.targets if t.value is not None]
    values = [v for _, v in points] + [v for _, v in goals]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if row.measure == "procent":
        low, high = min(low, 0.0) if low < 50 else low - 10, min(max(high, 0.0) + 5, 100.0)
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    span_years = max(last_year - first_year, 1)

    def x(year: float) -> float:
        return PAD + (year - first_year) / span_years * (WIDTH - 2 * PAD)

    def y(value: float) -> float:
        return HEIGHT - PAD + 10 - (value - low) / (high - low) * (HEIGHT - 2 * PAD)

    title = escape(f"{shown(row.name)}: {row.unit_name}")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{title}" '
        'font-family="KorpsSans, DejaVu Sans, sans-serif">',
        f"<title>{title}</title>",
        f'<line x1="{PAD}" y1="{HEIGHT - PAD + 10}" x2="{WIDTH - PAD}" '
        f'y2="{HEIGHT - PAD + 10}" stroke="#888"/>',
    ]
    for year in range(first_year, last_year + 1):
        parts.append(
            f'<text x="{x(year):.1f}" y="{HEIGHT - 8}" font-size="11" '
            f'text-anchor="middle">{year}</text>'
        )
    for value in (low, high):
        parts.append(f'<text x="4" y="{y(value) + 4:.1f}" font-size="10">{_fmt(value)}</text>')
    if goals:
        path = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in goals)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="#555" '
            'stroke-dasharray="5,4"><title>doel</title></polyline>'
        )
    colour = COLOURS.get(row.status, "#1f4e99")
    if points:
        path = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for (a, b), label in zip(points, labels, strict=True):
            parts.append(
                f'<circle cx="{x(a):.1f}" cy="{y(b):.1f}" r="4" fill="{colour}">'
                f"<title>{label}: {_fmt(b)}</title></circle>"
            )
    else:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" '
            'font-size="12">nog geen meting</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
