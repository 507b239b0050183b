"""Subtree read: one query on the materialised path vs. a recursive CTE (the like-for-like
alternative: one query too, the database walks the parent links), and, for reference, a
per-node walk over the ORM (the naive way).

Run: ``.venv/bin/python benchmarks/subtree.py``. Loads every bundled dataset into a fresh
SQLite file (or ``KORPS_BENCH_DATABASE_URL``), then times the ways of reading the whole
national tree with its figures, side by side and interleaved in one run, and prints the
ratios. The materialised path and the CTE must build the very same tree (exit code 1
otherwise), and all three must count the same units.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.db.migrate import upgrade_to_head
from korps.db.session import make_engine, session_factory
from korps.organisation import schemas, service
from korps.organisation.loader import bundled_names, load
from korps.organisation.models import Unit

ROUNDS = 30


def recursive_walk(session: Session, slug: str) -> int:
    """The naive way: one query for the children of every node."""
    root = service.get_unit(session, slug=slug)
    count = 0
    stack = [root]
    while stack:
        node = stack.pop()
        count += 1
        stack.extend(session.scalars(select(Unit).where(Unit.parent_id == node.id)))
        _ = node.figures  # one more lazy load per node, as a naive tree view would
    return count


def size(node: schemas.UnitNode) -> int:
    return 1 + sum(size(child) for child in node.children)


def materialised(session: Session, slug: str) -> int:
    return size(service.unit_tree(session, slug=slug))


def cte_tree(session: Session, slug: str) -> schemas.UnitNode:
    """``service.unit_tree`` with the subtree read by a recursive CTE on ``parent_id``
    instead of the materialised path: the same figures read, the same nodes built."""
    root = service.get_unit(session, slug=slug)
    tree = select(Unit.id).where(Unit.id == root.id).cte("tree", recursive=True)
    tree = tree.union_all(select(Unit.id).join(tree, Unit.parent_id == tree.c.id))
    query = select(Unit).where(Unit.id.in_(select(tree.c.id)))
    query = query.order_by(Unit.depth, Unit.position, Unit.name)  # as subtree_query
    units = session.scalars(query).all()
    figures = service._figures(session, (u.id for u in units))
    nodes = {
        u.id: schemas.UnitNode(**service._summary(u, figures[u.id]).model_dump()) for u in units
    }
    for unit in units:
        if unit.id != root.id and unit.parent_id in nodes:
            nodes[unit.parent_id].children.append(nodes[unit.id])
    return nodes[root.id]


def recursive_cte(session: Session, slug: str) -> int:
    return size(cte_tree(session, slug))


def timed(factory: Callable[[], Session], fn: Callable[[Session, str], int]) -> tuple[float, int]:
    times = []
    count = 0
    for _ in range(ROUNDS):
        with factory() as session:
            start = time.perf_counter()
            count = fn(session, "politie")
            times.append(time.perf_counter() - start)
    return statistics.median(times), count


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("KORPS_BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.db")
        engine = make_engine(url)
        upgrade_to_head(engine)
        factory = session_factory(engine)
        with factory() as session:
            for name in bundled_names():
                load(session, name_or_path=name)
        with factory() as session:
            same = cte_tree(session, "politie") == service.unit_tree(session, slug="politie")
        # interleave so all see the same machine load
        fast, n_fast = timed(factory, materialised)
        cte, n_cte = timed(factory, recursive_cte)
        slow, n_slow = timed(factory, recursive_walk)
        fast2, _ = timed(factory, materialised)
        cte2, _ = timed(factory, recursive_cte)
        fast, cte = min(fast, fast2), min(cte, cte2)
        counts_agree = n_fast == n_cte == n_slow
        print(f"units in the national tree: {n_fast} (CTE {n_cte}, ORM walk {n_slow})")
        print(f"CTE builds the same tree as the materialised path: {'yes' if same else 'NO'}")
        print(f"materialised path (1 query + figures): {fast * 1000:8.2f} ms (median of {ROUNDS})")
        print(f"recursive CTE     (1 query + figures): {cte * 1000:8.2f} ms (median of {ROUNDS})")
        print(f"ratio CTE / materialised: {cte / fast:.2f}x  <- the like-for-like figure")
        print(
            f"per-node ORM walk (2 queries a node):  {slow * 1000:8.2f} ms (naive, for reference)"
        )
        print(f"ratio ORM walk / materialised: {slow / fast:.1f}x")
        engine.dispose()
    return 0 if same and counts_agree else 1


if __name__ == "__main__":
    sys.exit(main())
