"""Simulation results as JSON and as plots (PNG files and one self-contained HTML page)."""

from __future__ import annotations

import base64
import html
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from korps.sim.engine import Model, Replication
from korps.sim.kpi import SimResult, clean_nan

COLOURS = {1: "#b3261e", 2: "#15457c", 3: "#6b7a8f"}


def result_json(result: SimResult) -> dict[str, Any]:
    data = asdict(result)
    data["utilisation_by_how"] = [round(float(v), 4) for v in result.utilisation_by_how]
    data["unit_utilisation"] = [round(float(v), 4) for v in result.unit_utilisation]
    return dict(clean_nan(data))


def _png(figure: Any, path: Path) -> None:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_plots(
    model: Model, reps: list[Replication], result: SimResult, folder: Path
) -> list[Path]:
    """Response-time distribution per priority with norm lines, compliance per basisteam,
    utilisation by hour of the week; PNG files and ``report.html`` embedding them."""
    folder.mkdir(parents=True, exist_ok=True)
    warm = model.scenario.warmup_days * 1440.0
    figure, axis = plt.subplots(figsize=(8, 4.5))
    for p in (1, 2, 3):
        values = np.concatenate(
            [
                (r.on_scene - r.incidents.time)[
                    (r.incidents.priority == p) & (r.incidents.time >= warm)
                ]
                for r in reps
            ]
        )
        values = np.sort(values[~np.isnan(values)])
        if values.size:
            axis.plot(
                values,
                np.arange(1, values.size + 1) / values.size,
                color=COLOURS[p],
                label=f"prio {p}",
            )
        norm = model.scenario.norms.get(p)
        if norm is not None:
            axis.axvline(norm.minutes, color=COLOURS[p], linestyle="--", linewidth=1)
            axis.axhline(norm.share, color=COLOURS[p], linestyle=":", linewidth=1)
    axis.set_xlim(0, 60)
    axis.set_xlabel("aanrijdtijd (minuten)")
    axis.set_ylabel("aandeel incidenten")
    axis.set_title("Aanrijdtijden met normen (streep: minuten, stip: aandeel)")
    axis.legend()
    paths = [folder / "aanrijdtijden.png"]
    _png(figure, paths[-1])

    areas = [a for a in result.areas if a.priority == 1]
    figure, axis = plt.subplots(figsize=(8, max(3.0, 0.32 * len(areas) + 1)))
    names = [a.key for a in areas]
    shares = [a.within_norm.mean for a in areas]
    axis.barh(names, shares, color=COLOURS[1])
    norm = model.scenario.norms.get(1)
    if norm is not None:
        axis.axvline(norm.share, color="black", linestyle="--", linewidth=1)
    axis.set_xlim(0, 1)
    axis.invert_yaxis()
    axis.set_xlabel("aandeel prio 1 binnen de norm")
    axis.set_title("Normhaling prio 1 per basisteam")
    paths.append(folder / "normhaling.png")
    _png(figure, paths[-1])

    figure, axis = plt.subplots(figsize=(9, 3.5))
    axis.plot(np.arange(168), result.utilisation_by_how, color=COLOURS[2])
    for day in range(1, 7):
        axis.axvline(day * 24, color="#cccccc", linewidth=0.8)
    axis.set_xticks([d * 24 + 12 for d in range(7)], ["ma", "di", "wo", "do", "vr", "za", "zo"])
    axis.set_ylim(0, 1)
    axis.set_ylabel("bezettingsgraad eenheden")
    axis.set_title("Bezettingsgraad per uur van de week")
    paths.append(folder / "bezettingsgraad.png")
    _png(figure, paths[-1])

    images = "".join(
        f'<figure><img alt="{html.escape(p.stem)}" src="data:image/png;base64,'
        f'{base64.b64encode(p.read_bytes()).decode()}"></figure>'
        for p in paths
    )
    rows = "".join(
        f"<tr><td>prio {k.priority}</td><td>{k.incidents:,.0f}</td>"
        f"<td>{'' if k.norm_minutes is None else f'{k.norm_minutes:g} min / {k.target_share:.0%}'}"
        f"</td><td>{'' if math.isnan(k.within_norm.mean) else f'{k.within_norm.mean:.1%}'}</td>"
        f"<td>{k.p50.mean:.1f}</td><td>{k.p90.mean:.1f}</td></tr>"
        for k in result.priorities
    )
    page = (
        "<!doctype html><html lang='nl'><meta charset='utf-8'>"
        f"<title>{html.escape(result.scenario)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto}"
        "img{max-width:100%}td,th{padding:.2rem .6rem;text-align:right}</style>"
        f"<h1>{html.escape(result.scenario)}</h1><p>{result.replications} replicaties, "
        f"seed {result.seed}, {result.incidents:,.0f} incidenten per replicatie</p>"
        "<table><tr><th>prioriteit</th><th>incidenten</th><th>norm</th><th>binnen norm</th>"
        f"<th>P50</th><th>P90</th></tr>{rows}</table>{images}</html>"
    )
    paths.append(folder / "report.html")
    paths[-1].write_text(page, encoding="utf-8")
    return paths
