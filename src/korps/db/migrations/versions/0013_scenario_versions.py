"""scenario versions: every save is a version (who, when); soft delete of scenarios

Every scenario saved before this migration becomes its own version 1 (author unknown).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from korps.db.lengths import add_length_triggers, drop_length_triggers

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LENGTHS: list[tuple[str, str, int]] = [
    ("scenario", "updated_by", 80),
    ("scenario", "deleted_by", 80),
    ("scenario_version", "name", 200),
    ("scenario_version", "created_by", 80),
    ("scenario_version", "note", 200),
]


def upgrade() -> None:
    with op.batch_alter_table("scenario") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("updated_by", sa.String(80), nullable=True))
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("deleted_by", sa.String(80), nullable=True))
    op.create_table(
        "scenario_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=True),
        sa.Column("note", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["scenario.id"],
            name=op.f("fk_scenario_version_scenario_id_scenario"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario_version")),
        sa.UniqueConstraint("scenario_id", "number", name=op.f("uq_scenario_version_scenario_id")),
    )
    op.create_index(
        op.f("ix_scenario_version_scenario_id"), "scenario_version", ["scenario_id"], unique=False
    )
    op.execute(
        "INSERT INTO scenario_version (scenario_id, number, name, text, created_at, note) "
        "SELECT id, 1, name, text, updated_at, 'bestaand scenario (voor versiebeheer)' "
        "FROM scenario"
    )
    add_length_triggers(LENGTHS)


def downgrade() -> None:
    drop_length_triggers(LENGTHS)
    op.drop_index(op.f("ix_scenario_version_scenario_id"), table_name="scenario_version")
    op.drop_table("scenario_version")
    with op.batch_alter_table("scenario") as batch:
        batch.drop_column("deleted_by")
        batch.drop_column("deleted_at")
        batch.drop_column("updated_by")
        batch.drop_column("version")
