"""Formation against occupancy: the gap per unit rolled up a subtree, and occupancy targets.

Every function takes a session and keyword arguments.

**Gap.** For a unit, category and period, the unit's *own* figures are its ``UnitFigure``
(formation) and its ``Occupancy`` row. Its *subtree* figures are the sums over the topmost
descendants that have both numbers: a descendant is counted unless an ancestor of it below
the unit already has both (so no fte is counted twice when, say, a district and its
basisteams all carry figures). The subtree is read in one query on the materialised path.

**Targets** are data: :data:`WIJKAGENT_TARGET` is Rotterdam's monitor rule (97 %), which a
caller overrides with ``target=``.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.common.datafile import DatasetError, Problem
from korps.common.i18n import N_, _
from korps.formation import schemas
from korps.formation.datafile import parse_file
from korps.formation.loader import _refuse, _write
from korps.formation.models import Occupancy
from korps.organisation.models import Unit, UnitFigure
from korps.organisation.schemas import UnitRef
from korps.organisation.service import get_unit

DEFAULT_CATEGORY = "formatie"
TOLERANCE = 1e-9  # fte: float sums must not miss a target they meet exactly


@dataclass(frozen=True)
class OccupancyTarget:
    """A norm: the occupancy of ``category`` is at least ``percent`` % of its formation."""

    category: str
    percent: float
    rule: str
    source: str


WIJKAGENT_TARGET = OccupancyTarget(
    category="wijkagenten",
    percent=97.0,
    rule=N_("Bezetting wijkagenten: tenminste 97% van de formatieplaatsen wijkagenten"),
    source="001_6cfd4132a7d74cba.txt, Bijlage 2 Eenheidsmonitorset 2023 - 2026, Inzetbaarheid",
)


def figures(formation: float | None, occupancy: float | None) -> schemas.GapFigures:
    """Gap and percentage from formation and occupancy (None where they cannot be computed)."""
    gap = percentage = None
    if formation is not None and occupancy is not None:
        gap = round(formation - occupancy, 6)
        percentage = round(occupancy / formation * 100, 2) if formation else None
    return schemas.GapFigures(
        formation=formation, occupancy=occupancy, gap=gap, percentage=percentage
    )


def latest_period(session: Session, *, root: Unit, category: str) -> str | None:
    """The latest period of ``category`` in the subtree: of the formation, else of occupancy.

    Periods start with a year (``2023-2026``), so the latest is the greatest string.
    """
    in_subtree = Unit.path.startswith(root.path, autoescape=True)
    for model in (UnitFigure, Occupancy):
        period = session.scalar(
            select(func.max(model.period))
            .join(Unit, model.unit_id == Unit.id)
            .where(in_subtree, model.category == category)
        )
        if period is not None:
            return str(period)
    return None


@dataclass
class _Node:
    ref: UnitRef
    parent_id: int | None
    ancestors: list[int]  # ids from the top of the whole tree down to the parent (path)
    depth: int  # below the root of the report
    formation: float | None
    occupancy: float | None

    @property
    def complete(self) -> bool:
        return self.formation is not None and self.occupancy is not None


def _read_subtree(
    session: Session, *, root: Unit, category: str, period: str | None
) -> dict[int, _Node]:
    """The subtree with each unit's formation and occupancy: one query on the materialised path."""
    query = (
        select(Unit, UnitFigure.value, Occupancy.value)
        .outerjoin(
            UnitFigure,
            and_(
                UnitFigure.unit_id == Unit.id,
                UnitFigure.category == category,
                UnitFigure.period == period,
            ),
        )
        .outerjoin(
            Occupancy,
            and_(
                Occupancy.unit_id == Unit.id,
                Occupancy.category == category,
                Occupancy.period == period,
            ),
        )
        .where(Unit.path.startswith(root.path, autoescape=True))
        .order_by(Unit.depth, Unit.position, Unit.name)
    )
    return {
        unit.id: _Node(
            ref=UnitRef.model_validate(unit),
            parent_id=unit.parent_id,
            ancestors=[int(p) for p in unit.path.strip("/").split("/")[:-1]],
            depth=unit.depth - root.depth,
            formation=formation,
            occupancy=occupancy,
        )
        for unit, formation, occupancy in session.execute(query)
    }


def _roll_up(nodes: dict[int, _Node]) -> dict[int, schemas.SubtreeFigures]:
    """Per unit: sums over its topmost complete descendants (see the module docstring)."""
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for node in nodes.values():
        if not node.complete:
            continue
        for ancestor in reversed(node.ancestors):
            if ancestor not in nodes:
                break  # above the root of the report
            total = sums[ancestor]
            total[0] += node.formation or 0.0
            total[1] += node.occupancy or 0.0
            total[2] += 1
            if nodes[ancestor].complete:
                break  # the ancestor counts for everything above it
    return {
        unit_id: schemas.SubtreeFigures(
            **figures(round(formation, 6), round(occupancy, 6)).model_dump(), units=int(count)
        )
        for unit_id, (formation, occupancy, count) in sums.items()
    }


def _tree_order(nodes: dict[int, _Node], root_id: int) -> list[int]:
    """Ids depth-first from the root, children by position: the order of a printed tree."""
    children: dict[int, list[int]] = defaultdict(list)
    for node_id, node in nodes.items():
        if node.parent_id is not None and node_id != root_id:
            children[node.parent_id].append(node_id)
    order: list[int] = []
    stack = [root_id]
    while stack:
        node_id = stack.pop()
        order.append(node_id)
        stack.extend(reversed(children[node_id]))
    return order


