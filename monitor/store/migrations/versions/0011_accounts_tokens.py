"""Schema version 11: local accounts and personal API tokens."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("name", sa.String(60), primary_key=True),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("password_set_at", sa.Double, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failed_at", sa.Double, nullable=True),
        sa.Column("signed_in_at", sa.Double, nullable=True),
    )
    op.create_table(
        "api_tokens",
        sa.Column("name", sa.String(60), primary_key=True),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("expires_at", sa.Double, nullable=True),
        sa.Column("last_used_at", sa.Double, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("api_tokens")
    op.drop_table("accounts")
