"""hardening (column lengths, idempotency fingerprints)

One length rule per text column: ``audit_entry.action`` grows to 60 (the action of a
30-character call sign, "toegewezen " + call sign, did not fit 40 on PostgreSQL),
``incident.notes`` becomes varchar(2000) (the limit the API already had), and on SQLite,
which stores any length, triggers refuse what PostgreSQL's varchar refuses. The incident
gets ``request_hash``: the fingerprint of the intake request stored with its idempotency key.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from korps.db.base import length_trigger_names, sqlite_length_triggers

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, length) of every String column at this revision
LENGTHS: list[tuple[str, str, int]] = [
    ("audit_entry", "actor", 100),
    ("audit_entry", "entity", 20),
    ("audit_entry", "action", 60),
    ("dataset", "name", 80),
    ("dataset", "title", 200),
    ("dataset", "source", 300),
    ("dataset", "sha256", 64),
    ("scenario", "slug", 120),
    ("scenario", "name", 200),
    ("workload_table", "name", 200),
    ("workload_table", "filename", 200),
    ("gemeente", "code", 6),
    ("gemeente", "name", 120),
    ("gemeente", "province", 60),
    ("gemeente", "veiligheidsregio_code", 4),
    ("gemeente", "politie_eenheid_code", 4),
    ("gemeente", "politie_eenheid", 60),
    ("gemeente", "dataset", 80),
    ("partnership", "slug", 120),
    ("partnership", "name", 200),
    ("partnership", "kind", 20),
    ("partnership", "code", 10),
    ("partnership", "source", 300),
    ("partnership", "dataset", 80),
    ("unit", "slug", 120),
    ("unit", "name", 200),
    ("unit", "kind", 20),
    ("unit", "code", 20),
    ("unit", "region_code", 10),
    ("unit", "source", 300),
    ("unit", "path", 400),
    ("unit", "dataset", 80),
    ("authority", "name", 200),
    ("authority", "role", 30),
    ("authority", "gemeente_code", 6),
    ("authority", "published_as", 200),
    ("authority", "source", 300),
    ("authority", "dataset", 80),
    ("coverage", "gemeente_code", 6),
    ("coverage", "source", 300),
    ("coverage", "dataset", 80),
    ("gemeente_crime", "gemeente_code", 6),
    ("incident", "idempotency_key", 100),
    ("incident", "request_hash", 64),
    ("incident", "channel", 20),
    ("incident", "category", 60),
    ("incident", "caller_name", 200),
    ("incident", "caller_phone", 40),
    ("incident", "address", 300),
    ("incident", "gemeente_code", 6),
    ("incident", "notes", 2000),
    ("incident", "status", 20),
    ("incident", "created_by", 100),
    ("occupancy", "category", 40),
    ("occupancy", "period", 20),
    ("occupancy", "source", 300),
    ("partnership_member", "gemeente_code", 6),
    ("published_total", "dataset", 80),
    ("published_total", "label", 300),
    ("published_total", "category", 40),
    ("published_total", "period", 20),
    ("published_total", "source", 300),
    ("unit_figure", "category", 40),
    ("unit_figure", "period", 20),
    ("unit_figure", "source", 300),
    ("unit_figure", "dataset", 80),
    ("patrol_unit", "call_sign", 30),
    ("patrol_unit", "kind", 30),
    ("patrol_unit", "status", 20),
    ("assignment", "scope", 40),
    ("assignment", "assigned_by", 100),
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column("incident", sa.Column("request_hash", sa.String(length=64), nullable=True))
    if not sqlite:
        op.alter_column(
            "audit_entry",
            "action",
            existing_type=sa.String(length=40),
            type_=sa.String(length=60),
            existing_nullable=False,
        )
        op.alter_column(
            "incident",
            "notes",
            existing_type=sa.Text(),
            type_=sa.String(length=2000),
            existing_nullable=True,
        )
        return
    for table, column, length in LENGTHS:
        for statement in sqlite_length_triggers(table, column, length):
            op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for table, column, _length in LENGTHS:
            for name in length_trigger_names(table, column):
                op.execute(f"DROP TRIGGER IF EXISTS {name}")
        with op.batch_alter_table("incident") as batch_op:
            batch_op.drop_column("request_hash")
        return
    op.drop_column("incident", "request_hash")
    op.alter_column(
        "incident",
        "notes",
        existing_type=sa.String(length=2000),
        type_=sa.Text(),
        existing_nullable=True,
    )
    op.alter_column(
        "audit_entry",
        "action",
        existing_type=sa.String(length=60),
        type_=sa.String(length=40),
        existing_nullable=False,
    )
