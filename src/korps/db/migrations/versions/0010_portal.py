"""portal: citizen dossiers (aangifte/melding), their goods, timeline, attachments and feedback

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from korps.db.lengths import add_length_triggers, drop_length_triggers

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LENGTHS: list[tuple[str, str, int]] = [
    ("portal_dossier", "number", 20),
    ("portal_dossier", "kind", 40),
    ("portal_dossier", "category", 40),
    ("portal_dossier", "channel", 20),
    ("portal_dossier", "status", 40),
    ("portal_dossier", "gemeente_code", 6),
    ("portal_dossier", "address", 200),
    ("portal_dossier", "description", 5000),
    ("portal_dossier", "route_rule", 40),
    ("portal_dossier", "route_reason", 300),
    ("portal_dossier", "question", 5000),
    ("portal_dossier", "forwarded_to", 200),
    ("portal_dossier", "decision", 5000),
    ("portal_good", "description", 200),
    ("portal_good", "identifier", 60),
    ("portal_entry", "kind", 40),
    ("portal_entry", "side", 40),
    ("portal_entry", "status_from", 40),
    ("portal_entry", "status_to", 40),
    ("portal_entry", "text", 5000),
    ("portal_attachment", "filename", 200),
    ("portal_attachment", "content_type", 40),
    ("portal_attachment", "sha256", 64),
    ("portal_feedback", "text", 2000),
    ("portal_feedback", "category", 40),
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
        "portal_dossier",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        _fk("reporter_id", "portal_dossier", "app_user", "RESTRICT", False),
        _fk("team_id", "portal_dossier", "unit", "RESTRICT", False),
        _fk("assignee_id", "portal_dossier", "app_user", "SET NULL", True),
        sa.Column(
            "gemeente_code",
            sa.String(6),
            sa.ForeignKey(
                "gemeente.code",
                ondelete="RESTRICT",
                name="fk_portal_dossier_gemeente_code_gemeente",
            ),
            nullable=False,
        ),
        sa.Column("address", sa.String(200), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("description", sa.String(5000), nullable=False),
        sa.Column("route_rule", sa.String(40), nullable=False),
        sa.Column("route_reason", sa.String(300), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("question", sa.String(5000), nullable=True),
        sa.Column("answer_due", sa.Date(), nullable=True),
        sa.Column("forwarded_to", sa.String(200), nullable=True),
        sa.Column("decision", sa.String(5000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("number", name="uq_portal_dossier_number"),
    )
    op.create_index("ix_portal_dossier_reporter", "portal_dossier", ["reporter_id"])
    op.create_index("ix_portal_dossier_team", "portal_dossier", ["team_id", "status"])
    op.create_table(
        "portal_good",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("dossier_id", "portal_good", "portal_dossier", "CASCADE", False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("value_eur", sa.Float(), nullable=True),
        sa.Column("identifier", sa.String(60), nullable=True),
    )
    op.create_index("ix_portal_good_dossier_id", "portal_good", ["dossier_id"])
    op.create_index("ix_portal_good_identifier", "portal_good", ["identifier"])
    op.create_table(
        "portal_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("dossier_id", "portal_entry", "portal_dossier", "CASCADE", False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("side", sa.String(40), nullable=False),
        _fk("author_id", "portal_entry", "app_user", "SET NULL", True),
        sa.Column("status_from", sa.String(40), nullable=True),
        sa.Column("status_to", sa.String(40), nullable=True),
        sa.Column("text", sa.String(5000), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_portal_entry_dossier_id", "portal_entry", ["dossier_id"])
    op.create_table(
        "portal_attachment",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("dossier_id", "portal_attachment", "portal_dossier", "CASCADE", False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        _fk("uploader_id", "portal_attachment", "app_user", "SET NULL", True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_portal_attachment_dossier_id", "portal_attachment", ["dossier_id"])
    op.create_table(
        "portal_feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("dossier_id", "portal_feedback", "portal_dossier", "CASCADE", False),
        sa.Column("satisfied", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(2000), nullable=True),
        sa.Column("reopen_requested", sa.Boolean(), nullable=False),
        _fk("team_id", "portal_feedback", "unit", "RESTRICT", False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("dossier_id", name="uq_portal_feedback_dossier_id"),
    )
    add_length_triggers(LENGTHS)


def downgrade() -> None:
    drop_length_triggers(LENGTHS)
    for name in (
        "portal_feedback",
        "portal_attachment",
        "portal_entry",
        "portal_good",
        "portal_dossier",
    ):
        op.drop_table(name)
