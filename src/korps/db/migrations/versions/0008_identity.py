"""identity (users, grants, sessions, tokens) and the shared, append-only audit trail

The audit trail gets the user id, request id and client address beside the actor's name,
and triggers that refuse UPDATE and DELETE of its rows, on PostgreSQL and on SQLite.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from korps.db.base import length_trigger_names, sqlite_length_triggers

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LENGTHS: list[tuple[str, str, int]] = [
    ("audit_entry", "request_id", 40),
    ("audit_entry", "client", 64),
    ("app_user", "username", 80),
    ("app_user", "name", 200),
    ("app_user", "email", 254),
    ("app_user", "kind", 20),
    ("app_user", "password_hash", 200),
    ("app_user", "totp_secret", 64),
    ("app_user", "oidc_subject", 200),
    ("role_grant", "role", 20),
    ("login_session", "digest", 64),
    ("login_session", "address", 64),
    ("login_session", "agent", 200),
    ("login_session", "pending", 20),
    ("api_token", "digest", 64),
    ("api_token", "name", 100),
    ("one_time_token", "digest", 64),
    ("one_time_token", "purpose", 20),
    ("recovery_code", "digest", 64),
    ("login_failure", "address", 64),
]
APPEND_ONLY = "audit_entry: de audittrail is alleen aan te vullen (geen UPDATE of DELETE)"


def _when() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("audit_entry") as batch:
        batch.add_column(sa.Column("actor_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("request_id", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("client", sa.String(length=64), nullable=True))
        batch.create_index("ix_audit_entry_at", ["at"])
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("totp_secret", sa.String(64), nullable=True),
        sa.Column("totp_enabled", sa.Boolean(), nullable=False),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("oidc_subject", sa.String(200), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        _when(),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("username", name="uq_app_user_username"),
        sa.UniqueConstraint("email", name="uq_app_user_email"),
        sa.UniqueConstraint("oidc_subject", name="uq_app_user_oidc_subject"),
    )
    op.create_table(
        "role_grant",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("app_user.id", ondelete="CASCADE", name="fk_role_grant_user_id_app_user"),
            nullable=False,
        ),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column(
            "unit_id",
            sa.Integer(),
            sa.ForeignKey("unit.id", ondelete="CASCADE", name="fk_role_grant_unit_id_unit"),
            nullable=True,
        ),
        _when(),
    )
    op.create_index("ix_role_grant_user", "role_grant", ["user_id"])
    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey(
                "app_user.id", ondelete="CASCADE", name="fk_login_session_user_id_app_user"
            ),
            nullable=False,
        ),
        _when(),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("agent", sa.String(200), nullable=False),
        sa.Column("pending", sa.String(20), nullable=True),
        sa.UniqueConstraint("digest", name="uq_login_session_digest"),
    )
    op.create_index("ix_login_session_user", "login_session", ["user_id"])
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("app_user.id", ondelete="CASCADE", name="fk_api_token_user_id_app_user"),
            nullable=False,
        ),
        sa.Column(
            "grant_id",
            sa.Integer(),
            sa.ForeignKey(
                "role_grant.id", ondelete="CASCADE", name="fk_api_token_grant_id_role_grant"
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(100), nullable=False),
        _when(),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("digest", name="uq_api_token_digest"),
    )
    op.create_table(
        "one_time_token",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey(
                "app_user.id", ondelete="CASCADE", name="fk_one_time_token_user_id_app_user"
            ),
            nullable=False,
        ),
        sa.Column("purpose", sa.String(20), nullable=False),
        _when(),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("digest", name="uq_one_time_token_digest"),
    )
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey(
                "app_user.id", ondelete="CASCADE", name="fk_recovery_code_user_id_app_user"
            ),
            nullable=False,
        ),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_login_failure_address_at", "login_failure", ["address", "at"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table, column, length in LENGTHS:
            for statement in sqlite_length_triggers(table, column, length):
                op.execute(statement)
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_entry_no_{event.lower()} BEFORE {event} ON audit_entry "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
            "ON audit_entry FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_entry_no_{event}")
        for table, column, _length in LENGTHS:
            for name in length_trigger_names(table, column):
                op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
    for name in (
        "login_failure",
        "recovery_code",
        "one_time_token",
        "api_token",
        "login_session",
        "role_grant",
        "app_user",
    ):
        op.drop_table(name)
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_index("ix_audit_entry_at")
        batch.drop_column("client")
        batch.drop_column("request_id")
        batch.drop_column("actor_id")
