"""Simulation results as JSON and as plots (PNG files and one self-contained HTML page)."""

from __future__ import annotations

import base64
import csv
import html
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt

from korps.common.formatting import number, percent
from korps.sim.engine import Model, Replication
from korps.sim.kpi import SimResult, clean_nan

COLOURS = {1: "#b3261e", 2: "#15457c", 3: "#6b7a8f"}
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def result_json(result: SimResult) -> dict[str, Any]:
    data = asdict(result)
    data["utilisation_by_how"] = [round(float(v), 4) for v in result.utilisation_by_how]
    data["unit_utilisation"] = [round(float(v), 4) for v in result.unit_utilisation]
    return dict(clean_nan(data))


def _png(figure: Any, path: Path) -> None:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _ci(e: Any) -> str:
    """A share with its 95 % confidence interval (over the replications), as text."""
    if math.isnan(e.mean):
        return ""
    if math.isnan(e.low):
        return f"{e.mean:.1%}"
    return f"{e.mean:.1%} ({e.low:.1%}-{e.high:.1%})"


def write_plots(
    model: Model,
    reps: list[Replication],
    result: SimResult,
    folder: Path,
    monthly: list[dict[str, Any]] | None = None,
) -> list[Path]:
    """Response-time distribution per priority with norm lines, compliance per basisteam,
    utilisation by hour of the week; PNG files and ``report.html`` embedding them, with the
    prio-1 table per area and month (``monthly_rows``, computed here when not given)."""
    folder.mkdir(parents=True, exist_ok=True)
    if monthly is None:
        monthly = monthly_rows(model, reps)
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
    label = {a.key: a.name or a.key for a in model.scenario.areas}
    names = [label.get(a.key, a.key) for a in areas]
    shares = [a.within_norm.mean for a in areas]
    axis.barh(names, shares, color=COLOURS[1])
    norm = model.scenario.norms.get(1)
    if norm is not None:
        axis.axvline(norm.share, color="black", linestyle="--", linewidth=1)
    axis.set_xlim(0, 1)
    axis.invert_yaxis()
    axis.set_xlabel("aandeel prio 1 binnen de norm")
    axis.set_title("Normhaling prio 1 per gebied")
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
        f"</td><td>{_ci(k.within_norm)}</td>"
        f"<td>{k.p50.mean:.1f}</td><td>{k.p90.mean:.1f}</td></tr>"
        for k in result.priorities
    )
    assumed = "".join(
        f"<tr><th>{html.escape(name)}</th><td>{html.escape(text)}</td></tr>"
        for name, text in assumptions(model)
    )
    page = (
        "<!doctype html><html lang='nl'><meta charset='utf-8'>"
        f"<title>{html.escape(result.scenario)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto}"
        "img{max-width:100%}td,th{padding:.2rem .6rem;text-align:right}"
        ".aannames td,.aannames th{text-align:left}summary{cursor:pointer}"
        ".maanden td:first-child{text-align:left}</style>"
        f"<h1>{html.escape(result.scenario)}</h1><p>{result.replications} replicaties, "
        f"seed {result.seed}, {result.incidents:,.0f} incidenten per replicatie</p>"
        "<table><tr><th>prioriteit</th><th>incidenten</th><th>norm</th>"
        "<th>binnen norm (95%-BI)</th>"
        f"<th>P50</th><th>P90</th></tr>{rows}</table>"
        f"<p>bezettingsgraad {_ci(result.utilisation)}</p>"
        f"<h2>Aannames</h2><table class='aannames'>{assumed}</table>{images}"
        f"{monthly_html(monthly, len(reps))}</html>"
    )
    paths.append(folder / "report.html")
    paths[-1].write_text(page, encoding="utf-8")
    return paths


MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MONTH_COLUMNS = (
    "gebied",
    "soort",
    "maand",
    "prio1_meldingen",
    "binnen_15_min",
    "klasse_0_5_min",
    "klasse_5_10_min",
    "klasse_10_15_min",
    "klasse_15_plus_min",
    "niet_ter_plaatse",
)


def month_of(minutes: FloatArray) -> IntArray:
    """Month 1-12 of a time in minutes: the simulation starts on 1 January of a 365-day
    year (the weekday profile keeps time 0 a Monday; months only group the output)."""
    edges = np.cumsum((0, *MONTH_DAYS)) * 1440.0
    within = np.mod(minutes, 365 * 1440.0)
    return np.asarray(np.searchsorted(edges, within, side="right"), dtype=np.int64)


def monthly_rows(model: Model, reps: list[Replication]) -> list[dict[str, Any]]:
    """Per area and month, as the police publish prio-1 figures per municipality and month
    (data.politie.nl): the number of prio-1 incidents (mean per replication), the share on
    scene within the norm (15 minutes; pooled over the replications) and the counts per
    response-time class; incidents of the warm-up are left out."""
    norm = model.scenario.norms.get(1)
    minutes = norm.minutes if norm is not None else 15.0
    edges = np.array([5.0, 10.0, minutes])
    areas = model.scenario.areas
    cells = len(areas) * 13 * 5  # area, month 0-12, class 0-4
    counts = np.zeros(cells, dtype=np.int64)
    warm = model.scenario.warmup_days * 1440.0
    for rep in reps:
        inc = rep.incidents
        keep = (inc.priority == 1) & (inc.time >= warm)
        response = (rep.on_scene - inc.time)[keep]
        late = np.isnan(response)
        klass = np.minimum(np.searchsorted(edges, response, side="left"), 3)
        klass = np.where(late, 4, klass)
        cell = (inc.atom[keep].astype(np.int64) * 13 + month_of(inc.time[keep])) * 5 + klass
        counts += np.bincount(cell, minlength=cells)
    table = counts.reshape(len(areas), 13, 5)
    rows = []
    for a, m in zip(*np.nonzero(table.sum(axis=2)), strict=True):
        row = table[a, m]
        total = float(row.sum())
        rows.append(
            {
                "gebied": areas[a].name or areas[a].key,
                "soort": areas[a].kind,
                "maand": int(m),
                "prio1_meldingen": total / len(reps),
                "binnen_15_min": float(row[:3].sum() / total),
                **{column: float(row[k] / len(reps)) for k, column in enumerate(MONTH_COLUMNS[5:])},
            }
        )
    return rows


