"""``korps sim calibrate --unit SLUG --target-share S``: fit the twin of a unit to a
published share within 15 minutes (availability or speed alone, or availability, speed
scale and turnout jointly with the response-time shape; ``korps.sim.fit``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
import yaml
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from korps.cli.common import console, fail, open_session, print_json
from korps.common.datafile import DatasetError
from korps.common.formatting import number, percent, short, signed
from korps.common.i18n import N_, _
from korps.organisation.service import NotFoundError
from korps.planning.twin import scenario_for_unit
from korps.sim.engine import ScenarioError
from korps.sim.fit import (
    BULK,
    Fit,
    JointFit,
    Outcome,
    Parameter,
    fit_joint,
    fit_share,
    with_parameter,
    with_settings,
)
from korps.sim.kpi import clean_nan
from korps.sim.scenario import SimScenario

PARAMETERS = {"availability": N_("beschikbaarheid"), "speed": N_("snelheidsschaal")}


def _points(value: float, decimals: int = 1) -> str:
    """A difference of two shares in percentage points, signed: +1,2 / -0,4."""
    return signed(value * 100, decimals)


def _grid(text: str, option: str) -> list[float]:
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise typer.BadParameter(
            _("{option}: getallen gescheiden door komma's ({text})", option=option, text=repr(text))
        ) from exc
    if not values or any(v < 0 for v in values):
        raise typer.BadParameter(
            _(
                "{option}: minstens één getal, geen negatieve ({text})",
                option=option,
                text=repr(text),
            )
        )
    return values


def _outcome_data(o: Outcome) -> dict[str, Any]:
    return {
        "share": o.share.mean,
        "share_ci": [o.share.low, o.share.high],
        "prio1_per_year": o.per_year,
        "median_minutes": o.median,
        "share_3_to_10_minutes": o.bulk,
        "modal_minute": o.mode,
    }


def fit_unit(
    unit: str | None,
    target: float | None,
    parameter: str,
    days: float,
    replications: int,
    seed: int,
    out: Path | None,
    as_json: bool,
    grid: tuple[str, str] | None = None,
) -> None:
    if unit is None or target is None:
        raise typer.BadParameter(_("afstemmen vraagt zowel --unit als --target-share"))
    if parameter not in ("availability", "speed", "joint"):
        raise typer.BadParameter(_("--fit moet availability, speed of joint zijn"))
    try:
        with open_session() as session:
            base = scenario_for_unit(session, slug=unit)
        base = base.model_copy(update={"days": days, "warmup_days": min(5.0, days / 10)})
        if grid is not None:
            speeds, turnouts = _grid(grid[0], "--speeds"), _grid(grid[1], "--turnouts")
            joint = _run_joint(base, target, speeds, turnouts, replications, seed, as_json)
            best = joint.best
            fitted = with_parameter(
                with_settings(base, speed=best.speed, turnout=best.turnout),
                "availability",
                best.fit.value,
            )
        else:
            chosen: Parameter = "speed" if parameter == "speed" else "availability"
            single = _run_single(base, target, chosen, replications, seed)
            fitted = with_parameter(base, chosen, single.value)
    except (DatasetError, ScenarioError, NotFoundError, ValueError) as exc:
        raise fail(f"{unit}: {exc}") from exc
    if out is not None:
        out.write_text(
            yaml.safe_dump(fitted.model_dump(mode="json"), sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
    if grid is not None:
        _show_joint(unit, joint, days, seed, as_json)
    else:
        _show_single(unit, single, days, seed, as_json)
    if out is not None and not as_json:
        console.print(_("scenario geschreven naar {file}", file=str(out)), highlight=False)


def _run_single(
    base: SimScenario, target: float, chosen: Parameter, replications: int, seed: int
) -> Fit:
    with console.status(_("afstemmen")) as status:

        def shown(o: Outcome) -> None:
            status.update(
                _(
                    "{parameter} {value}: {share} binnen 15 min",
                    parameter=_(PARAMETERS[chosen]),
                    value=number(o.value, 3),
                    share=percent(o.share.mean),
                )
            )

        return fit_share(
            base,
            target=target,
            parameter=chosen,
            replications=replications,
            seed=seed,
            progress=shown,
        )


def _run_joint(
    base: SimScenario,
    target: float,
    speeds: list[float],
    turnouts: list[float],
    replications: int,
    seed: int,
    quiet: bool,
) -> JointFit:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn(_("{done}/{total} instellingen", done="{task.completed}", total="{task.total}")),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=quiet,
    ) as progress:
        task = progress.add_task(_("gezamenlijke afstemming"), total=len(speeds) * len(turnouts))
        return fit_joint(
            base,
            target=target,
            speeds=speeds,
            turnouts=turnouts,
            replications=replications,
            seed=seed,
            progress=lambda s: progress.update(
                task,
                advance=1,
                description=_(
                    "snelheid x{speed}, uitruktijd {turnout} min: beschikbaarheid "
                    "{availability}, {bulk} in 3-10 min",
                    speed=short(s.speed),
                    turnout=short(s.turnout),
                    availability=number(s.fit.value, 3),
                    bulk=percent(s.outcome.bulk, 0),
                ),
            ),
        )


def _show_single(unit: str, result: Fit, days: float, seed: int, as_json: bool) -> None:
    o = result.outcome
    if as_json:
        data = {
            "unit": unit,
            "parameter": result.parameter,
            "value": result.value,
            "target_share": result.target,
            "residual": result.residual,
            **_outcome_data(o),
            "steps": [{"value": s.value, "share": s.share.mean} for s in result.steps],
        }
        print_json(clean_nan(data))
        return
    parameter = _(PARAMETERS.get(result.parameter, result.parameter))
    table = Table(
        parameter,
        _("prio 1 binnen 15 min"),
        _("mediaan min"),
        _("3-10 min"),
        title=_("stappen"),
    )
    for step in result.steps:
        table.add_row(
            number(step.value, 4),
            percent(step.share.mean, 2),
            number(step.median),
            percent(step.bulk),
        )
    console.print(table)
    console.print(
        _(
            "{unit}: {parameter} {value} geeft {share} binnen 15 minuten (doel {target}, "
            "verschil {residual} procentpunt); {per_year} prio-1-meldingen per jaar; mediane "
            "aanrijdtijd {median} min, meest voorkomende minuut {mode}, {bulk} tussen 3 en 10 "
            "minuten ({days} dagen, seed {seed})",
            unit=unit,
            parameter=parameter,
            value=number(result.value, 4),
            share=percent(o.share.mean, 2),
            target=percent(result.target, 2),
            residual=_points(result.residual, 2),
            per_year=number(o.per_year, 0),
            median=number(o.median),
            mode=number(o.mode),
            bulk=percent(o.bulk, 0),
            days=short(days),
            seed=seed,
        ),
        highlight=False,
    )


def _show_joint(unit: str, result: JointFit, days: float, seed: int, as_json: bool) -> None:
    best = result.best
    if as_json:
        data = {
            "unit": unit,
            "target_share": result.target,
            "chosen": {"speed_scale": best.speed, "turnout_minutes": best.turnout},
            "settings": [
                {
                    "speed_scale": s.speed,
                    "turnout_minutes": s.turnout,
                    "availability": s.fit.value,
                    "residual": s.fit.residual,
                    "shape_residual": s.shape_residual,
                    "peak_residual": s.peak_residual,
                    **_outcome_data(s.outcome),
                }
                for s in result.settings
            ],
        }
        print_json(clean_nan(data))
        return
    table = Table(
        _("snelheid x"),
        _("uitruktijd min"),
        _("beschikbaarheid"),
        _("binnen 15 min"),
        _("mediaan min"),
        _("meest voorkomende minuut"),
        f"{short(BULK[0])}-{short(BULK[1])} min",
        title=_(
            "{unit}: beschikbaarheid afgestemd per instelling ({days} dagen, seed {seed})",
            unit=unit,
            days=short(days),
            seed=seed,
        ),
    )
    for s in result.settings:
        mark = " *" if s is best else ""
        table.add_row(
            f"{short(s.speed)}{mark}",
            short(s.turnout),
            number(s.fit.value, 4),
            percent(s.outcome.share.mean, 2),
            number(s.outcome.median),
            number(s.outcome.mode),
            percent(s.outcome.bulk),
        )
    console.print(table)
    o = best.outcome
    console.print(
        _(
            "{unit}: gekozen snelheid x{speed}, uitruktijd {turnout} min, beschikbaarheid "
            "{availability}: {share} binnen 15 minuten (doel {target}, verschil {residual} "
            "procentpunt); {bulk} in 3-10 minuten (gepubliceerd 'de meeste': {shape} "
            "procentpunt boven de helft); meest voorkomende minuut {mode} ({peak} vanaf het "
            "midden van 3-10); mediaan {median} min; {per_year} prio-1-meldingen per jaar",
            unit=unit,
            speed=short(best.speed),
            turnout=short(best.turnout),
            availability=number(best.fit.value, 4),
            share=percent(o.share.mean, 2),
            target=percent(result.target, 2),
            residual=_points(best.fit.residual, 2),
            bulk=percent(o.bulk),
            shape=_points(best.shape_residual),
            mode=number(o.mode),
            peak=signed(best.peak_residual),
            median=number(o.median),
            per_year=number(o.per_year, 0),
        ),
        highlight=False,
    )
