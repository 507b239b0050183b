"""portal: individual assessment (IB), request details (verzoeken), login-link throttle

Login links are one_time_token rows of purpose ``login``; login_link_request throttles the
asking per client address.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from korps.db.lengths import add_length_triggers, drop_length_triggers

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LENGTHS: list[tuple[str, str, int]] = [
    ("portal_assessment", "level", 20),
    ("portal_assessment", "side", 40),
    ("portal_request", "phone", 30),
    ("portal_request", "contact_by", 40),
    ("portal_request", "reference", 60),
    ("login_link_request", "address", 64),
]


def _fk(column: str, table: str, target: str, ondelete: str, nullable: bool) -> sa.Column[int]:
    return sa.Column(
        column,
        sa.Integer(),
        sa.ForeignKey(f"{target}.id", ondelete=ondelete, name=f"fk_{table}_{column}_{target}"),
        nullable=nullable,
    )


def upgrade() -> None:
    op.create_table(
        "portal_assessment",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("dossier_id", "portal_assessment", "portal_dossier", "CASCADE", False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("measures", sa.JSON(), nullable=False),
        sa.Column("side", sa.String(40), nullable=False),
        _fk("author_id", "portal_assessment", "app_user", "SET NULL", True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("dossier_id", name="uq_portal_assessment_dossier_id"),
    )
    op.create_table(
        "portal_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("dossier_id", "portal_request", "portal_dossier", "CASCADE", False),
        sa.Column("away_from", sa.Date(), nullable=True),
        sa.Column("away_until", sa.Date(), nullable=True),
        sa.Column("phone", sa.String(30), nullable=True),
        sa.Column("contact_by", sa.String(40), nullable=True),
        sa.Column("reference", sa.String(60), nullable=True),
        sa.UniqueConstraint("dossier_id", name="uq_portal_request_dossier_id"),
    )
    op.create_table(
        "login_link_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_login_link_request_address_at", "login_link_request", ["address", "at"])
    add_length_triggers(LENGTHS)


def downgrade() -> None:
    drop_length_triggers(LENGTHS)
    op.drop_index("ix_login_link_request_address_at", table_name="login_link_request")
    op.drop_table("login_link_request")
    op.drop_table("portal_request")
    op.drop_table("portal_assessment")
