"""The store's engine: SQLite in WAL with a busy timeout and writers that take the write lock
up front, or a small PostgreSQL pool."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event


def make_engine(url: str, busy_timeout_s: int) -> Engine:
    """The engine of the store at `url`."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": busy_timeout_s})
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_s))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=2,
        max_overflow=2,
        connect_args={"connect_timeout": 5, "application_name": "vigie-store"},
    )


def _sqlite_pragmas(busy_timeout_s: int) -> Callable[..., None]:
    def on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Transactions are begun by the "begin" listener below, not by the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_s * 1000}")
        # On a new, empty file only (before WAL and the first table; later it would need the
        # write lock): lets optimisation hand the pages of pruned samples back to the disk.
        if cursor.execute("PRAGMA page_count").fetchone()[0] == 0:
            cursor.execute("PRAGMA auto_vacuum = INCREMENTAL")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    return on_connect


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the write lock up front (BEGIN IMMEDIATE) so it waits on busy_timeout
    # instead of failing with "database is locked" when it upgrades a read lock mid-transaction.
    immediate = conn.get_execution_options().get("vigie_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
