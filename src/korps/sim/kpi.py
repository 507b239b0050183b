"""KPIs of replications: per priority, area and district, with 95 % confidence intervals."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from korps.sim.engine import Model, Replication

FloatArray = npt.NDArray[np.float64]


def clean_nan(value: Any) -> Any:
    """NaN -> None, through dicts and lists (JSON has no NaN)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: clean_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_nan(v) for v in value]
    return value


@dataclass(frozen=True)
class Estimate:
    """Mean over replications with a 95 % confidence interval (Student t)."""

    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Estimate:
        data = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
        if data.size == 0:
            return cls(math.nan, math.nan, math.nan)
        mean = float(data.mean())
        if data.size == 1:
            return cls(mean, math.nan, math.nan)
        half = float(stats.t.ppf(0.975, data.size - 1) * data.std(ddof=1) / math.sqrt(data.size))
        return cls(mean, mean - half, mean + half)

    def within(self, low: float, high: float) -> Estimate:
        """The same estimate with its interval clipped to ``[low, high]`` (e.g. shares)."""

        def clip(v: float) -> float:
            return v if math.isnan(v) else min(high, max(low, v))

        return Estimate(self.mean, clip(self.low), clip(self.high))


@dataclass(frozen=True)
class PriorityKpi:
    priority: int
    incidents: float  # per replication, after warm-up
    norm_minutes: float | None
    target_share: float | None
    within_norm: Estimate
    p50: Estimate
    p90: Estimate
    unserved: Estimate  # share not reached by the horizon
    meets_target: bool | None


@dataclass(frozen=True)
class AreaKpi:
    key: str
    priority: int
    incidents: float
    within_norm: Estimate


@dataclass(frozen=True)
class SimResult:
    scenario: str
    replications: int
    seed: int
    incidents: float
    priorities: list[PriorityKpi]
    areas: list[AreaKpi]
    districts: list[AreaKpi]
    utilisation: Estimate  # busy / on-duty, all units
    utilisation_by_how: FloatArray  # 168 values, mean over replications
    unit_utilisation: FloatArray  # per unit, mean over replications
    operator_wait: Estimate  # minutes from arrival to intake start
    unit_wait: Estimate  # share of incidents that waited for a free unit
    diversions: float


def _responses(model: Model, rep: Replication) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    keep = rep.incidents.time >= model.scenario.warmup_days * 1440.0
    return (rep.on_scene - rep.incidents.time), keep


def _within(response: FloatArray, minutes: float) -> FloatArray:
    return np.where(np.isnan(response), 0.0, (response <= minutes + 1e-9).astype(float))


def summarize(model: Model, reps: Sequence[Replication], seed: int) -> SimResult:
    scenario = model.scenario
    priorities = []
    for p in (1, 2, 3):
        norm = scenario.norms.get(p)
        shares, p50, p90, unserved, counts = [], [], [], [], []
        for rep in reps:
            response, keep = _responses(model, rep)
            mask = keep & (rep.incidents.priority == p)
            r = response[mask]
            counts.append(float(mask.sum()))
            if r.size == 0:
                continue
            served = r[~np.isnan(r)]
            unserved.append(float(np.isnan(r).mean()))
            if served.size:
                p50.append(float(np.percentile(served, 50)))
                p90.append(float(np.percentile(served, 90)))
            if norm is not None:
                shares.append(float(_within(r, norm.minutes).mean()))
        within = Estimate.of(shares).within(0.0, 1.0)
        priorities.append(
            PriorityKpi(
                priority=p,
                incidents=float(np.mean(counts)) if counts else 0.0,
                norm_minutes=norm.minutes if norm else None,
                target_share=norm.share if norm else None,
                within_norm=within,
                p50=Estimate.of(p50),
                p90=Estimate.of(p90),
                unserved=Estimate.of(unserved).within(0.0, 1.0),
                meets_target=None
                if norm is None or math.isnan(within.mean)
                else within.mean >= norm.share,
            )
        )
    areas = _by_group(
        model,
        reps,
        [model.keys.index(k) for k in model.keys],
        model.keys,
        lambda rep: rep.incidents.atom,
    )
    districts = _by_group(
        model,
        reps,
        list(range(len(model.districts))),
        model.districts,
        lambda rep: model.atom_district[rep.incidents.atom],
    )
    util = [float(rep.unit_busy.sum() / model.on_duty_minutes.sum()) for rep in reps]
    with np.errstate(invalid="ignore", divide="ignore"):
        by_how = np.mean([rep.busy_by_how for rep in reps], axis=0) / model.on_duty_by_how
        per_unit = np.mean([rep.unit_busy for rep in reps], axis=0) / model.on_duty_minutes
    op_wait, unit_wait = [], []
    for rep in reps:
        _, keep = _responses(model, rep)
        op_wait.append(float(np.nanmean((rep.intake_start - rep.incidents.time)[keep])))
        waited = (rep.dispatched - rep.ready)[keep]
        unit_wait.append(float(np.mean(np.where(np.isnan(waited), 1.0, waited > 1e-9))))
    return SimResult(
        scenario=scenario.name,
        replications=len(reps),
        seed=seed,
        incidents=float(np.mean([len(rep.incidents) for rep in reps])),
        priorities=priorities,
        areas=areas,
        districts=districts,
        utilisation=Estimate.of(util),
        utilisation_by_how=np.nan_to_num(by_how),
        unit_utilisation=np.nan_to_num(per_unit),
        operator_wait=Estimate.of(op_wait),
        unit_wait=Estimate.of(unit_wait).within(0.0, 1.0),
        diversions=float(np.mean([rep.diversions for rep in reps])),
    )


def _by_group(
    model: Model,
    reps: Sequence[Replication],
    codes: list[int],
    names: list[str],
    group_of: Callable[[Replication], npt.NDArray[np.int64]],
) -> list[AreaKpi]:
    result = []
    for code, name in zip(codes, names, strict=True):
        for p, norm in sorted(model.scenario.norms.items()):
            shares, counts = [], []
            for rep in reps:
                response, keep = _responses(model, rep)
                mask = keep & (rep.incidents.priority == p) & (group_of(rep) == code)
                counts.append(float(mask.sum()))
                if mask.any():
                    shares.append(float(_within(response[mask], norm.minutes).mean()))
            result.append(
                AreaKpi(name, p, float(np.mean(counts)), Estimate.of(shares).within(0.0, 1.0))
            )
    return result
