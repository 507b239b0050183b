"""Materialised paths: ``unit.path`` is ``/<root id>/.../<own id>/``, so a subtree is one query."""

from __future__ import annotations

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from korps.organisation.models import Unit


def recompute_paths(session: Session) -> int:
    """Rewrite stale ``path`` and ``depth`` values; return how many units changed."""
    rows = session.execute(select(Unit.id, Unit.parent_id, Unit.path)).all()
    parent = {row.id: row.parent_id for row in rows}
    stored = {row.id: row.path for row in rows}
    paths: dict[int, str] = {}

    def path_of(unit_id: int) -> str:
        chain: list[int] = []
        node: int | None = unit_id
        while node is not None and node not in paths:
            chain.append(node)
            node = parent[node]
        prefix = paths[node] if node is not None else "/"
        for item in reversed(chain):
            prefix = f"{prefix}{item}/"
            paths[item] = prefix
        return paths[unit_id]

    changed = 0
    for unit_id in parent:
        path = path_of(unit_id)
        if stored[unit_id] != path:
            session.execute(
                update(Unit)
                .where(Unit.id == unit_id)
                .values(path=path, depth=path.count("/") - 2)
                .execution_options(synchronize_session="fetch")
            )
            changed += 1
    session.flush()
    return changed


def subtree_query(root: Unit, *, max_depth: int | None = None) -> Select[Unit]:
    """All units under ``root`` (itself included), parents before children."""
    query = select(Unit).where(Unit.path.startswith(root.path, autoescape=True))
    if max_depth is not None:
        query = query.where(Unit.depth <= root.depth + max_depth)
    return query.order_by(Unit.depth, Unit.position, Unit.name)


def ancestor_ids(unit: Unit) -> list[int]:
    """Ids from the root down to the unit's parent, read from its path."""
    return [int(part) for part in unit.path.strip("/").split("/")[:-1] if part]
