"""Migration 0013: every scenario saved before versions existed becomes its version 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from korps.db.migrate import alembic_config
from korps.db.session import make_engine


def test_existing_scenarios_become_version_1_and_downgrade_works(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config(engine)
    command.upgrade(config, "0012")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO scenario (slug, name, text, created_at, updated_at) VALUES "
                "('oud', 'Oud', 'name: Oud', '2026-01-01 10:00:00', '2026-02-01 10:00:00')"
            )
        )
    command.upgrade(config, "0013")
    with engine.connect() as connection:
        head = connection.execute(
            text("SELECT version, deleted_at FROM scenario WHERE slug = 'oud'")
        ).one()
        versions = connection.execute(
            text("SELECT number, name, text, created_by FROM scenario_version")
        ).all()
    assert tuple(head) == (1, None)
    assert [tuple(v) for v in versions] == [(1, "Oud", "name: Oud", None)]
    with pytest.raises(DBAPIError, match="te lang"), engine.begin() as connection:
        connection.execute(text("UPDATE scenario SET updated_by = :v"), {"v": "x" * 81})
    command.downgrade(config, "0012")
    with engine.connect() as connection:
        tables = set(connection.scalars(text("SELECT name FROM sqlite_master WHERE type='table'")))
    assert "scenario_version" not in tables and "scenario" in tables
    engine.dispose()
