"""monitor: indicators, plans, yearly targets per unit, measurements

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from korps.db.lengths import add_length_triggers, drop_length_triggers

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LENGTHS: list[tuple[str, str, int]] = [
    ("monitor_indicator", "code", 60),
    ("monitor_indicator", "name", 200),
    ("monitor_indicator", "measure", 20),
    ("monitor_indicator", "direction", 20),
    ("monitor_indicator", "aggregation", 20),
    ("monitor_indicator", "obtained", 20),
    ("monitor_indicator", "computation", 60),
    ("monitor_indicator", "source", 300),
    ("monitor_plan", "code", 60),
    ("monitor_plan", "title", 200),
    ("monitor_plan", "source", 300),
    ("monitor_plan", "status", 20),
    ("monitor_plan", "adopted_by", 80),
    ("monitor_target", "theme", 60),
    ("monitor_target", "kind", 20),
    ("monitor_target", "source", 300),
    ("monitor_measurement", "source", 300),
    ("monitor_measurement", "entered_by", 80),
]


def _fk(column: str, table: str, target: str) -> sa.Column[int]:
    return sa.Column(
        column,
        sa.Integer(),
        sa.ForeignKey(f"{target}.id", ondelete="CASCADE", name=f"fk_{table}_{column}_{target}"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "monitor_indicator",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(60), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("measure", sa.String(20), nullable=False),
        sa.Column("direction", sa.String(20), nullable=False),
        sa.Column("aggregation", sa.String(20), nullable=False),
        sa.Column("obtained", sa.String(20), nullable=False),
        sa.Column("computation", sa.String(60), nullable=True),
        sa.Column("source", sa.String(300), nullable=False),
        sa.UniqueConstraint("code", name="uq_monitor_indicator_code"),
    )
    op.create_table(
        "monitor_plan",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(60), nullable=False),
        _fk("unit_id", "monitor_plan", "unit"),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("adopted_on", sa.Date(), nullable=True),
        sa.Column("adopted_by", sa.String(80), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("code", name="uq_monitor_plan_code"),
    )
    op.create_index("ix_monitor_plan_unit_id", "monitor_plan", ["unit_id"])
    op.create_table(
        "monitor_target",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("plan_id", "monitor_target", "monitor_plan"),
        _fk("indicator_id", "monitor_target", "monitor_indicator"),
        _fk("unit_id", "monitor_target", "unit"),
        sa.Column("theme", sa.String(60), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("published", sa.Text(), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.UniqueConstraint("plan_id", "indicator_id", "year", name="uq_monitor_target_plan_id"),
    )
    op.create_index("ix_monitor_target_indicator_id", "monitor_target", ["indicator_id"])
    op.create_index("ix_monitor_target_unit_id", "monitor_target", ["unit_id"])
    op.create_table(
        "monitor_measurement",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("indicator_id", "monitor_measurement", "monitor_indicator"),
        _fk("unit_id", "monitor_measurement", "unit"),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("entered_by", sa.String(80), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "indicator_id", "unit_id", "year", name="uq_monitor_measurement_indicator_id"
        ),
    )
    op.create_index("ix_monitor_measurement_indicator_id", "monitor_measurement", ["indicator_id"])
    op.create_index("ix_monitor_measurement_unit_id", "monitor_measurement", ["unit_id"])
    add_length_triggers(LENGTHS)


def downgrade() -> None:
    drop_length_triggers(LENGTHS)
    for name in ("monitor_measurement", "monitor_target", "monitor_plan", "monitor_indicator"):
        op.drop_table(name)
