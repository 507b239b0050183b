"""OpenID Connect login: logins started at the provider, and where a role grant came from

``oidc_login`` holds a started login until its callback (the browser has a random handle, this
table its digest, the state, nonce and PKCE code verifier). ``role_grant.source`` says whether a
grant was given by hand (``handmatig``, every existing grant) or by the provider's groups
(``oidc``): SSO reconciliation revokes only the latter.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from korps.db.lengths import add_length_triggers, drop_length_triggers

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LENGTHS: list[tuple[str, str, int]] = [
    ("oidc_login", "digest", 64),
    ("oidc_login", "state", 128),
    ("oidc_login", "nonce", 128),
    ("oidc_login", "code_verifier", 128),
    ("oidc_login", "volgende", 500),
    ("role_grant", "source", 20),
]


def upgrade() -> None:
    op.create_table(
        "oidc_login",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("state", sa.String(128), nullable=False),
        sa.Column("nonce", sa.String(128), nullable=False),
        sa.Column("code_verifier", sa.String(128), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("volgende", sa.String(500), nullable=False),
        sa.UniqueConstraint("digest", name="uq_oidc_login_digest"),
    )
    # a plain ADD COLUMN (no batch copy on SQLite: that would drop role_grant's triggers)
    op.add_column(
        "role_grant",
        sa.Column("source", sa.String(20), nullable=False, server_default="handmatig"),
    )
    add_length_triggers(LENGTHS)


def downgrade() -> None:
    drop_length_triggers(LENGTHS)
    op.drop_column("role_grant", "source")  # SQLite >= 3.35 drops a column in place
    op.drop_table("oidc_login")
