"""Indicator weights fitted to a measured workload by non-negative least squares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls

from korps.common import formatting
from korps.common.i18n import _
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
            _(
                "met {teams} teams zijn geen {weights} gewichten te fitten: "
                "er zijn minstens zoveel teams nodig",
                teams=len(rows),
                weights=len(indicators),
            )
        )
    for key, row in zip(keys, rows, strict=True):
        missing = [c for c in (*indicators, target) if c not in row]
        if missing:
            raise AllocationError(
                _(
                    "team {team} heeft geen waarde voor {column}",
                    team=repr(key),
                    column=repr(missing[0]),
                )
            )
    a = np.array([[row[c] for c in indicators] for row in rows], dtype=float)
    b = np.array([row[target] for row in rows], dtype=float)
    if (a < 0).any() or (b < 0).any():
        raise AllocationError(_("indicatoren en de gemeten werklast moeten >= 0 zijn"))
    weights, _norm = nnls(a, b)
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
    weights = ", ".join(f"{c} {formatting.significant(w)}" for c, w in fit.weights.items())
    worst = max(fit.residuals.items(), key=lambda kv: abs(kv[1]))
    return _(
        "gewichten gefit op {target} met niet-negatieve kleinste kwadraten: {weights}; "
        "R² = {r2}; grootste afwijking {team} {residual}",
        target=target,
        weights=weights,
        r2=formatting.number(fit.r_squared, 3),
        team=worst[0],
        residual=formatting.signed(worst[1]),
    )
