"""Indicator weights fitted to a measured workload by non-negative least squares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls

from korps.planning.allocation import AllocationError
from korps.planning.scenario import Scenario
from korps.planning.team_inputs import Inputs


@dataclass(frozen=True)
class Fit:
    weights: dict[str, float]
    r_squared: float
    residuals: dict[str, float]  # measured - fitted, per team


def fit_weights(
    rows: Sequence[Mapping[str, float]],
    keys: Sequence[str],
    *,
    indicators: Sequence[str],
    target: str,
) -> Fit:
    """Weights >= 0 with ``target ~ sum(w_c * indicator_c)`` (no intercept), and the fit."""
    if len(rows) < len(indicators):
        raise AllocationError(
            f"{len(rows)} teams cannot fit {len(indicators)} weights: need at least as many teams"
        )
    for key, row in zip(keys, rows, strict=True):
        missing = [c for c in (*indicators, target) if c not in row]
        if missing:
            raise AllocationError(f"team {key!r} has no value for {missing[0]!r}")
    a = np.array([[row[c] for c in indicators] for row in rows], dtype=float)
    b = np.array([row[target] for row in rows], dtype=float)
    if (a < 0).any() or (b < 0).any():
        raise AllocationError("indicators and the measured workload must be >= 0")
    weights, _ = nnls(a, b)
    fitted = a @ weights
    total = float(((b - b.mean()) ** 2).sum())
    r2 = 1.0 - float(((b - fitted) ** 2).sum()) / total if total > 0 else 1.0
    return Fit(
        weights={c: float(w) for c, w in zip(indicators, weights, strict=True)},
        r_squared=r2,
        residuals={k: float(r) for k, r in zip(keys, b - fitted, strict=True)},
    )


def apply_fit(scenario: Scenario, inputs: Inputs) -> tuple[Scenario, Fit | None]:
    """With ``fit: COLUMN``, replace the first level's weights by weights fitted to COLUMN."""
    if scenario.fit is None:
        return scenario, None
    level = scenario.levels[0]
    teams = [t for t in inputs.teams if t.level == 0]
    fit = fit_weights(
        [t.values for t in teams],
        [t.key for t in teams],
        indicators=list(level.weights),
        target=scenario.fit,
    )
    fitted = level.model_copy(update={"weights": fit.weights})
    return scenario.model_copy(update={"levels": [fitted, *scenario.levels[1:]]}), fit


def describe(fit: Fit, target: str) -> str:
    weights = ", ".join(f"{c} {w:.6g}" for c, w in fit.weights.items())
    worst = max(fit.residuals.items(), key=lambda kv: abs(kv[1]))
    return (
        f"weights fitted to {target} by non-negative least squares: {weights}; "
        f"R^2 = {fit.r_squared:.3f}; largest residual {worst[0]} {worst[1]:+.1f}"
    )
