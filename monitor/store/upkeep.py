"""The store's upkeep: retention (whole months dropped on PostgreSQL) and statistics
refreshed with free space handed back, by each engine's own means."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from monitor.store import blocks, partitions
from monitor.store.schema import notes_table, rollup_table, samples_table

if TYPE_CHECKING:
    from monitor.store.history import HistoryStore

_PARTITION = re.compile(r"samples_\d{6}")


def prune(store: HistoryStore, now: float, *, raw_days: int, rollup_days: int) -> dict[str, int]:
    """Delete what is past its retention: raw samples and notes after `raw_days`, rollups
    after `rollup_days` (the long history). Returns rows removed per table."""
    raw_before = int(now) - raw_days * 86400
    if not store.is_sqlite:  # next month's partition made ahead, not by its first write
        store.months.cover(store.engine, [int(now), partitions.next_month(int(now))])
    removed = 0
    if not store.is_sqlite:
        # PostgreSQL: whole months past retention are dropped, not deleted row by row, in a
        # transaction of their own (a drop locks the samples until it commits); what is left
        # of the oldest month is cut below (it touches that month only).
        with store.writing() as conn:
            removed = partitions.drop_before(conn, raw_before)
        store.months.forget()
    with store.writing() as conn:
        if store.is_sqlite:
            where = samples_table.c.ts < raw_before
            removed += conn.execute(samples_table.delete().where(where)).rowcount
        else:
            for statement in (blocks.PRUNE_WHOLE, blocks.PRUNE_PART):
                cut = conn.exec_driver_sql(statement, {"before": raw_before}).scalars()
                removed += sum(cut)
        return {
            "samples": removed,
            "rollup_hourly": conn.execute(
                rollup_table.delete().where(rollup_table.c.hour < int(now) - rollup_days * 86400)
            ).rowcount,
            "notes": conn.execute(
                notes_table.delete().where(notes_table.c.ts < raw_before)
            ).rowcount,
        }


def optimize(store: HistoryStore) -> dict[str, int]:
    """SQLite: ANALYZE, PRAGMA optimize, and a WAL checkpoint that truncates the -wal file.
    PostgreSQL: VACUUM (ANALYZE) of Vigie's tables, outside a transaction as it must be.
    Returns the bytes freed."""
    if store.is_sqlite:
        return {"bytes_freed": _sqlite(store)}
    size = "SELECT pg_total_relation_size(:t)"
    with store.engine.connect() as conn:
        tables = inspect(conn).get_table_names()  # every concern's: the store is Vigie's
    # The samples' partitions are vacuumed through their parent, not once more each.
    vacuumed = [t for t in tables if not _PARTITION.fullmatch(t)]
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        before = sum(conn.execute(text(size), {"t": t}).scalar() or 0 for t in tables)
        for table in vacuumed:
            conn.exec_driver_sql(f"VACUUM (ANALYZE) {table}")
        after = sum(conn.execute(text(size), {"t": t}).scalar() or 0 for t in tables)
    return {"bytes_freed": max(0, before - after)}


def _sqlite(store: HistoryStore) -> int:
    database = make_url(store.url).database or ""
    wal = Path(f"{database}-wal")
    before = wal.stat().st_size if wal.exists() else 0
    # Outside any transaction: a checkpoint cannot truncate the WAL from inside one.
    raw = store.engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        page = driver.execute("PRAGMA page_size").fetchone()[0]
        free_before = driver.execute("PRAGMA freelist_count").fetchone()[0]
        driver.execute("ANALYZE")
        driver.execute("PRAGMA optimize")
        # executescript steps the pragma to the end; execute() frees one page per call.
        driver.executescript("PRAGMA incremental_vacuum;")
        driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        free_after = driver.execute("PRAGMA freelist_count").fetchone()[0]
    finally:
        raw.close()
    after = wal.stat().st_size if wal.exists() else 0
    return max(0, before - after) + max(0, free_before - free_after) * page
