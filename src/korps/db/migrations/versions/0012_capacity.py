"""capacity: people, qualifications, absences, flexteam lending, rosters and their shifts

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from korps.db.lengths import add_length_triggers, drop_length_triggers

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LENGTHS: list[tuple[str, str, int]] = [
    ("capacity_person", "number", 20),
    ("capacity_person", "name", 200),
    ("capacity_person", "function", 20),
    ("capacity_qualification", "name", 20),
    ("capacity_absence", "kind", 20),
    ("capacity_roster", "status", 20),
    ("capacity_roster", "created_by", 80),
    ("capacity_roster_shift", "shift", 20),
]
TABLES = (
    "capacity_roster_shift",
    "capacity_roster",
    "capacity_lending",
    "capacity_absence",
    "capacity_qualification",
    "capacity_person",
)


def _fk(column: str, table: str, target: str, ondelete: str) -> sa.Column[int]:
    return sa.Column(
        column,
        sa.Integer(),
        sa.ForeignKey(f"{target}.id", ondelete=ondelete, name=f"fk_{table}_{column}_{target}"),
        nullable=False,
    )


def _person(table: str) -> sa.Column[int]:
    return _fk("person_id", table, "capacity_person", "CASCADE")


def upgrade() -> None:
    op.create_table(
        "capacity_person",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        _fk("unit_id", "capacity_person", "unit", "RESTRICT"),
        sa.Column("function", sa.String(20), nullable=False),
        sa.Column("contract_hours", sa.Float(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.UniqueConstraint("number", name="uq_capacity_person_number"),
        sa.CheckConstraint("contract_hours >= 0", name="ck_capacity_person_contract_non_negative"),
    )
    op.create_index("ix_capacity_person_unit_id", "capacity_person", ["unit_id"])
    op.create_table(
        "capacity_qualification",
        sa.Column("id", sa.Integer(), primary_key=True),
        _person("capacity_qualification"),
        sa.Column("name", sa.String(20), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
    )
    op.create_index("ix_capacity_qualification_person_id", "capacity_qualification", ["person_id"])
    op.create_table(
        "capacity_absence",
        sa.Column("id", sa.Integer(), primary_key=True),
        _person("capacity_absence"),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.CheckConstraint("ends >= starts", name="ck_capacity_absence_ends_after_starts"),
    )
    op.create_index("ix_capacity_absence_person_id", "capacity_absence", ["person_id"])
    op.create_table(
        "capacity_lending",
        sa.Column("id", sa.Integer(), primary_key=True),
        _person("capacity_lending"),
        sa.Column(
            "from_unit_id",
            sa.Integer(),
            sa.ForeignKey(
                "unit.id", ondelete="RESTRICT", name="fk_capacity_lending_from_unit_id_unit"
            ),
            nullable=False,
        ),
        sa.Column(
            "to_unit_id",
            sa.Integer(),
            sa.ForeignKey(
                "unit.id", ondelete="RESTRICT", name="fk_capacity_lending_to_unit_id_unit"
            ),
            nullable=False,
        ),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.Column("hours_per_week", sa.Float(), nullable=False),
        sa.CheckConstraint("ends >= starts", name="ck_capacity_lending_ends_after_starts"),
        sa.CheckConstraint("hours_per_week > 0", name="ck_capacity_lending_hours_positive"),
    )
    op.create_index("ix_capacity_lending_person_id", "capacity_lending", ["person_id"])
    op.create_table(
        "capacity_roster",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("unit_id", "capacity_roster", "unit", "CASCADE"),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("objective", sa.Float(), nullable=False),
        sa.Column("bound", sa.Float(), nullable=False),
        sa.Column("gap", sa.Float(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("templates", sa.JSON(), nullable=False),
        sa.Column("cars", sa.JSON(), nullable=False),
        sa.Column("shortfalls", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_capacity_roster_unit_id", "capacity_roster", ["unit_id"])
    op.create_table(
        "capacity_roster_shift",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("roster_id", "capacity_roster_shift", "capacity_roster", "CASCADE"),
        _person("capacity_roster_shift"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("shift", sa.String(20), nullable=False),
        sa.Column("starts", sa.DateTime(), nullable=False),
        sa.Column("ends", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_capacity_roster_shift_roster_id", "capacity_roster_shift", ["roster_id"])
    op.create_index("ix_capacity_roster_shift_person_id", "capacity_roster_shift", ["person_id"])
    add_length_triggers(LENGTHS)


def downgrade() -> None:
    drop_length_triggers(LENGTHS)
    for name in TABLES:
        op.drop_table(name)
