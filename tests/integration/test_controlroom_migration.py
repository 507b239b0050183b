"""Migration 0014 on SQLite: an incident closed before it keeps no reason, the new columns
have their length triggers, the incident's other triggers and its check constraint stay,
and the downgrade works."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from korps.db.migrate import alembic_config
from korps.db.session import make_engine

INCIDENT = (
    "INSERT INTO incident (eenheid_id, channel, category, priority, gemeente_code, "
    "basisteam_id, status, received_at, created_by) VALUES (1, :channel, 'overval', :priority, "
    "'GM0599', 1, 'afgesloten', '2024-05-06 08:00:00', 'test')"
)


def _triggers(connection: object) -> set[str]:
    rows = connection.execute(  # type: ignore[attr-defined]
        text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'incident'")
    )
    return {row[0] for row in rows}


def test_the_close_reason_columns_come_and_go_and_nothing_else_changes(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config(engine)
    command.upgrade(config, "0013")
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
                "INSERT INTO gemeente (code, name, province, population, population_year, "
                "area_km2, lat, lon, veiligheidsregio_code, politie_eenheid_code, "
                "politie_eenheid, dataset) VALUES ('GM0599', 'Rotterdam', 'Zuid-Holland', 1, "
                "2023, 1, 51.9, 4.4, 'VR17', 'RE05', 'Rotterdam', 't')"
            )
        )
        connection.execute(text(INCIDENT), {"channel": "112", "priority": 1})
        before = _triggers(connection)
    assert before  # the length triggers of migration 0007
    command.upgrade(config, "0014")
    with engine.begin() as connection:
        kept = connection.execute(text("SELECT close_reason, close_note FROM incident")).one()
        assert tuple(kept) == (None, None)
        assert _triggers(connection) > before
        connection.execute(text("UPDATE incident SET close_reason = 'dubbel', close_note = 'x'"))
    for column, length in (("close_reason", 30), ("close_note", 500)):
        with pytest.raises(DBAPIError, match=rf"incident\.{column}"), engine.begin() as connection:
            too_long = {"v": "x" * (length + 1)}
            connection.execute(text(f"UPDATE incident SET {column} = :v"), too_long)
    with pytest.raises(DBAPIError), engine.begin() as connection:  # the check stays
        connection.execute(text(INCIDENT), {"channel": "112", "priority": 4})
    with pytest.raises(DBAPIError, match=r"incident\.channel"), engine.begin() as connection:
        connection.execute(text(INCIDENT), {"channel": "x" * 21, "priority": 1})
    command.downgrade(config, "0013")
    with engine.begin() as connection:
        assert _triggers(connection) == before
        columns = {row[1] for row in connection.execute(text("PRAGMA table_info(incident)"))}
        assert "close_reason" not in columns and "close_note" not in columns
        assert connection.execute(text("SELECT count(*) FROM incident")).scalar_one() == 1
    command.upgrade(config, "0014")  # and up again
