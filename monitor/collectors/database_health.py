"""Database health: connectivity, connections, and each critical table's state.

| metric | unit | note |
|---|---|---|
| database.up | 1 reachable / 0 not | |
| database.responseTime | ms for `SELECT 1` | |
| database.connections | open connections to this database | PostgreSQL only |
| database.<table>.accessible | 1 / 0 | no sample while the table is locked |
| database.<table>.recordCount | rows | PostgreSQL: statistics above `exact_count_below` |
| database.<table>.queryTime | ms for the table's probe | `source.table_probes`: its newest rows |
| database.<table>.sizeBytes | bytes with indexes | SQLite: needs the dbstat table |
| database.<table>.liveRows, .deadRows | rows | PostgreSQL statistics |
| database.<table>.seqScans, .indexScans | scans since the statistics' reset | PostgreSQL |
| database.<table>.vacuumAge, .analyzeAge | s since the last vacuum, analyse | PostgreSQL |

The probe reads a table's newest rows the way the shop's pages do (newest orders by `ord_date`,
…), so a dropped index shows as a read many times slower than usual; a table without a probe
reads any row. It runs like every query here: read-only, under the statement timeout.
Recommendations and skipped tables are notes about the table.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from monitor.collectors import indexes
from monitor.collectors.sql_metrics import collect_area
from monitor.config import Thresholds
from monitor.errors import SourceError, SourceUnavailable
from monitor.samples import Collection
from monitor.sources import Sources
from monitor.sources.database import SourceDatabase

# pg_locks first: the size functions take a share lock and would queue behind an exclusive one.
_PG_TABLE_LOCKED = """
SELECT EXISTS (SELECT 1 FROM pg_locks l WHERE l.relation = c.oid
               AND l.mode = 'AccessExclusiveLock' AND l.granted)
FROM pg_class c WHERE c.oid = to_regclass(:table)
"""
# The planner's estimate: rows per page at the last ANALYZE times the pages there are now.
_PG_TABLE_STATS = """
SELECT CASE WHEN c.reltuples < 0 THEN -1
            WHEN c.relpages > 0 THEN c.reltuples / c.relpages
                 * (pg_relation_size(c.oid) / current_setting('block_size')::int)
            ELSE c.reltuples END,
       s.n_live_tup, s.n_dead_tup, s.seq_scan, s.idx_scan, pg_total_relation_size(c.oid),
       EXTRACT(EPOCH FROM now() - GREATEST(s.last_vacuum, s.last_autovacuum)),
       EXTRACT(EPOCH FROM now() - GREATEST(s.last_analyze, s.last_autoanalyze))
FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE c.oid = to_regclass(:table)
"""
_PG_CONNECTIONS = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
LOCK_NOT_AVAILABLE = "55P03"
# The per-table statistics kept as metrics (PostgreSQL), in _PG_TABLE_STATS' order.
PG_STATISTICS = ("liveRows", "deadRows", "seqScans", "indexScans", "vacuumAge", "analyzeAge")
_SKIPPED = "skipped: held by an exclusive lock (VACUUM FULL, ALTER TABLE, …); retried next run"


def collect(sources: Sources, now: datetime) -> Collection:
    """Connectivity, connections and every critical table; one table's failure is its own."""
    result = collect_area(sources, "database", now)
    database = sources.database
    if result.unreachable is not None:  # one connection attempt a run is enough to know
        result.add("database.up", 0)
        result.fail("database", result.unreachable)
        return result
    try:
        with database.connect() as conn:
            if not _connectivity(database, conn, result):
                return result
            for table in sources.settings.source.critical_tables:
                try:
                    _check_table(database, conn, table, sources, result)
                except SourceUnavailable:
                    raise
                except SourceError as exc:
                    if exc.sqlstate == LOCK_NOT_AVAILABLE:  # locked between our check and read
                        result.note(table, "skipped", _SKIPPED)
                        continue
                    result.add(f"database.{table}.accessible", 0)
                    result.fail(table, str(exc))
    except SourceUnavailable as exc:
        result.unreachable = str(exc)
        result.add("database.up", 0)
        result.fail("database", str(exc))
    return result


def _connectivity(database: SourceDatabase, conn: Connection, result: Collection) -> bool:
    """`database.up`, `.responseTime` (the round trip alone) and `.connections`."""
    start = time.perf_counter()
    try:
        database.query(conn, "SELECT 1")
    except SourceError as exc:
        result.add("database.up", 0)
        result.fail("database", str(exc))
        return False
    result.add("database.responseTime", (time.perf_counter() - start) * 1000)
    result.add("database.up", 1)
    if database.dialect == "postgresql":
        try:
            result.add("database.connections", database.scalar(conn, _PG_CONNECTIONS))
        except SourceError as exc:
            result.fail("database.connections", str(exc))
    return True


