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


def _grid(text: str, option: str) -> list[float]:
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise typer.BadParameter(f"{option}: numbers separated by commas ({text!r})") from exc
    if not values or any(v < 0 for v in values):
        raise typer.BadParameter(f"{option}: at least one number, none negative ({text!r})")
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
        raise typer.BadParameter("fitting needs both --unit and --target-share")
    if parameter not in ("availability", "speed", "joint"):
        raise typer.BadParameter("--fit must be availability, speed or joint")
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
        console.print(f"scenario written to {out}", highlight=False)


def _run_single(
    base: SimScenario, target: float, chosen: Parameter, replications: int, seed: int
) -> Fit:
    with console.status("fitting") as status:

        def shown(o: Outcome) -> None:
            status.update(f"{chosen} {o.value:.3f}: {o.share.mean:.1%} within 15 min")

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
        TextColumn("{task.completed}/{task.total} settings"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=quiet,
    ) as progress:
        task = progress.add_task("joint fit", total=len(speeds) * len(turnouts))
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
                description=f"speed x{s.speed:g}, turnout {s.turnout:g} min: availability "
                f"{s.fit.value:.3f}, {s.outcome.bulk:.0%} in 3-10 min",
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
    table = Table(result.parameter, "prio 1 within 15 min", "median min", "3-10 min", title="steps")
    for step in result.steps:
        table.add_row(
            f"{step.value:.4f}", f"{step.share.mean:.2%}", f"{step.median:.1f}", f"{step.bulk:.1%}"
        )
    console.print(table)
    console.print(
        f"{unit}: {result.parameter} {result.value:.4f} gives {o.share.mean:.2%} within 15 "
        f"minutes (target {result.target:.2%}, residual {result.residual:+.2%}); "
        f"{o.per_year:,.0f} prio-1 incidents a year; median response {o.median:.1f} min, most "
        f"frequent minute {o.mode:.1f}, {o.bulk:.0%} between 3 and 10 minutes ({days:g} days, "
        f"seed {seed})",
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
        "speed x",
        "turnout min",
        "availability",
        "within 15 min",
        "median min",
        "modal minute",
        f"{BULK[0]:g}-{BULK[1]:g} min",
        title=f"{unit}: availability fitted per setting ({days:g} days, seed {seed})",
    )
    for s in result.settings:
        mark = " *" if s is best else ""
        table.add_row(
            f"{s.speed:g}{mark}",
            f"{s.turnout:g}",
            f"{s.fit.value:.4f}",
            f"{s.outcome.share.mean:.2%}",
            f"{s.outcome.median:.1f}",
            f"{s.outcome.mode:.1f}",
            f"{s.outcome.bulk:.1%}",
        )
    console.print(table)
    o = best.outcome
    console.print(
        f"{unit}: chosen speed x{best.speed:g}, turnout {best.turnout:g} min, availability "
        f"{best.fit.value:.4f}: {o.share.mean:.2%} within 15 minutes (target "
        f"{result.target:.2%}, residual {best.fit.residual:+.2%}); {o.bulk:.1%} in 3-10 minutes "
        f"(published 'most': {best.shape_residual:+.1%} over half); most frequent minute "
        f"{o.mode:.1f} ({best.peak_residual:+.1f} from the middle of 3-10); median "
        f"{o.median:.1f} min; {o.per_year:,.0f} prio-1 a year",
        highlight=False,
    )
