"""Schema version 9: on PostgreSQL, the samples partitioned by month (see
monitor/store/partitions.py); SQLite keeps its one table. The existing samples move into the
partitions of their months in the same transaction, so an upgrade loses nothing or nothing
changes."""

from __future__ import annotations

import time

from alembic import op
from sqlalchemy import text

from monitor.store.partitions import ensure, month_of, next_month

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE samples RENAME TO samples_unpartitioned")
    op.execute("ALTER INDEX samples_pkey RENAME TO samples_unpartitioned_pkey")
    op.execute(
        "CREATE TABLE samples (series_id integer NOT NULL, ts bigint NOT NULL, "
        "value double precision NOT NULL, demo smallint, "
        "CONSTRAINT samples_pkey PRIMARY KEY (series_id, ts)) PARTITION BY RANGE (ts)"
    )
    # The months that hold samples (not every month between: one stray timestamp of 1970
    # must not make 680 tables), this month and the next.
    held = bind.execute(
        text(
            "SELECT DISTINCT EXTRACT(EPOCH FROM date_trunc('month', "
            "to_timestamp(ts) AT TIME ZONE 'UTC'))::bigint FROM samples_unpartitioned"
        )
    ).scalars()
    this_month = month_of(time.time())
    ensure(bind, [*held, this_month, next_month(this_month)])
    op.execute(
        "INSERT INTO samples (series_id, ts, value, demo) "
        "SELECT series_id, ts, value, demo FROM samples_unpartitioned"
    )
    op.execute("DROP TABLE samples_unpartitioned")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE samples RENAME TO samples_partitioned")
    op.execute("ALTER INDEX samples_pkey RENAME TO samples_partitioned_pkey")
    op.execute(
        "CREATE TABLE samples (series_id integer NOT NULL, ts bigint NOT NULL, "
        "value double precision NOT NULL, demo smallint, "
        "CONSTRAINT samples_pkey PRIMARY KEY (series_id, ts))"
    )
    op.execute("INSERT INTO samples SELECT series_id, ts, value, demo FROM samples_partitioned")
    op.execute("DROP TABLE samples_partitioned CASCADE")
