"""identity: the language of an account (pages after login, e-mails to the user)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from korps.db.lengths import add_length_triggers, drop_length_triggers

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADDED = [("app_user", "locale", 5)]


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=5), nullable=True))
    add_length_triggers(ADDED)


def downgrade() -> None:
    drop_length_triggers(ADDED)
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("locale")
