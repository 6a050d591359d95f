"""How much room the history store takes: its files on SQLite, its tables and their
partitions (indexes and TOAST included) on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from monitor.store.failures import sqlite_path
from monitor.store.history import HistoryStore
from monitor.store.schema import metadata


def size_bytes(store: HistoryStore) -> int | None:
    """The store's size in bytes; None for a store without files of its own (in memory)."""
    if store.is_sqlite:
        path = sqlite_path(str(store.engine.url))
        if path is None:
            return None
        files = [Path(f"{path}{suffix}") for suffix in ("", "-wal", "-shm")]
        return sum(f.stat().st_size for f in files if f.exists())
    with store.engine.connect() as conn:
        found = conn.scalar(
            text(
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
                "AND (c.relname = ANY(:names) OR EXISTS (SELECT 1 FROM pg_inherits i "
                "JOIN pg_class p ON p.oid = i.inhparent "
                "WHERE i.inhrelid = c.oid AND p.relname = ANY(:names)))"
            ),
            {"names": [table.name for table in metadata.sorted_tables]},
        )
    return int(found or 0)
