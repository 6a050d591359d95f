"""Schema version 12: on PostgreSQL, the samples stored a block per series and hour (see
monitor/store/blocks.py) instead of a row each; SQLite keeps a row per sample. The samples move
into their blocks in the same transaction, so an upgrade loses nothing or nothing changes."""

from __future__ import annotations

import time

from alembic import op
from sqlalchemy import Connection, text

from monitor.store.blocks import CREATE
from monitor.store.partitions import ensure, existing, month_of, next_month

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ROWS = (
    "CREATE TABLE samples (series_id integer NOT NULL, ts bigint NOT NULL, "
    "value double precision NOT NULL, demo smallint, "
    "CONSTRAINT samples_pkey PRIMARY KEY (series_id, ts)) PARTITION BY RANGE (ts)"
)


def _set_aside(bind: Connection, prefix: str) -> list[int]:
    """Rename the samples, their partitions and their keys with `prefix`, so the new layout
    takes their names; returns the months they held."""
    months = existing(bind)
    tables = ["samples", *months.values()]
    for table in tables:
        keys = bind.execute(
            text("SELECT indexname FROM pg_indexes WHERE tablename = :t"), {"t": table}
        ).scalars()
        for key in list(keys):
            op.execute(f"ALTER INDEX {key} RENAME TO {prefix}{key}")
        op.execute(f"ALTER TABLE {table} RENAME TO {prefix}{table}")
    this_month = month_of(time.time())
    return [*months, this_month, next_month(this_month)]


def _move(prefix: str, create: str, moved: str) -> None:
    """Set the samples aside under `prefix`, make them anew with `create` in the same months,
    move them with `moved` (which reads `{prefix}samples`), and drop what was set aside."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    months = _set_aside(bind, prefix)
    op.execute(create)
    ensure(bind, months)
    op.execute(moved)
    op.execute(f"DROP TABLE {prefix}samples")  # its partitions go with it


def upgrade() -> None:
    _move(
        "rows_",
        CREATE,
        "INSERT INTO samples (series_id, hour, secs, vals, demo, demo_last) "
        "SELECT series_id, ts - mod(ts, 3600), array_agg(mod(ts, 3600)::smallint ORDER BY ts), "
        "array_agg(value ORDER BY ts), MAX(demo), (array_agg(demo ORDER BY ts DESC))[1] "
        "FROM rows_samples GROUP BY series_id, ts - mod(ts, 3600)",
    )


def downgrade() -> None:
    # A block keeps one demo mark for its hour: each of its samples gets it back.
    _move(
        "blocks_",
        ROWS,
        "INSERT INTO samples (series_id, ts, value, demo) "
        "SELECT x.series_id, x.hour + u.s, u.v, x.demo FROM blocks_samples x "
        "CROSS JOIN LATERAL unnest(x.secs, x.vals) AS u(s, v)",
    )
