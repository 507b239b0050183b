"""portal: dossiers from control-room incidents (one per incident)

The work queue's assignment, bulk actions and team load need no new column; the message
templates are data (``datasets/portal.yaml``).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portal_dossier_incident",
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["portal_dossier.id"],
            name=op.f("fk_portal_dossier_incident_dossier_id_portal_dossier"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_portal_dossier_incident_incident_id_incident"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["opened_by"],
            ["app_user.id"],
            name=op.f("fk_portal_dossier_incident_opened_by_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("dossier_id", name=op.f("pk_portal_dossier_incident")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_portal_dossier_incident_incident_id")),
    )


def downgrade() -> None:
    op.drop_table("portal_dossier_incident")