MONTH_NAMES = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
MONTH_HEADS = (
    "maand",
    "prio 1",
    "binnen 15 min",
    "0-5",
    "5-10",
    "10-15",
    "15+",
    "niet ter plaatse",
)


def monthly_html(rows: list[dict[str, Any]], replications: int) -> str:
    """The monthly table of ``monthly_rows`` as HTML: one collapsible block per area (the
    run's prio-1 incidents and share within 15 minutes in the summary line), the months
    inside; numbers in Dutch notation. Counts are means per replication."""
    decimals = 0 if replications == 1 else 1
    by_area: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:  # a basisteam and a municipality may share a name
        by_area.setdefault((row["gebied"], row["soort"]), []).append(row)
    blocks = []
    for (area, kind), months in by_area.items():
        total = sum(r["prio1_meldingen"] for r in months)
        within = sum(r["binnen_15_min"] * r["prio1_meldingen"] for r in months)
        body = "".join(
            f"<tr><td>{MONTH_NAMES[r['maand'] - 1]}</td>"
            f"<td>{number(r['prio1_meldingen'], decimals)}</td>"
            f"<td>{percent(r['binnen_15_min'])}</td>"
            + "".join(f"<td>{number(r[c], decimals)}</td>" for c in MONTH_COLUMNS[5:])
            + "</tr>"
            for r in months
        )
        heads = "".join(f"<th>{h}</th>" for h in MONTH_HEADS)
        blocks.append(
            f"<details><summary>{html.escape(area)} ({html.escape(kind)}): "
            f"{number(total, decimals)} prio-1-meldingen, "
            f"{percent(within / total if total else None)} binnen 15 minuten"
            f"</summary><table class='maanden'><tr>{heads}</tr>{body}</table></details>"
        )
    return (
        f"<h2>Prio 1 per gebied en maand</h2><p>{number(len(rows), 0)} rijen "
        f"({number(len(by_area), 0)} gebieden) in de vorm waarin de politie deze cijfers per "
        "gemeente en maand publiceert (data.politie.nl): meldingen, aandeel binnen 15 minuten "
        "en aantallen per klasse van de aanrijdtijd in minuten"
        + ("" if replications == 1 else f", gemiddeld over {replications} replicaties")
        + "; de opwarmperiode telt niet mee.</p>"
        + "".join(blocks)
    )


def write_monthly(rows: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=MONTH_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()})


def assumptions(model: Model) -> list[tuple[str, str]]:
    """What the run assumed, in words: areas, demand, roster, availability, travel."""
    s = model.scenario
    kinds: dict[str, int] = {}
    for area in s.areas:
        kinds[area.kind] = kinds.get(area.kind, 0) + 1
    label = {"basisteam": "basisteams", "gemeente": "gemeenten (geen basisteamdekking)"}
    per_shift = {
        shift.name: sum(s.units_of(a.key)[shift.name] for a in s.areas) for shift in s.roster.shifts
    }
    rates = model.rates.sum(axis=0)
    travel = s.travel
    speeds = " / ".join(f"{travel.speed_kmh[p] * travel.scale:g}" for p in (1, 2, 3))
    dense = travel.density
    density = (
        f"stedelijk x{dense.urban_factor:g} vanaf {dense.urban_density:g} inw/km2, "
        f"landelijk x{dense.rural_factor:g} tot {dense.rural_density:g} inw/km2"
        if dense is not None
        else "overal dezelfde snelheid"
    )
    room = s.control_room
    return [
        ("gebieden", ", ".join(f"{n} {label.get(k, k)}" for k, n in sorted(kinds.items()))),
        (
            "vraag per jaar",
            f"{rates.sum():,.0f} incidenten: prio 1 {rates[0]:,.0f}, prio 2 {rates[1]:,.0f}, "
            f"prio 3 {rates[2]:,.0f}",
        ),
        (
            "rooster (eenheden in dienst)",
            ", ".join(f"{name} {n}" for name, n in per_shift.items()),
        ),
        (
            "beschikbaarheid",
            f"{s.availability.share:.0%} van de diensttijd vrij voor incidenten "
            f"(eigen werk in perioden van gemiddeld {s.availability.episode_minutes:g} min)",
        ),
        (
            "rijden",
            f"{speeds} km/u (prio 1/2/3), omrijfactor {travel.detour:g}; {density}; "
            f"uitruktijd {travel.turnout_minutes.get(1, 0):g} min",
        ),
        ("meldkamer", "niet gemodelleerd" if room is None else f"centralisten {room.operators}"),
    ]
