"""Schema version 10: the reports sent, one row per report and schedule slot."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports_sent",
        sa.Column("name", sa.String(60), primary_key=True),
        sa.Column("slot", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("sent_at", sa.Double, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reports_sent")
