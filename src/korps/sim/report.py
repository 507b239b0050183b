"""Simulation results as JSON and as plots (PNG files and one self-contained HTML page).

The page, the plots' labels and the assumptions are in the current locale (``korps.common
.i18n``; Dutch by default), numbers in its notation; the CSV's columns stay as they are."""

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
from babel.dates import get_day_names, get_month_names

from korps.common.formatting import number, percent, short
from korps.common.i18n import _, current_locale
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


def share_with_interval(e: Any) -> str:
    """A share with its 95 % confidence interval (over the replications) in the reader's
    notation: 85,6% (84,1%-87,0%)."""
    if math.isnan(e.mean):
        return ""
    if math.isnan(e.low):
        return percent(e.mean)
    return f"{percent(e.mean)} ({percent(e.low)}-{percent(e.high)})"


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
    axis.set_xlabel(_("aanrijdtijd (minuten)"))
    axis.set_ylabel(_("aandeel incidenten"))
    axis.set_title(_("Aanrijdtijden met normen (streep: minuten, stip: aandeel)"))
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
    axis.set_xlabel(_("aandeel prio 1 binnen de norm"))
    axis.set_title(_("Normhaling prio 1 per gebied"))
    paths.append(folder / "normhaling.png")
    _png(figure, paths[-1])

    figure, axis = plt.subplots(figsize=(9, 3.5))
    axis.plot(np.arange(168), result.utilisation_by_how, color=COLOURS[2])
    for day in range(1, 7):
        axis.axvline(day * 24, color="#cccccc", linewidth=0.8)
    days = get_day_names("abbreviated", locale=current_locale())
    axis.set_xticks([d * 24 + 12 for d in range(7)], [days[d] for d in range(7)])
    axis.set_ylim(0, 1)
    axis.set_ylabel(_("bezettingsgraad eenheden"))
    axis.set_title(_("Bezettingsgraad per uur van de week"))
    paths.append(folder / "bezettingsgraad.png")
    _png(figure, paths[-1])

    images = "".join(
        f'<figure><img alt="{html.escape(p.stem)}" src="data:image/png;base64,'
        f'{base64.b64encode(p.read_bytes()).decode()}"></figure>'
        for p in paths
    )
    rows = "".join(
        f"<tr><td>prio {k.priority}</td><td>{number(k.incidents, 0)}</td>"
        f"<td>{_norm(k.norm_minutes, k.target_share)}</td>"
        f"<td>{share_with_interval(k.within_norm)}</td>"
        f"<td>{number(k.p50.mean)}</td><td>{number(k.p90.mean)}</td></tr>"
        for k in result.priorities
    )
    heads = "".join(
        f"<th>{html.escape(h)}</th>"
        for h in (
            _("prioriteit"),
            _("incidenten"),
            _("norm"),
            _("binnen norm (95%-BI)"),
            "P50",
            "P90",
        )
    )
    summary = _(
        "{replications} replicaties, seed {seed}, {incidents} incidenten per replicatie",
        replications=number(result.replications, 0),
        seed=result.seed,
        incidents=number(result.incidents, 0),
    )
    assumed = "".join(
        f"<tr><th>{html.escape(name)}</th><td>{html.escape(text)}</td></tr>"
        for name, text in assumptions(model)
    )
    utilisation = _("bezettingsgraad {share}", share=share_with_interval(result.utilisation))
    assumed_head = _("Aannames")
    page = (
        f"<!doctype html><html lang='{current_locale()}'><meta charset='utf-8'>"
        f"<title>{html.escape(result.scenario)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto}"
        "img{max-width:100%}td,th{padding:.2rem .6rem;text-align:right}"
        ".aannames td,.aannames th{text-align:left}summary{cursor:pointer}"
        ".maanden td:first-child{text-align:left}</style>"
        f"<h1>{html.escape(result.scenario)}</h1><p>{html.escape(summary)}</p>"
        f"<table><tr>{heads}</tr>{rows}</table>"
        f"<p>{html.escape(utilisation)}</p>"
        f"<h2>{html.escape(assumed_head)}</h2><table class='aannames'>{assumed}</table>{images}"
        f"{monthly_html(monthly, len(reps))}</html>"
    )
    paths.append(folder / "report.html")
    paths[-1].write_text(page, encoding="utf-8")
    return paths


def _norm(minutes: float | None, share: float | None) -> str:
    """A norm as the report shows it: 15 min / 82%."""
    if minutes is None or share is None:
        return ""
    return f"{short(minutes)} min / {percent(share, 0)}"


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


