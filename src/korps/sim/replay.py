"""The realised KPIs of an incident history (``korps sim replay``).

The same measures as a simulation's (``korps.sim.kpi``), computed on what happened: per
priority, basisteam and district the share of incidents with a unit on scene within the
norm (an incident no unit reached counts as not within it), P50/P90 response time and
counts. Norms are the ``SimScenario`` defaults (Rotterdam monitor set) unless given.

A history is one realisation, so there is no spread over replications: the interval given
with a share is the 95 % Wilson score interval for the underlying probability (binomial,
incidents taken as independent); P50/P90 are the sample percentiles, without interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from korps.sim.history import History, format_time
from korps.sim.kpi import AreaKpi, Estimate, PriorityKpi, clean_nan
from korps.sim.scenario import Norm, SimScenario

Z95 = 1.959963984540054


@dataclass(frozen=True)
class ReplayResult:
    history: str
    incidents: int
    first: str
    last: str
    span_days: float
    priorities: list[PriorityKpi]
    areas: list[AreaKpi]  # per basisteam
    districts: list[AreaKpi]  # per district (the CSV's district column; empty ones left out)


def default_norms() -> dict[int, Norm]:
    norms: dict[int, Norm] = SimScenario.model_fields["norms"].get_default(
        call_default_factory=True
    )
    return norms


def wilson(within: int, total: int) -> Estimate:
    """The share ``within / total`` with its 95 % Wilson score interval."""
    if total == 0:
        return Estimate(math.nan, math.nan, math.nan)
    share = within / total
    z2 = Z95 * Z95
    centre = (share + z2 / (2 * total)) / (1 + z2 / total)
    half = (
        Z95 * math.sqrt(share * (1 - share) / total + z2 / (4 * total * total)) / (1 + z2 / total)
    )
    # the interval contains the share (rounding aside) and stays within [0, 1]
    return Estimate(share, max(0.0, min(share, centre - half)), min(1.0, max(share, centre + half)))


def _percentile(values: npt.NDArray[np.float64], q: float) -> Estimate:
    if values.size == 0:
        return Estimate(math.nan, math.nan, math.nan)
    return Estimate(float(np.percentile(values, q)), math.nan, math.nan)


def _within(response: npt.NDArray[np.float64], norm: Norm) -> int:
    return int((response <= norm.minutes + 1e-9).sum())  # nan (no unit arrived) is False


def _groups(
    history: History,
    labels: list[str],
    response: npt.NDArray[np.float64],
    norms: Mapping[int, Norm],
) -> list[AreaKpi]:
    values = np.array(labels, dtype=object)
    result = []
    for name in sorted({label for label in labels if label}):
        for p, norm in sorted(norms.items()):
            mask = (values == name) & (history.priority == p)
            count = int(mask.sum())
            result.append(
                AreaKpi(name, p, float(count), wilson(_within(response[mask], norm), count))
            )
    return result


def replay(history: History, norms: Mapping[int, Norm] | None = None) -> ReplayResult:
    norms = dict(norms) if norms is not None else default_norms()
    response = history.response_minutes()
    priorities = []
    for p in (1, 2, 3):
        mask = history.priority == p
        count = int(mask.sum())
        r = response[mask]
        served = r[~np.isnan(r)]
        norm = norms.get(p)
        within = wilson(_within(r, norm), count) if norm is not None else Estimate.of([])
        unserved = Estimate(float(np.isnan(r).mean()) if count else math.nan, math.nan, math.nan)
        priorities.append(
            PriorityKpi(
                priority=p,
                incidents=float(count),
                norm_minutes=norm.minutes if norm else None,
                target_share=norm.share if norm else None,
                within_norm=within,
                p50=_percentile(served, 50),
                p90=_percentile(served, 90),
                unserved=unserved,
                meets_target=None
                if norm is None or math.isnan(within.mean)
                else within.mean >= norm.share,
            )
        )
    first, last = int(np.argmin(history.received)), int(np.argmax(history.received))
    return ReplayResult(
        history=history.file,
        incidents=len(history),
        first=format_time(float(history.received[first]), int(history.offset[first])),
        last=format_time(float(history.received[last]), int(history.offset[last])),
        span_days=round(history.span_seconds() / 86400.0, 3),
        priorities=priorities,
        areas=_groups(history, history.basisteam, response, norms),
        districts=_groups(history, history.district, response, norms),
    )


def replay_json(result: ReplayResult) -> dict[str, Any]:
    """The result as JSON-ready data (nan -> null), with the keys of ``korps sim run --json``
    where the measure is the same."""
    return dict(clean_nan(asdict(result)))