def formation_gap(
    session: Session,
    *,
    slug: str,
    category: str = DEFAULT_CATEGORY,
    period: str | None = None,
    depth: int | None = None,
) -> schemas.GapReport:
    """Formation minus occupancy for ``slug`` and every unit below it that has a number.

    ``period`` defaults to the latest one available (:func:`latest_period`); ``depth`` limits
    the rows listed, not the sums. Raises NotFoundError for an unknown slug.
    """
    root = get_unit(session, slug=slug)
    period = period or latest_period(session, root=root, category=category)
    nodes = _read_subtree(session, root=root, category=category, period=period)
    subtree = _roll_up(nodes)
    rows = [
        schemas.GapRow(
            unit=nodes[node_id].ref,
            depth=nodes[node_id].depth,
            own=figures(nodes[node_id].formation, nodes[node_id].occupancy),
            subtree=subtree.get(node_id),
        )
        for node_id in _tree_order(nodes, root.id)
        if node_id == root.id or _listed(nodes[node_id], depth=depth, rolled_up=node_id in subtree)
    ]
    return schemas.GapReport(
        unit=rows[0].unit,
        category=category,
        period=period,
        own=rows[0].own,
        subtree=rows[0].subtree,
        rows=rows,
    )


def _listed(node: _Node, *, depth: int | None, rolled_up: bool) -> bool:
    if depth is not None and node.depth > depth:
        return False
    return node.formation is not None or node.occupancy is not None or rolled_up


def occupancy_target(
    session: Session,
    *,
    slug: str,
    target: float | None = None,
    period: str | None = None,
    norm: OccupancyTarget = WIJKAGENT_TARGET,
) -> schemas.TargetOut:
    """Is the occupancy of ``norm.category`` at least ``target`` % of its formation?

    ``target`` defaults to ``norm.percent``. The unit's own figures are used when it has both,
    else the sums over its subtree (see :func:`formation_gap`); ``met`` is None when neither
    exists. Raises NotFoundError for an unknown slug.
    """
    percent = norm.percent if target is None else target
    report = formation_gap(session, slug=slug, category=norm.category, period=period, depth=0)
    chosen: schemas.GapFigures = report.own
    basis: Literal["own", "subtree"] | None = None
    units = 0
    if report.own.gap is not None:
        basis, units = "own", 1
    elif report.subtree is not None:
        basis, chosen, units = "subtree", report.subtree, report.subtree.units
    met = None
    if chosen.formation is not None and chosen.occupancy is not None:
        met = chosen.occupancy >= chosen.formation * percent / 100 - TOLERANCE
    return schemas.TargetOut(
        unit=report.unit,
        rule=norm.rule,
        category=norm.category,
        period=report.period,
        formation=chosen.formation,
        occupancy=chosen.occupancy,
        percentage=chosen.percentage,
        target=percent,
        default_target=norm.percent,
        met=met,
        basis=basis,
        units=units,
        source=norm.source,
    )


def wijkagent_target(
    session: Session, *, slug: str, target: float | None = None, period: str | None = None
) -> schemas.TargetOut:
    """Rotterdam's monitor rule: wijkagent occupancy >= 97 % of formation (``target`` overrides)."""
    return occupancy_target(session, slug=slug, target=target, period=period, norm=WIJKAGENT_TARGET)


def categories_with_data(session: Session, *, slug: str) -> list[str]:
    """The categories with a formation figure or an occupancy row in ``slug``'s subtree."""
    root = get_unit(session, slug=slug)
    in_subtree = Unit.path.startswith(root.path, autoescape=True)
    found: set[str] = set()
    for model in (UnitFigure, Occupancy):
        found.update(
            session.scalars(
                select(model.category).join(Unit, model.unit_id == Unit.id).where(in_subtree)
            )
        )
    return sorted(found)


MAX_UPLOAD_BYTES = 5_000_000


def import_upload(
    session: Session, *, slug: str, data: bytes, filename: str, sheet: str | None = None
) -> schemas.ImportReport:
    """An occupancy file uploaded on ``slug``'s page: the command line's validation
    (``korps formation import``), plus every row must concern ``slug`` or a unit below it.
    All or nothing: on any problem a DatasetError and nothing written; the import is audited.
    """
    root = get_unit(session, slug=slug)
    name = Path(filename or "upload.csv").name[:100] or "upload.csv"
    if len(data) > MAX_UPLOAD_BYTES:
        limit = f"bestand groter dan {MAX_UPLOAD_BYTES // 1_000_000} MB"
        raise DatasetError(name, [Problem("file", limit)])
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(data)
            try:
                parsed = parse_file(path, sheet=sheet or None)
            except DatasetError as exc:  # name the uploaded file, not the temporary one
                raise DatasetError(name, exc.problems) from exc
        parsed.file = name
        slugs = {located.row.unit for located in parsed.rows}
        inside = set(
            session.scalars(
                select(Unit.slug).where(
                    Unit.slug.in_(slugs), Unit.path.startswith(root.path, autoescape=True)
                )
            )
        )
        known = set(session.scalars(select(Unit.slug).where(Unit.slug.in_(slugs))))
        outside = [
            parsed.problem(
                located.line,
                "unit",
                _(
                    "eenheid {unit} valt niet onder {name}",
                    unit=repr(located.row.unit),
                    name=root.name,
                ),
            )
            for located in parsed.rows
            if located.row.unit in known and located.row.unit not in inside
        ]
        if outside:
            raise _refuse(name, [*parsed.problems, *outside])
        report = _write(session, parsed=parsed)
        record(
            session,
            entity="bezetting",
            entity_id=root.id,
            action=f"bezetting geïmporteerd: {report.rows} rijen"[:60],
            after={"file": name, **report.model_dump(exclude={"messages", "file"})},
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return report
