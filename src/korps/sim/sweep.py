"""Sweeps (``korps sim sweep``): many rosters of one scenario, each with N replications.

A variation sets the units per shift of one basisteam (or ``*``: every basisteam) to each
of a list of values; the sweep runs the cartesian product of all variations. Every
(variant, replication) pair is one task, run in local processes (default) or on a Dask
distributed cluster. Seeds: replication k of every variant uses child k of
``SeedSequence(seed)`` (common random numbers: all variants see the same incidents, so
their differences come from the roster alone), the same stream ``korps sim run --seed``
uses, so a variant's figures equal a run of that roster, in either mode.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from korps.common.formatting import number
from korps.common.i18n import _, ngettext
from korps.sim.engine import Model, ScenarioError, build_model, draw, run_incidents
from korps.sim.history import replacing
from korps.sim.kpi import Estimate, PriorityKpi, SimResult, summarize
from korps.sim.scenario import Roster, SimScenario

VARY_RE = re.compile(r"^\s*(?P<area>[^:=\s]+)\s*:\s*(?P<shift>[^:=\s]+)\s*=\s*(?P<values>.+)$")
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
MAX_TASKS = 100_000


class SweepError(ValueError):
    """A sweep that cannot be run as asked; the message says why."""


@dataclass(frozen=True)
class Variation:
    area: str  # an area key or "*"
    shift: str
    values: tuple[int, ...]

    @property
    def label(self) -> str:
        return f"{self.area}:{self.shift}"


@dataclass(frozen=True)
class Variant:
    index: int
    values: dict[str, int]  # variation label -> units
    scenario: SimScenario

    @property
    def units(self) -> int:
        """Units in the roster: all basisteams and shifts."""
        return sum(sum(self.scenario.units_of(a.key).values()) for a in self.scenario.areas)


@dataclass(frozen=True)
class Task:
    variant: int
    replication: int
    scenario_json: str
    stream: np.random.SeedSequence


@dataclass(frozen=True)
class TaskResult:
    variant: int
    replication: int
    result: SimResult  # of this one replication


@dataclass(frozen=True)
class VariantResult:
    variant: Variant
    priorities: list[PriorityKpi]
    utilisation: Estimate
    operator_wait: Estimate
    unit_wait: Estimate
    incidents: float


@dataclass(frozen=True)
class SweepResult:
    scenario: str
    replications: int
    seed: int
    mode: str  # "processes (2 workers)" or "dask tcp://..."
    variations: list[Variation]
    variants: list[VariantResult]


def _values(text: str) -> tuple[int, ...]:
    values: list[int] = []
    for part in text.split(","):
        part = part.strip()
        bounds = re.fullmatch(r"(\d+)\s*-\s*(\d+)", part)
        if bounds:
            low, high = int(bounds.group(1)), int(bounds.group(2))
            if low > high:
                raise ValueError(_("bereik {part} loopt achteruit", part=repr(part)))
            values.extend(range(low, high + 1))
        elif part.isdigit():
            values.append(int(part))
        else:
            raise ValueError(
                _("{part} is geen geheel getal >= 0 (of bereik als 2-5)", part=repr(part))
            )
    return tuple(dict.fromkeys(values))


def parse_vary(text: str, scenario: SimScenario) -> Variation:
    """``AREA:SHIFT=1,2,3`` (or ``2-5``), AREA an area key of the scenario or ``*``."""
    match = VARY_RE.match(text)
    if not match:
        raise SweepError(
            _(
                "--vary {text}: verwacht GEBIED:DIENST=N,N,... (bijvoorbeeld '*:N=2,3,4')",
                text=repr(text),
            )
        )
    area, shift = match.group("area"), match.group("shift")
    keys = [a.key for a in scenario.areas]
    if area != "*" and area not in keys:
        raise SweepError(
            _(
                "--vary {text}: onbekend gebied {area} (gebieden: {areas}, of * voor alle)",
                text=repr(text),
                area=repr(area),
                areas=", ".join(keys),
            )
        )
    shifts = [s.name for s in scenario.roster.shifts]
    if shift not in shifts:
        raise SweepError(
            _(
                "--vary {text}: onbekende dienst {shift} (diensten: {shifts})",
                text=repr(text),
                shift=repr(shift),
                shifts=", ".join(shifts),
            )
        )
    try:
        values = _values(match.group("values"))
    except ValueError as exc:
        raise SweepError(f"--vary {text!r}: {exc}") from exc
    return Variation(area, shift, values)


def expand(scenario: SimScenario, variations: Sequence[Variation]) -> list[Variant]:
    """The cartesian product of the variations; ``*`` first, then single areas over it."""
    labels = [v.label for v in variations]
    twice = sorted({label for label in labels if labels.count(label) > 1})
    if twice:
        raise SweepError(_("--vary {label} staat er meer dan eens", label=twice[0]))
    keys = [a.key for a in scenario.areas]
    order = sorted(range(len(variations)), key=lambda i: variations[i].area != "*")
    variants = []
    for index, combination in enumerate(itertools.product(*(v.values for v in variations))):
        units = {key: scenario.units_of(key) for key in keys}
        for i in order:
            variation = variations[i]
            for key in keys if variation.area == "*" else [variation.area]:
                units[key][variation.shift] = combination[i]
        roster = Roster(shifts=scenario.roster.shifts, units=units)
        variant = scenario.model_copy(update={"roster": roster})
        _check_cover(variant, dict(zip(labels, combination, strict=True)))
        variants.append(Variant(index, dict(zip(labels, combination, strict=True)), variant))
    return variants


def _check_cover(scenario: SimScenario, values: dict[str, int]) -> None:
    """The cheap part of ``build_model``'s checks, for every variant before anything runs."""
    demand = sum(sum(a.incidents_per_year.values()) for a in scenario.areas)
    if demand <= 0:
        return
    for shift in scenario.roster.shifts:
        if sum(scenario.units_of(a.key)[shift.name] for a in scenario.areas) == 0:
            chosen = ", ".join(f"{k}={v}" for k, v in values.items())
            raise SweepError(
                _(
                    "variant {chosen}: nergens een eenheid in dienst {shift}, terwijl er dan "
                    "meldingen zijn",
                    chosen=chosen,
                    shift=repr(shift.name),
                )
            )


