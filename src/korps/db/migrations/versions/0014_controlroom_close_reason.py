"""control room: the reason an incident was closed without a unit on scene

``incident.close_reason`` is a code of the reference list (datasets/meldkamer.yaml,
``close_reasons``: dubbel, ingetrokken, telefonisch, anders) and ``close_note`` the
operator's text (required for ``anders``). Incidents closed before this migration keep
no reason (NULL).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from korps.db.lengths import add_length_triggers, drop_length_triggers

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LENGTHS: list[tuple[str, str, int]] = [
    ("incident", "close_reason", 30),
    ("incident", "close_note", 500),
]


# Plain ALTER TABLE (SQLite >= 3.35 drops a column in place), not a batch: a batch copies
# the table on SQLite and would lose its other length triggers and its check constraint.


def upgrade() -> None:
    op.add_column("incident", sa.Column("close_reason", sa.String(30), nullable=True))
    op.add_column("incident", sa.Column("close_note", sa.String(500), nullable=True))
    add_length_triggers(LENGTHS)


def downgrade() -> None:
    drop_length_triggers(LENGTHS)
    op.execute("ALTER TABLE incident DROP COLUMN close_note")
    op.execute("ALTER TABLE incident DROP COLUMN close_reason")
