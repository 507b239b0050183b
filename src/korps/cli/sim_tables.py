"""The tables and lines ``korps sim`` prints: KPIs per priority and group, the calibration's
summary; numbers in the reader's notation (``korps.common.formatting``)."""

from __future__ import annotations

import math
from pathlib import Path

from babel.dates import get_day_names
from rich.table import Table

from korps.cli.common import console
from korps.common.formatting import number, percent, short
from korps.common.i18n import N_, _, current_locale
from korps.sim.calibrate import Calibration, DurationFit
from korps.sim.kpi import AreaKpi, PriorityKpi, SimResult
from korps.sim.report import share_with_interval
from korps.sim.scenario import DAYS

AREAS_FROM = {"scenario": N_("het scenario"), "database": N_("de database")}


def minutes(value: float) -> str:
    return "" if math.isnan(value) else number(value)


def kpi_table(title: str, count: str) -> Table:
    return Table(
        _("prio"),
        count,
        _("norm"),
        _("binnen norm (95%-BI)"),
        _("doel gehaald"),
        _("P50 min"),
        _("P90 min"),
        title=title,
    )


def kpi_rows(table: Table, priorities: list[PriorityKpi]) -> Table:
    for k in priorities:
        norm = ""
        if k.norm_minutes is not None and k.target_share is not None:
            norm = f"{short(k.norm_minutes)} min, >= {percent(k.target_share, 0)}"
        met = {True: _("ja"), False: _("NEE"), None: ""}[k.meets_target]
        table.add_row(
            str(k.priority),
            number(k.incidents, 0),
            norm,
            share_with_interval(k.within_norm),
            met,
            minutes(k.p50.mean),
            minutes(k.p90.mean),
        )
    return table


def run_table(result: SimResult) -> Table:
    title = _(
        "{scenario}: {replications} replicaties, seed {seed}",
        scenario=result.scenario,
        replications=number(result.replications, 0),
        seed=result.seed,
    )
    return kpi_rows(kpi_table(title, _("meldingen/replicatie")), result.priorities)


def group_table(title: str, kpis: list[AreaKpi]) -> Table:
    priorities = sorted({k.priority for k in kpis})
    table = Table(
        title, *(_("prio {priority} binnen norm (n)", priority=p) for p in priorities), title=None
    )
    rows: dict[str, dict[int, AreaKpi]] = {}
    for k in kpis:
        rows.setdefault(k.key, {})[k.priority] = k
    for key, by_priority in rows.items():
        table.add_row(
            key,
            *(
                f"{share_with_interval(by_priority[p].within_norm)} "
                f"({number(by_priority[p].incidents, 0)})"
                for p in priorities
            ),
        )
    return table


def duration(f: DurationFit) -> str:
    """A fitted duration: mean (cv, n); a default one says so."""
    if not f.fitted:
        return _(
            "{mean} (standaard; {observed} waargenomen)",
            mean=short(f.mean),
            observed=number(f.observations, 0),
        )
    return f"{number(f.mean)} ({number(f.cv, 2)}, {number(f.observations, 0)})"


def hour_of_week(label: str) -> str:
    """``vr 22:00`` (the scenario's day code) with the reader's day name: Fri 22:00."""
    day, _space, hour = label.partition(" ")
    if day not in DAYS:
        return label
    return f"{get_day_names('abbreviated', locale=current_locale())[DAYS.index(day)]} {hour}"


def calibration_summary(result: Calibration, out: Path) -> None:
    table = Table(
        _("prio"),
        _("meldingen/jaar"),
        _("ter plaatse: gemiddeld min (cv, n)"),
        _("aanname tot uitgifte: gemiddeld min (cv, n)"),
        title=_(
            "{file}: {count} meldingen over {days} dagen",
            file=result.file,
            count=number(result.incidents, 0),
            days=number(result.span_days),
        ),
    )
    for service, intake in zip(result.service, result.intake, strict=True):
        p = service.priority
        per_year = sum(rates[p] for rates in result.rates.values())
        table.add_row(str(p), number(per_year, 0), duration(service), duration(intake))
    console.print(table)
    two = percent(result.two_unit_share)
    if not result.two_unit_fitted:
        two = _("{share} (standaard)", share=two)
    console.print(
        _(
            "{teams} basisteams (gebieden uit {source}); aandeel prio 1 met twee eenheden "
            "{two}; profiel piek {peak} x{peak_factor}, laagst {low} x{low_factor}",
            teams=number(len(result.rates), 0),
            source=_(AREAS_FROM.get(result.areas_from, result.areas_from)),
            two=two,
            peak=hour_of_week(result.profile_peak[0]),
            peak_factor=number(result.profile_peak[1], 2),
            low=hour_of_week(result.profile_low[0]),
            low_factor=number(result.profile_low[1], 2),
        ),
        highlight=False,
    )
    console.print(_("scenario geschreven naar {file}", file=str(out)), highlight=False)