_MODELS: dict[str, Model] = {}


def _model(scenario_json: str) -> Model:
    """The model of a scenario, built once per worker process."""
    model = _MODELS.get(scenario_json)
    if model is None:
        if len(_MODELS) >= 4:
            _MODELS.clear()
        model = build_model(SimScenario.model_validate_json(scenario_json))
        _MODELS[scenario_json] = model
    return model


def run_task(task: Task) -> TaskResult:
    """One replication of one variant (runs in a worker process or on a Dask worker)."""
    model = _model(task.scenario_json)
    rep = run_incidents(model, draw(model, np.random.default_rng(task.stream)))
    return TaskResult(task.variant, task.replication, summarize(model, [rep], 0))


def _combine(variant: Variant, results: Sequence[SimResult]) -> VariantResult:
    """Per-replication results to estimates over replications (as ``summarize`` does)."""
    priorities = []
    for k, first in enumerate(results[0].priorities):
        within = Estimate.of([r.priorities[k].within_norm.mean for r in results]).within(0, 1)
        priorities.append(
            PriorityKpi(
                priority=first.priority,
                incidents=float(np.mean([r.priorities[k].incidents for r in results])),
                norm_minutes=first.norm_minutes,
                target_share=first.target_share,
                within_norm=within,
                p50=Estimate.of([r.priorities[k].p50.mean for r in results]),
                p90=Estimate.of([r.priorities[k].p90.mean for r in results]),
                unserved=Estimate.of([r.priorities[k].unserved.mean for r in results]).within(0, 1),
                meets_target=None
                if first.target_share is None or math.isnan(within.mean)
                else within.mean >= first.target_share,
            )
        )
    return VariantResult(
        variant=variant,
        priorities=priorities,
        utilisation=Estimate.of([r.utilisation.mean for r in results]),
        operator_wait=Estimate.of([r.operator_wait.mean for r in results]),
        unit_wait=Estimate.of([r.unit_wait.mean for r in results]).within(0, 1),
        incidents=float(np.mean([r.incidents for r in results])),
    )


def _run_local(tasks: list[Task], workers: int, done: Callable[[TaskResult], None]) -> None:
    if workers <= 1:
        for task in tasks:
            done(run_task(task))
        return
    context = multiprocessing.get_context("spawn")  # no fork of a threaded parent
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(run_task, task) for task in tasks]
        try:
            for future in as_completed(futures):
                done(future.result())
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def _run_dask(tasks: list[Task], address: str, done: Callable[[TaskResult], None]) -> None:
    from distributed import Client
    from distributed import as_completed as dask_completed

    try:
        client = Client(address, timeout="15s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise SweepError(
            _(
                "kan de Dask-scheduler op {address} niet bereiken: {error}",
                address=address,
                error=exc,
            )
        ) from exc
    try:
        futures = [client.submit(run_task, task, pure=False) for task in tasks]
        for future in dask_completed(futures):  # type: ignore[no-untyped-call]
            done(future.result())
    finally:
        client.close()  # type: ignore[no-untyped-call]


