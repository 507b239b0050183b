"""Migration 0017 on SQLite: the measurements kept before periods existed become years, the
tables copied by the batch keep their length triggers, and the downgrade works."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from korps.db.migrate import alembic_config
from korps.db.session import make_engine


def test_old_measurements_become_years_and_the_triggers_stay(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config(engine)
    command.upgrade(config, "0016")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO dataset (name, title, sha256, loaded_at, messages) "
                "VALUES ('t', 't', 'x', '2025-01-01', '[]')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO unit (id, slug, name, kind, tasks, path, depth, position, dataset) "
                "VALUES (1, 'rotterdam', 'Eenheid Rotterdam', 'eenheid', '[]', '/1/', 0, 0, 't')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO monitor_indicator (id, code, name, definition, measure, direction, "
                "aggregation, obtained, source) VALUES (1, 'profcheck', 'Profcheck', 'd', "
                "'procent', 'hoger', 'aandeel', 'ingevoerd', 's')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO monitor_measurement (indicator_id, unit_id, year, value, source, "
                "entered_by, entered_at) VALUES (1, 1, 2024, 91.5, 'HR', 'p', '2025-01-01')"
            )
        )
    command.upgrade(config, "0017")
    insert = (
        "INSERT INTO monitor_measurement (indicator_id, unit_id, year, first_month, months, "
        "value, source, entered_by, entered_at) VALUES (1, 1, 2024, :m, :n, 90, :s, 'p', "
        "'2025-01-01')"
    )
    with engine.begin() as connection:
        kept = connection.execute(
            text("SELECT year, first_month, months, value FROM monitor_measurement")
        ).one()
        connection.execute(text(insert), {"m": 1, "n": 3, "s": "HR"})  # 2024-K1 beside 2024
    assert tuple(kept) == (2024, 1, 12, 91.5)
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text(insert), {"m": 1, "n": 3, "s": "HR"})  # 2024-K1 twice
    with pytest.raises(DBAPIError, match="te lang"), engine.begin() as connection:
        connection.execute(text(insert), {"m": 4, "n": 3, "s": "x" * 301})
    with pytest.raises(DBAPIError, match="te lang"), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO monitor_plan (code, unit_id, title, first_year, last_year, source, "
                "status, document, loaded_at, scenario_adopted_by) VALUES ('p', 1, 't', 2023, "
                "2026, 's', 'concept', '{}', '2025-01-01', :v)"
            ),
            {"v": "x" * 81},
        )
    command.downgrade(config, "0016")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT year, value FROM monitor_measurement")).all()
    assert [tuple(r) for r in rows] == [(2024, 91.5)]  # the quarter goes, the year stays
    engine.dispose()