def monthly_html(rows: list[dict[str, Any]], replications: int) -> str:
    """The monthly table of ``monthly_rows`` as HTML: one collapsible block per area (the
    run's prio-1 incidents and share within 15 minutes in the summary line), the months
    inside; numbers and month names in the reader's notation. Counts are means per
    replication."""
    decimals = 0 if replications == 1 else 1
    names = get_month_names("abbreviated", locale=current_locale())
    heads = "".join(
        f"<th>{html.escape(h)}</th>"
        for h in (
            _("maand"),
            "prio 1",
            _("binnen 15 min"),
            "0-5",
            "5-10",
            "10-15",
            "15+",
            _("niet ter plaatse"),
        )
    )
    by_area: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:  # a basisteam and a municipality may share a name
        by_area.setdefault((row["gebied"], row["soort"]), []).append(row)
    blocks = []
    for (area, kind), months in by_area.items():
        total = sum(r["prio1_meldingen"] for r in months)
        within = sum(r["binnen_15_min"] * r["prio1_meldingen"] for r in months)
        body = "".join(
            f"<tr><td>{html.escape(names[r['maand']])}</td>"
            f"<td>{number(r['prio1_meldingen'], decimals)}</td>"
            f"<td>{percent(r['binnen_15_min'])}</td>"
            + "".join(f"<td>{number(r[c], decimals)}</td>" for c in MONTH_COLUMNS[5:])
            + "</tr>"
            for r in months
        )
        line = _(
            "{incidents} prio-1-meldingen, {share} binnen 15 minuten",
            incidents=number(total, decimals),
            share=percent(within / total if total else None),
        )
        blocks.append(
            f"<details><summary>{html.escape(area)} ({html.escape(kind)}): "
            f"{html.escape(line)}</summary>"
            f"<table class='maanden'><tr>{heads}</tr>{body}</table></details>"
        )
    if replications == 1:
        intro = _(
            "{rows} rijen ({areas} gebieden) in de vorm waarin de politie deze cijfers per "
            "gemeente en maand publiceert (data.politie.nl): meldingen, aandeel binnen 15 "
            "minuten en aantallen per klasse van de aanrijdtijd in minuten; de opwarmperiode "
            "telt niet mee.",
            rows=number(len(rows), 0),
            areas=number(len(by_area), 0),
        )
    else:
        intro = _(
            "{rows} rijen ({areas} gebieden) in de vorm waarin de politie deze cijfers per "
            "gemeente en maand publiceert (data.politie.nl): meldingen, aandeel binnen 15 "
            "minuten en aantallen per klasse van de aanrijdtijd in minuten, gemiddeld over "
            "{replications} replicaties; de opwarmperiode telt niet mee.",
            rows=number(len(rows), 0),
            areas=number(len(by_area), 0),
            replications=number(replications, 0),
        )
    heading = _("Prio 1 per gebied en maand")
    return f"<h2>{html.escape(heading)}</h2><p>{html.escape(intro)}</p>" + "".join(blocks)


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
    label = {"basisteam": _("basisteams"), "gemeente": _("gemeenten (geen basisteamdekking)")}
    per_shift = {
        shift.name: sum(s.units_of(a.key)[shift.name] for a in s.areas) for shift in s.roster.shifts
    }
    rates = model.rates.sum(axis=0)
    travel = s.travel
    speeds = " / ".join(short(travel.speed_kmh[p] * travel.scale) for p in (1, 2, 3))
    dense = travel.density
    density = (
        _(
            "stedelijk x{urban} vanaf {urban_density} inw/km2, "
            "landelijk x{rural} tot {rural_density} inw/km2",
            urban=short(dense.urban_factor),
            urban_density=short(dense.urban_density),
            rural=short(dense.rural_factor),
            rural_density=short(dense.rural_density),
        )
        if dense is not None
        else _("overal dezelfde snelheid")
    )
    room = s.control_room
    return [
        (
            _("gebieden"),
            ", ".join(f"{number(n, 0)} {label.get(k, k)}" for k, n in sorted(kinds.items())),
        ),
        (
            _("vraag per jaar"),
            _(
                "{total} incidenten: prio 1 {p1}, prio 2 {p2}, prio 3 {p3}",
                total=number(float(rates.sum()), 0),
                p1=number(float(rates[0]), 0),
                p2=number(float(rates[1]), 0),
                p3=number(float(rates[2]), 0),
            ),
        ),
        (
            _("rooster (eenheden in dienst)"),
            ", ".join(f"{name} {number(n, 0)}" for name, n in per_shift.items()),
        ),
        (
            _("beschikbaarheid"),
            _(
                "{share} van de diensttijd vrij voor incidenten (eigen werk in perioden van "
                "gemiddeld {minutes} min)",
                share=percent(s.availability.share, 0),
                minutes=short(s.availability.episode_minutes),
            ),
        ),
        (
            _("rijden"),
            _(
                "{speeds} km/u (prio 1/2/3), omrijfactor {detour}; {density}; "
                "uitruktijd {turnout} min",
                speeds=speeds,
                detour=short(travel.detour),
                density=density,
                turnout=short(travel.turnout_minutes.get(1, 0)),
            ),
        ),
        (
            _("meldkamer"),
            _("niet gemodelleerd")
            if room is None
            else _("centralisten {operators}", operators=_operators(room.operators)),
        ),
    ]


def _operators(operators: int | dict[str, int]) -> str:
    """Operators on duty: 6, or per shift: D 6, A 5, N 3."""
    if isinstance(operators, int):
        return number(operators, 0)
    return ", ".join(f"{shift} {number(n, 0)}" for shift, n in operators.items())
