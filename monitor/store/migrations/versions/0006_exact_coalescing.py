"""Schema version 6: queueing with coalescing is one conditional write.

A waiting job that stands for "a run of this type asked by this requester" carries that as its
`coalesce_key`; a partial unique index on the waiting ones makes a second such job impossible,
so two daemons queueing the same scheduled run at once queue it once. Jobs queued before keep
no key (they never conflict)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

WAITING = sa.text("state = 'waiting'")


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("coalesce_key", sa.String(200), nullable=True))
    op.create_index(
        "uq_jobs_waiting_coalesce",
        "jobs",
        ["coalesce_key"],
        unique=True,
        sqlite_where=WAITING,
        postgresql_where=WAITING,
    )


def downgrade() -> None:
    op.drop_index("uq_jobs_waiting_coalesce", table_name="jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("coalesce_key")
