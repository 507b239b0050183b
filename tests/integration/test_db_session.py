"""``reading``: a block of reads without a transaction of its own, after which the session
writes in ordinary transactions again (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from korps.db.session import reading
from korps.organisation.models import Dataset
from tests.conftest import Db


def _dataset() -> Dataset:
    return Dataset(name="proef", title="proef", sha256="0" * 64, loaded_at=datetime.now(UTC))


def _datasets(db: Db) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Dataset)) or 0)


def test_a_write_after_a_reading_block_is_a_transaction_again(empty_db: Db) -> None:
    with empty_db.session() as session:
        with reading(session):
            assert session.scalar(select(func.count()).select_from(Dataset)) == 0
            options = session.connection().get_execution_options()
            assert options["isolation_level"] == "AUTOCOMMIT"
        assert not session.in_transaction()
        session.add(_dataset())
        session.flush()
        assert _datasets(empty_db) == 0  # not visible elsewhere before the commit
        session.rollback()
    assert _datasets(empty_db) == 0  # rolled back: nothing was written


def test_inside_a_transaction_the_block_reads_in_it(empty_db: Db) -> None:
    with empty_db.session() as session:
        session.add(_dataset())
        session.flush()
        with reading(session):
            assert session.scalar(select(func.count()).select_from(Dataset)) == 1
        assert session.in_transaction()
        session.rollback()
    assert _datasets(empty_db) == 0


def test_an_error_in_the_block_leaves_the_session_usable(empty_db: Db) -> None:
    with empty_db.session() as session:
        with pytest.raises(LookupError), reading(session):
            raise LookupError("inside the block")
        assert not session.in_transaction()
        session.add(_dataset())
        session.commit()
    assert _datasets(empty_db) == 1
