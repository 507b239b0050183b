"""The "new scenario" form: its fields as a scenario, in the same YAML format as a file.

Pure: :func:`scenario_from_form` turns the submitted fields into a validated
:class:`Scenario` (or raises ``DatasetError`` with the field named in Dutch); the page saves
``to_yaml`` of it through the same path as a typed scenario.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from korps.common.datafile import DatasetError, Problem, format_path, pydantic_reason
from korps.common.i18n import _
from korps.planning.scenario import GEMEENTE_INDICATORS, Scenario

WEIGHT_ROWS = 4
LABELS = {
    "naam": "naam",
    "eenheid": "eenheid",
    "niveau": "niveau 1",
    "niveau2": "niveau 2",
    "totaal": "totaal",
    "stap": "stap",
    "huidig": "huidig (kolom)",
    "minimum": "minimum per team",
    "maximum": "maximum per team",
    "vast": "vast per team",
    "vast_label": "naam van het vaste aantal",
    "reserve_naam": "reservering",
    "reserve": "reservering (fte)",
    "norm": "wijkagentnorm (inwoners per wijkagent)",
}


def _number(form: Mapping[str, str], field: str, problems: list[Problem]) -> float | None:
    text = form.get(field, "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        problems.append(
            Problem(LABELS.get(field, field), _("geen getal: {text}", text=repr(text[:20])))
        )
        return None
    if not math.isfinite(value) or value < 0:
        problems.append(Problem(LABELS.get(field, field), _("moet een eindig getal >= 0 zijn")))
        return None
    return value


def _weights(form: Mapping[str, str], problems: list[Problem]) -> dict[str, float]:
    weights: dict[str, float] = {}
    for i in range(WEIGHT_ROWS):
        column = form.get(f"kolom{i}", "").strip()
        if not column:
            continue
        weight = _number(form, f"gewicht{i}", problems)
        weights[column] = 1.0 if weight is None else weight
    return weights


def scenario_data(form: Mapping[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """The scenario's fields as the YAML has them, and the problems found on the way."""
    problems: list[Problem] = []
    weights = _weights(form, problems)
    level: dict[str, Any] = {"kind": form.get("niveau", "").strip() or None, "weights": weights}
    minimum, maximum = _number(form, "minimum", problems), _number(form, "maximum", problems)
    if minimum is not None:
        level["minimum"] = {"*": minimum}
    if maximum is not None:
        level["maximum"] = {"*": maximum}
    fixed = _number(form, "vast", problems)
    if fixed:
        level["fixed"] = {"amount": fixed, "label": form.get("vast_label", "").strip() or "vast"}
    ratio = _number(form, "norm", problems)
    if ratio:
        level["norm"] = {"population": "inwoners", "ratio": ratio}
    levels = [level]
    second = form.get("niveau2", "").strip()
    if second:
        levels.append({"kind": second, "weights": dict(weights)})
    data: dict[str, Any] = {
        "name": form.get("naam", "").strip(),
        "description": form.get("beschrijving", "").strip() or None,
        "unit": form.get("eenheid", "").strip() or None,
        "total": _number(form, "totaal", problems),
        "step": _number(form, "stap", problems) or 0.1,
        "levels": levels,
        "compare": form.get("huidig", "").strip() or None,
    }
    reserve = _number(form, "reserve", problems)
    if reserve:
        name = form.get("reserve_naam", "").strip() or "reservering"
        data["reserve"] = [{"name": name, "amount": reserve}]
    used = set(weights) | ({"inwoners"} if ratio else set())
    data["indicators"] = [c for c in GEMEENTE_INDICATORS if c in used]
    if not weights:
        problems.append(Problem("gewichten", _("geef minstens één kolom met een gewicht")))
    if data["total"] is None:
        problems.append(Problem("totaal", _("geef het aantal fte dat verdeeld wordt")))
    if data["unit"] is None:
        problems.append(Problem("eenheid", _("kies de eenheid waarvan de teams verdeeld worden")))
    return {k: v for k, v in data.items() if v is not None}, problems


def scenario_from_form(form: Mapping[str, str]) -> Scenario:
    data, problems = scenario_data(form)
    if problems:
        raise DatasetError("formulier", problems)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        found = [
            Problem(
                format_path([str(p) for p in error["loc"]]) or "scenario", pydantic_reason(error)
            )
            for error in exc.errors()
        ]
        raise DatasetError("formulier", found) from exc
