"""capacity: shift templates per team, wishes

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from korps.db.lengths import add_length_triggers, drop_length_triggers

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LENGTHS: list[tuple[str, str, int]] = [
    ("capacity_shift_template", "name", 20),
    ("capacity_shift_template", "weekdays", 7),
    ("capacity_wish", "kind", 20),
    ("capacity_wish", "shift", 20),
]


def upgrade() -> None:
    op.create_table(
        "capacity_shift_template",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "unit_id",
            sa.Integer(),
            sa.ForeignKey(
                "unit.id", ondelete="CASCADE", name="fk_capacity_shift_template_unit_id_unit"
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(20), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("night", sa.Boolean(), nullable=False),
        sa.Column("weekdays", sa.String(7), nullable=False),
        sa.Column("crews", sa.Integer(), nullable=False),
        sa.UniqueConstraint("unit_id", "name", name="uq_capacity_shift_template_unit_id"),
        sa.CheckConstraint(
            "minutes > 0 AND minutes <= 1440", name="ck_capacity_shift_template_minutes_in_a_day"
        ),
        sa.CheckConstraint(
            "start_minute >= 0 AND start_minute < 1440",
            name="ck_capacity_shift_template_start_in_a_day",
        ),
        sa.CheckConstraint("crews >= 0", name="ck_capacity_shift_template_crews_non_negative"),
    )
    op.create_index("ix_capacity_shift_template_unit_id", "capacity_shift_template", ["unit_id"])
    op.create_table(
        "capacity_wish",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "person_id",
            sa.Integer(),
            sa.ForeignKey(
                "capacity_person.id",
                ondelete="CASCADE",
                name="fk_capacity_wish_person_id_capacity_person",
            ),
            nullable=False,
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("shift", sa.String(20), nullable=True),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.CheckConstraint("ends >= starts", name="ck_capacity_wish_ends_after_starts"),
    )
    op.create_index("ix_capacity_wish_person_id", "capacity_wish", ["person_id"])
    op.add_column("capacity_roster", sa.Column("unmet_wishes", sa.JSON(), nullable=True))
    add_length_triggers(LENGTHS)


def downgrade() -> None:
    drop_length_triggers(LENGTHS)
    op.drop_column("capacity_roster", "unmet_wishes")
    op.drop_table("capacity_wish")
    op.drop_table("capacity_shift_template")
