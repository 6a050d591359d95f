"""Schema version 3: the demo mark on hourly rollups, counted audit lines, the demo's history
marked as such."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table, column in (
        ("rollup_hourly", sa.Column("demo", sa.SmallInteger, nullable=True)),
        (
            "audit",
            sa.Column("times", sa.Integer, nullable=False, server_default=sa.text("1")),
        ),
    ):
        # A store stamped at an older version may have been given today's table by hand.
        if column.name not in {c["name"] for c in sa.inspect(bind).get_columns(table)}:
            op.add_column(table, column)
    # Stores from before the "history" mark: backfilled samples say the demo wrote here.
    if bind.execute(sa.text("SELECT 1 FROM samples WHERE demo = 1 LIMIT 1")).first():
        meta = sa.table("vigie_meta", sa.column("key"), sa.column("value"))
        op.execute(meta.insert().values(key="history", value="demo"))