def run_sweep(
    scenario: SimScenario,
    variations: Sequence[Variation],
    *,
    replications: int,
    seed: int,
    scheduler: str | None = None,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Run every variant ``replications`` times; ``progress(done, total)`` after each task."""
    if replications < 1:
        raise SweepError(_("het aantal replicaties moet >= 1 zijn"))
    variants = expand(scenario, variations)
    total = len(variants) * replications
    if total > MAX_TASKS:
        raise SweepError(
            _(
                "{total} runs gevraagd; een sweep draait er hoogstens {most}",
                total=number(total, 0),
                most=number(MAX_TASKS, 0),
            )
        )
    try:
        build_model(variants[0].scenario)  # a scenario that cannot run fails here, once
    except ScenarioError as exc:
        raise SweepError(str(exc)) from exc
    streams = np.random.SeedSequence(seed).spawn(replications)
    tasks = [
        Task(v.index, k, v.scenario.model_dump_json(), stream)
        for v in variants
        for k, stream in enumerate(streams)
    ]
    results: dict[tuple[int, int], SimResult] = {}

    def done(result: TaskResult) -> None:
        results[(result.variant, result.replication)] = result.result
        if progress is not None:
            progress(len(results), total)

    try:
        if scheduler:
            _run_dask(tasks, scheduler, done)
            mode = f"dask {scheduler}"
        else:
            _run_local(tasks, workers, done)
            mode = ngettext(
                "{workers} lokaal proces", "{workers} lokale processen", workers
            ).format(workers=workers)
    except ScenarioError as exc:
        raise SweepError(str(exc)) from exc
    return SweepResult(
        scenario=scenario.name,
        replications=replications,
        seed=seed,
        mode=mode,
        variations=list(variations),
        variants=[
            _combine(v, [results[(v.index, k)] for k in range(replications)]) for v in variants
        ],
    )


def result_rows(result: SweepResult) -> list[dict[str, Any]]:
    """One row per variant: the varied counts, units in the roster, per priority the share
    within the norm (95 % CI) and P50/P90 (95 % CI), utilisation, waits."""
    rows = []
    for item in result.variants:
        row: dict[str, Any] = {"variant": item.variant.index + 1, **item.variant.values}
        row["units"] = item.variant.units
        row["incidents"] = item.incidents
        for k in item.priorities:
            name = f"p{k.priority}"
            if k.norm_minutes is not None:
                row[f"{name}_within_norm"] = k.within_norm.mean
                row[f"{name}_within_norm_low"] = k.within_norm.low
                row[f"{name}_within_norm_high"] = k.within_norm.high
                row[f"{name}_meets_target"] = k.meets_target
            row[f"{name}_p50"] = k.p50.mean
            row[f"{name}_p90"] = k.p90.mean
            row[f"{name}_p90_low"] = k.p90.low
            row[f"{name}_p90_high"] = k.p90.high
        row["utilisation"] = item.utilisation.mean
        row["utilisation_low"] = item.utilisation.low
        row["utilisation_high"] = item.utilisation.high
        row["operator_wait_min"] = item.operator_wait.mean
        row["unit_wait_share"] = item.unit_wait.mean
        row["replications"] = result.replications
        row["seed"] = result.seed
        rows.append(row)
    return rows


def output_format(path: Path) -> str:
    """``csv`` or ``parquet`` by the file's extension; checked before a sweep runs."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise SweepError(_("--out {path}: gebruik een .csv- of .parquet-bestand", path=path))
    if not path.parent.is_dir():
        raise SweepError(
            _("--out {path}: map {folder} bestaat niet", path=path, folder=path.parent)
        )
    return kind


def write_results(result: SweepResult, path: Path) -> None:
    """The rows to CSV or Parquet (by extension); a failed write leaves no file behind."""
    kind = output_format(path)
    rows = result_rows(result)
    columns = list(rows[0]) if rows else []
    with replacing(path) as temporary:
        if kind == "csv":
            import csv

            with temporary.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, columns, lineterminator="\n")
                writer.writeheader()
                for row in rows:
                    writer.writerow({k: _csv_value(v) for k, v in row.items()})
        else:
            import pyarrow as pa  # type: ignore[import-untyped]
            import pyarrow.parquet as pq  # type: ignore[import-untyped]

            table = pa.table({c: [row[c] for row in rows] for c in columns})
            pq.write_table(table, temporary)


def _csv_value(value: Any) -> Any:
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return value
