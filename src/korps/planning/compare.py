"""Two allocations side by side: every team of either, each with its own current figure."""

from __future__ import annotations

from dataclasses import dataclass

from korps.common.formatting import short
from korps.common.i18n import _
from korps.planning.plan import Result, Row
from korps.planning.scenario import Scenario


@dataclass(frozen=True)
class Pair:
    key: str
    name: str
    level: int
    a: Row | None
    b: Row | None

    @property
    def difference(self) -> float | None:
        if self.a is None or self.b is None:
            return None
        return round(self.b.total - self.a.total, 10)


def pairs(left: Result, right: Result) -> list[Pair]:
    """The union of the teams: A's in A's order, then the teams only B has, in B's order."""
    a_rows = {r.key: r for r in left.rows}
    b_rows = {r.key: r for r in right.rows}
    out = [Pair(r.key, r.name, r.level, r, b_rows.get(r.key)) for r in left.ordered()]
    out += [Pair(r.key, r.name, r.level, None, r) for r in right.ordered() if r.key not in a_rows]
    return out


def warnings(a: tuple[str, Scenario, Result], b: tuple[str, Scenario, Result]) -> list[str]:
    """What makes the two hard to compare, in words (empty when they are alike)."""
    (a_name, a_scenario, a_result), (b_name, b_scenario, b_result) = a, b
    out: list[str] = []
    if a_scenario.unit != b_scenario.unit:
        own = _("eigen teams")
        out.append(
            _(
                "Let op: A gaat over {a}, B over {b}; teams die maar in één scenario voorkomen "
                "staan er met een streep bij het andere.",
                a=a_scenario.unit or own,
                b=b_scenario.unit or own,
            )
        )
    if a_scenario.compare != b_scenario.compare:
        nothing = _("(niets)")
        out.append(
            _(
                "Let op: 'huidig' is in A {a} en in B {b}: elk scenario staat naast zijn eigen "
                "huidige cijfer.",
                a=a_scenario.compare or nothing,
                b=b_scenario.compare or nothing,
            )
        )
    if abs(a_result.grand_total - b_result.grand_total) > 1e-9:
        out.append(
            _(
                "A verdeelt {a} fte in totaal, B {b}.",
                a=short(a_result.grand_total),
                b=short(b_result.grand_total),
            )
        )
    shared = {r.key for r in a_result.rows} & {r.key for r in b_result.rows}
    if not shared:
        out.append(_("{a} en {b} hebben geen enkel team gemeen.", a=a_name, b=b_name))
    return out
