"""Schema version 8: the hosts of a fleet, each with its last write and its interval."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hosts",
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("interval_s", sa.Integer, nullable=False),
        sa.Column("first_seen", sa.BigInteger, nullable=False),
        sa.Column("last_write", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("hosts")