def _check_table(
    database: SourceDatabase, conn: Connection, table: str, sources: Sources, result: Collection
) -> None:
    thresholds = sources.settings.thresholds
    if database.dialect == "postgresql":
        locked = database.query(conn, _PG_TABLE_LOCKED, {"table": table})
        if not locked:
            result.add(f"database.{table}.accessible", 0)
            result.fail(table, f"table {table} does not exist")
            return
        if locked[0][0]:
            result.note(table, "skipped", _SKIPPED)
            return
        stats = database.query(conn, _PG_TABLE_STATS, {"table": table})
        if not stats:  # dropped between the two queries
            result.add(f"database.{table}.accessible", 0)
            result.fail(table, f"table {table} does not exist")
            return
        reltuples, live, dead, seq_scan, idx_scan, size, vacuumed, analysed = stats[0]
        count = _pg_record_count(
            database, conn, table, reltuples, live, sources.settings.source.exact_count_below
        )
        result.add(f"database.{table}.sizeBytes", size)
        _pg_statistics(result, table, live, dead, seq_scan, idx_scan, vacuumed, analysed)
        for text in indexes.advice(
            database, conn, table, min_bytes=thresholds.unused_index_min_bytes
        ):
            result.note(table, "recommendation", text)
    else:
        exists = database.query(
            conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :t", {"t": table}
        )
        if not exists:
            result.add(f"database.{table}.accessible", 0)
            result.fail(table, f"table {table} does not exist")
            return
        count = database.scalar(conn, f"SELECT COUNT(*) FROM {table}") or 0
        result.add(f"database.{table}.sizeBytes", _sqlite_size(database, conn, table))
        reltuples = live = dead = seq_scan = idx_scan = None

    probe = sources.settings.source.probe_sql(table, database.dialect)
    start = time.perf_counter()
    try:
        database.query(conn, probe)
    except SourceUnavailable:
        raise
    except SourceError as exc:
        raise SourceError(f"probe of {table} failed: {exc}", exc.sqlstate, kind=exc.kind) from None
    query_ms = (time.perf_counter() - start) * 1000
    result.add(f"database.{table}.accessible", 1)
    result.add(f"database.{table}.recordCount", count)
    result.add(f"database.{table}.queryTime", query_ms)
    for text in recommendations(
        count=count,
        query_ms=query_ms,
        reltuples=reltuples,
        live=live,
        dead=dead,
        seq_scan=seq_scan,
        idx_scan=idx_scan,
        thresholds=thresholds,
    ):
        result.note(table, "recommendation", text)


def _pg_statistics(result: Collection, table: str, *figures: Any) -> None:
    """The table's activity statistics as metrics, where PostgreSQL has them (never vacuumed
    or analysed: no age)."""
    for figure, value in zip(PG_STATISTICS, figures, strict=True):
        if value is not None:
            result.add(f"database.{table}.{figure}", float(value))


def _pg_record_count(
    database: SourceDatabase,
    conn: Connection,
    table: str,
    reltuples: float,
    live: int | None,
    exact_below: int,
) -> float:
    # count(*) on a big table is a full scan of production: trust the statistics there. The
    # larger of the two, since either can lag: n_live_tup restarts at 0 after a stats reset
    # or a crash, reltuples only moves with ANALYZE.
    known = [float(v) for v in (reltuples, live) if v is not None and v > 0]
    estimate = max(known) if known else None
    if estimate is not None and estimate >= exact_below:
        return float(estimate)
    try:
        return database.scalar(conn, f"SELECT COUNT(*) FROM {table}") or 0.0
    except SourceError:
        if estimate is None:
            raise
        return float(estimate)


def _sqlite_size(database: SourceDatabase, conn: Connection, table: str) -> float | None:
    try:
        return database.scalar(
            conn,
            "SELECT SUM(pgsize) FROM dbstat WHERE name = :t "
            "OR name IN (SELECT name FROM sqlite_master WHERE tbl_name = :t AND type = 'index')",
            {"t": table},
        )
    except SourceError:
        return None  # SQLite built without dbstat


def recommendations(
    *,
    count: float,
    query_ms: float,
    thresholds: Thresholds,
    reltuples: float | None = None,
    live: Any = None,
    dead: Any = None,
    seq_scan: Any = None,
    idx_scan: Any = None,
) -> list[str]:
    """Plain-words advice from one table's figures (PostgreSQL statistics where available)."""
    advice = []
    if count == 0:
        advice.append("The table is empty: check that the shop still writes to it.")
    if query_ms > thresholds.slow_query_ms:
        advice.append(
            f"Reading the newest rows took {query_ms:.0f} ms: the table or the server is "
            "under load, or the probe's index is missing; look at long-running queries, "
            "locks and the table's indexes."
        )
    if reltuples is not None and reltuples < 0:
        advice.append(
            "The table has never been analysed: run ANALYZE so the planner and "
            "Vigie's row estimates are right."
        )
    if live and dead and dead > thresholds.dead_tuple_ratio * live:
        advice.append(
            f"{dead:,} dead rows ({100 * dead / live:.0f} % of live ones): run VACUUM "
            "or tune autovacuum for this table."
        )
    if (
        seq_scan
        and (live or 0) >= thresholds.seq_scan_min_rows
        and seq_scan > thresholds.seq_scan_ratio * (idx_scan or 0)
    ):
        advice.append(
            f"{seq_scan:,} sequential scans against {idx_scan or 0:,} index scans on "
            f"{live:,} rows: a query probably lacks an index."
        )
    return advice
