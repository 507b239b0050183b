"""monitor: periods shorter than a year, adopted formation scenarios

A measurement covers ``months`` (12, 3 or 1) from ``first_month`` of its year; the existing
ones are years. A plan records the formation scenario adopted with it (which version, by
whom, when).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from korps.db.lengths import add_length_triggers, drop_length_triggers

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# a batch on SQLite copies the table, which drops its triggers: made again afterwards
KEPT: list[tuple[str, str, int]] = [
    ("monitor_measurement", "source", 300),
    ("monitor_measurement", "entered_by", 80),
    ("monitor_plan", "code", 60),
    ("monitor_plan", "title", 200),
    ("monitor_plan", "source", 300),
    ("monitor_plan", "status", 20),
    ("monitor_plan", "adopted_by", 80),
]
ADDED: list[tuple[str, str, int]] = [("monitor_plan", "scenario_adopted_by", 80)]
UNIQUE = "uq_monitor_measurement_indicator_id"


def _triggers(lengths: list[tuple[str, str, int]]) -> None:
    add_length_triggers(lengths)


def upgrade() -> None:
    with op.batch_alter_table("monitor_measurement") as batch:
        batch.add_column(sa.Column("first_month", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("months", sa.Integer(), nullable=False, server_default="12"))
        batch.drop_constraint(UNIQUE, type_="unique")
        batch.create_unique_constraint(
            UNIQUE, ["indicator_id", "unit_id", "year", "first_month", "months"]
        )
    with op.batch_alter_table("monitor_plan") as batch:
        batch.add_column(
            sa.Column(
                "scenario_id",
                sa.Integer(),
                sa.ForeignKey(
                    "scenario.id", ondelete="SET NULL", name="fk_monitor_plan_scenario_id_scenario"
                ),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("scenario_version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("scenario_adopted_by", sa.String(80), nullable=True))
        batch.add_column(
            sa.Column("scenario_adopted_at", sa.DateTime(timezone=True), nullable=True)
        )
    _triggers(KEPT + ADDED)


def downgrade() -> None:
    drop_length_triggers(ADDED)
    with op.batch_alter_table("monitor_plan") as batch:
        batch.drop_column("scenario_adopted_at")
        batch.drop_column("scenario_adopted_by")
        batch.drop_column("scenario_version")
        batch.drop_column("scenario_id")
    op.execute("DELETE FROM monitor_measurement WHERE months <> 12")
    with op.batch_alter_table("monitor_measurement") as batch:
        batch.drop_constraint(UNIQUE, type_="unique")
        batch.create_unique_constraint(UNIQUE, ["indicator_id", "unit_id", "year"])
        batch.drop_column("months")
        batch.drop_column("first_month")
    _triggers(KEPT)
