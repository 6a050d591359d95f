"""The history store: samples, hourly rollups and notes, in SQLite (WAL) or PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Double,
    Engine,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError

from monitor.errors import StoreCorrupt, StoreError, StoreUnavailable, first_line
from monitor.redaction import redact, redact_url
from monitor.samples import Labels, Note, Sample, labels_json, parse_labels, series_key

SCHEMA_VERSION = 3
SCHEMA_LOCK_KEY = 0x56_69_67_69  # "Vigi": the advisory lock taken while creating the schema
HOUR = 3600

metadata = MetaData()

meta_table = Table(
    "vigie_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# A series is a metric name plus its labels; samples refer to it by a small integer so a sample
# costs a few bytes more than its timestamp and value.
series_table = Table(
    "series",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("labels", Text, nullable=False, default=""),
    UniqueConstraint("name", "labels", name="uq_series_name_labels"),
)

samples_table = Table(
    "samples",
    metadata,
    Column("series_id", Integer, primary_key=True, autoincrement=False),
    Column("ts", BigInteger, primary_key=True, autoincrement=False),
    Column("value", Double, nullable=False),
    # 1 for backfilled demo data; NULL otherwise (costs SQLite one header byte, no body).
    Column("demo", SmallInteger, nullable=True),
    sqlite_with_rowid=False,
)

rollup_table = Table(
    "rollup_hourly",
    metadata,
    Column("series_id", Integer, primary_key=True, autoincrement=False),
    Column("hour", BigInteger, primary_key=True, autoincrement=False),
    Column("min", Double, nullable=False),
    Column("avg", Double, nullable=False),
    Column("max", Double, nullable=False),
    Column("count", Integer, nullable=False),
    # 1 when any sample of the hour was demo data: the mark survives the raw samples' retention.
    Column("demo", SmallInteger, nullable=True),
    sqlite_with_rowid=False,
)

notes_table = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", BigInteger, nullable=False),
    Column("collector", String(64), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Index("ix_notes_ts", "ts"),
    Index("ix_notes_subject_ts", "subject", "ts"),
)

# Every scheduled or requested run (see monitor/jobs.py). Times are epoch seconds.
jobs_table = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("queue", String(32), nullable=False),
    Column("type", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("priority", Integer, nullable=False, default=0),
    Column("attempts", Integer, nullable=False, default=0),
    Column("max_attempts", Integer, nullable=False),
    Column("run_at", Double, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("started_at", Double, nullable=True),
    Column("finished_at", Double, nullable=True),
    Column("duration_ms", Double, nullable=True),
    Column("progress", Integer, nullable=False, default=0),
    Column("error", Text, nullable=True),
    Column("result", Text, nullable=True),
    Column("requested_by", String(100), nullable=False),
    Column("worker", String(100), nullable=True),
    Column("heartbeat_at", Double, nullable=True),
    Index("ix_jobs_due", "state", "run_at"),
    Index("ix_jobs_queue_state", "queue", "state", "finished_at"),
)

job_events_table = Table(
    "job_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", Integer, nullable=False),
    Column("ts", Double, nullable=False),
    Column("event", String(16), nullable=False),
    Column("detail", Text, nullable=True),
    Index("ix_job_events_job", "job_id", "id"),
)


OPEN_ALERT = text("state = 'open'")

# One row per alert episode; the partial unique index makes "one open alert per rule and
# subject" a fact of the database, so two daemons cannot both open it.
alerts_table = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule", String(100), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("metric", String(300), nullable=False),
    Column("labels", Text, nullable=False, default=""),
    Column("severity", String(16), nullable=False),
    Column("peak_severity", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("value", Double, nullable=True),
    Column("threshold", Double, nullable=True),
    Column("message", Text, nullable=False),
    Column("opened_at", Double, nullable=False),
    Column("updated_at", Double, nullable=False),
    Column("resolved_at", Double, nullable=True),
    Column("resolution", Text, nullable=True),
    Column("acknowledged_by", String(100), nullable=True),
    Column("acknowledged_at", Double, nullable=True),
    Index(
        "uq_alerts_open",
        "rule",
        "subject",
        unique=True,
        sqlite_where=OPEN_ALERT,
        postgresql_where=OPEN_ALERT,
    ),
    Index("ix_alerts_state_opened", "state", "opened_at"),
)

# Who did what, when, with what outcome: maintenance runs, acknowledgements.
audit_table = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", Double, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(300), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("detail", Text, nullable=True),
    # A burst of refused calls from one client is one line a minute, counted here.
    Column("times", Integer, nullable=False, server_default="1"),
    Index("ix_audit_ts", "ts"),
)


def _add_jobs_alerts_audit(conn: Connection) -> None:
    for table in (jobs_table, job_events_table, alerts_table, audit_table):
        table.create(conn, checkfirst=True)


def _add_demo_rollups_audit_times(conn: Connection) -> None:
    # A v1 store got today's audit table from the step before: add only what is missing.
    for table, column, ddl in (
        ("rollup_hourly", "demo", "SMALLINT"),
        ("audit", "times", "INTEGER NOT NULL DEFAULT 1"),
    ):
        if column not in {c["name"] for c in inspect(conn).get_columns(table)}:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}")
    # Stores from before the "history" mark: backfilled samples say the demo wrote here.
    if conn.execute(text("SELECT 1 FROM samples WHERE demo = 1 LIMIT 1")).first():
        conn.execute(insert(meta_table).values(key="history", value="demo"))


# Migrations from version N to N+1, run in order on an older store.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _add_jobs_alerts_audit,
    2: _add_demo_rollups_audit_times,
}


class Point(NamedTuple):
    """A point of a chart: the raw value, or an hour's min/avg/max from the rollup."""

    ts: int
    value: float
    min: float
    max: float


class Latest(NamedTuple):
    """The newest sample of a series; `demo` marks backfilled demo data."""

    value: float
    ts: int
    demo: bool


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


class HistoryStore:
    """Everything Vigie has collected: raw samples, hourly rollups and notes."""

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_s: int = 30,
        raw_read_max_hours: int = 48,
        create: bool = True,
    ) -> None:
        self.url = url
        path = sqlite_path(url)
        if not create and path and not path.exists():
            raise StoreError(
                f"there is no history store at {path}: start the collector "
                "daemon first (make run, or python collector_daemon.py)"
            )
        if create and path:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the folder of the history store {path}: "
                    f"{exc.strerror} (check data_dir or store.url)"
                ) from None
        self.raw_read_max_seconds = raw_read_max_hours * HOUR
        self._ids: dict[tuple[str, Labels], int] = {}
        self.engine: Engine = self._make_engine(url, busy_timeout_s)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        try:
            self._open(create)
        except IntegrityError as exc:
            self.engine.dispose()
            raise StoreError(f"the history store could not be set up: {first_line(exc)}") from None
        except DatabaseError as exc:  # unreachable, not a database at all, or a corrupt one
            self.engine.dispose()
            raise store_failure(url, exc) from None

    @staticmethod
    def _make_engine(url: str, busy_timeout_s: int) -> Engine:
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

    # -- schema ---------------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction that holds the store's write lock from its first statement."""
        with self._write() as conn:
            yield conn

    def _open(self, create: bool) -> None:
        # Readers (the dashboard, `latest`) look without taking the write lock.
        with self.engine.connect() as conn:
            version = self._schema_version(conn)
        if version == SCHEMA_VERSION:
            return
        if version is not None and version > SCHEMA_VERSION:
            raise StoreError(
                f"the history store has schema version {version}, newer than "
                f"this Vigie ({SCHEMA_VERSION}): upgrade Vigie"
            )
        if not create:
            state = "is empty" if version is None else f"is from an older Vigie (v{version})"
            raise StoreError(
                f"the history store {redact_url(self.url)} {state}: start the collector daemon "
                "first (it creates or upgrades the store)"
            )
        with self._write() as conn:
            if not self.is_sqlite:
                # Daemons starting together on one PostgreSQL store create it one at a time
                # (SQLite's BEGIN IMMEDIATE already serialises them).
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
            version = self._schema_version(conn)  # another daemon may have been quicker
            if version is None:
                metadata.create_all(conn, checkfirst=True)
                conn.execute(
                    insert(meta_table).values(key="schema_version", value=str(SCHEMA_VERSION))
                )
                return
            for step in range(version, SCHEMA_VERSION):
                MIGRATIONS[step](conn)
            if version < SCHEMA_VERSION:
                conn.execute(
                    meta_table.update()
                    .where(meta_table.c.key == "schema_version")
                    .values(value=str(SCHEMA_VERSION))
                )

    @staticmethod
    def _schema_version(conn: Connection) -> int | None:
        if not conn.dialect.has_table(conn, "vigie_meta"):
            return None
        value = conn.scalar(select(meta_table.c.value).where(meta_table.c.key == "schema_version"))
        return int(value) if value is not None else None

    def schema_version(self) -> int | None:
        """The version of the store's schema, None for an empty database."""
        with self.engine.connect() as conn:
            return self._schema_version(conn)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(vigie_write=True) as conn, conn.begin():
            yield conn

    def close(self) -> None:
        """Close the store's connections."""
        self.engine.dispose()

    # -- writing --------------------------------------------------------------------------------

    def _resolve_series(self, conn: Connection, keys: set[tuple[str, Labels]]) -> None:
        missing = {k for k in keys if k not in self._ids}
        if not missing:
            return
        rows = [{"name": name, "labels": labels_json(labels)} for name, labels in missing]
        if self.is_sqlite:
            conn.execute(insert(series_table).prefix_with("OR IGNORE"), rows)
        else:
            conn.execute(pg_insert(series_table).on_conflict_do_nothing(), rows)
        by_json = {(name, labels_json(labels)): (name, labels) for name, labels in missing}
        query = select(series_table.c.id, series_table.c.name, series_table.c.labels)
        for sid, name, stored_labels in conn.execute(query):
            key = by_json.get((name, stored_labels))
            if key is not None:
                self._ids[key] = sid

    def write(self, samples: Sequence[Sample], *, demo: bool = False) -> int:
        """Store samples in one transaction; a second value for the same series and second
        replaces the first (an emergency run right after a scheduled one is the newer truth).
        Returns the number of samples offered."""
        if not samples:
            return 0
        with self._write() as conn:
            try:
                rows = self._rows(samples)
            except KeyError:
                self._resolve_series(conn, {(s.name, s.labels) for s in samples})
                rows = self._rows(samples)
            self._insert_samples(conn, rows, demo)
        return len(rows)

    def _rows(self, samples: Sequence[Sample]) -> list[tuple[int, int, float]]:
        # The hot loop of ingest: tuple unpacking, one dict lookup, no attribute access.
        ids = self._ids
        return [(ids[name, labels], int(ts), value) for name, value, ts, labels in samples]

    def _insert_samples(
        self, conn: Connection, rows: list[tuple[int, int, float]], demo: bool
    ) -> None:
        # The driver's executemany: SQLAlchemy's per-row dict handling would cost ~3x here.
        columns, marks = (
            ("series_id, ts, value, demo", "?, ?, ?, 1")
            if demo
            else ("series_id, ts, value", "?, ?, ?")
        )
        if self.is_sqlite:
            sql = f"INSERT OR REPLACE INTO samples ({columns}) VALUES ({marks})"
        else:
            sql = (
                f"INSERT INTO samples ({columns}) VALUES ({marks.replace('?', '%s')}) "
                "ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value, "
                "demo = excluded.demo"
            )
        conn.exec_driver_sql(sql, rows)

    def write_notes(self, collector: str, notes: Iterable[Note]) -> int:
        """Store what a collector noted (errors, recommendations, skips); returns how many."""
        rows = [
            {
                "ts": int(n.ts),
                "collector": collector,
                "subject": n.subject,
                "kind": n.kind,
                "text": redact(n.text),  # shown on pages and by the API: never a secret
            }
            for n in notes
        ]
        if rows:
            with self._write() as conn:
                conn.execute(insert(notes_table), rows)
        return len(rows)

    def rollup(self, since: float, series: Iterable[tuple[str, Labels]] | None = None) -> None:
        """Recompute the hourly min/avg/max of every hour from `since` (rounded down) onwards,
        for the given (name, labels) series, or for all of them."""
        start = int(since) // HOUR * HOUR
        where = "ts >= :start"
        params: dict[str, object] = {"start": start}
        if series is not None:
            ids = sorted({self._ids[key] for key in series if key in self._ids})
            if not ids:
                return
            # Seeks on the (series_id, ts) key instead of scanning every series' recent samples.
            where += " AND series_id IN :ids"
            params["ids"] = ids
        statement = text(
            "INSERT INTO rollup_hourly (series_id, hour, min, avg, max, count, demo) "
            "SELECT series_id, (ts / 3600) * 3600, MIN(value), AVG(value), MAX(value), COUNT(*), "
            f"MAX(demo) FROM samples WHERE {where} GROUP BY series_id, (ts / 3600) * 3600 "
            "ON CONFLICT (series_id, hour) DO UPDATE SET min = excluded.min, "
            "avg = excluded.avg, max = excluded.max, count = excluded.count, demo = excluded.demo"
        )
        if series is not None:
            statement = statement.bindparams(bindparam("ids", expanding=True))
        with self._write() as conn:
            conn.execute(statement, params)

    def prune(self, now: float, *, raw_days: int, rollup_days: int) -> dict[str, int]:
        """Delete what is past its retention: raw samples and notes after `raw_days`; rollups,
        resolved alerts and audit lines after `rollup_days` (the long history); events of jobs
        that retention already removed. Returns rows removed per table."""
        long_ago = now - rollup_days * 86400
        with self._write() as conn:
            alerts = conn.execute(
                alerts_table.delete().where(
                    alerts_table.c.state == "resolved", alerts_table.c.resolved_at < long_ago
                )
            ).rowcount
            audit = conn.execute(audit_table.delete().where(audit_table.c.ts < long_ago)).rowcount
            events = conn.execute(
                job_events_table.delete().where(
                    ~job_events_table.c.job_id.in_(select(jobs_table.c.id))
                )
            ).rowcount
            raw = conn.execute(
                samples_table.delete().where(samples_table.c.ts < int(now) - raw_days * 86400)
            ).rowcount
            rolled = conn.execute(
                rollup_table.delete().where(rollup_table.c.hour < int(now) - rollup_days * 86400)
            ).rowcount
            notes = conn.execute(
                notes_table.delete().where(notes_table.c.ts < int(now) - raw_days * 86400)
            ).rowcount
        return {
            "samples": raw,
            "rollup_hourly": rolled,
            "notes": notes,
            "alerts": alerts,
            "audit": audit,
            "job_events": events,
        }

    def mark_demo(self) -> None:
        """Record that this store holds the demo's history (see `forget_demo`)."""
        self._set_meta("history", "demo")

    def forget_demo(self, now: float) -> dict[str, int]:
        """If this store held the demo's history, drop it so a real shop's history starts
        clean: every sample and rollup (backfilled or collected from the simulated shop), the
        series, the notes about the demo's tables, and the demo's open alerts (resolved).
        Returns rows changed per table; empty if the store was not the demo's."""
        with self._write() as conn:
            held = conn.scalar(select(meta_table.c.value).where(meta_table.c.key == "history"))
            if held != "demo":
                return {}
            dropped = {
                table.name: conn.execute(table.delete()).rowcount
                for table in (samples_table, rollup_table, series_table, notes_table)
            }
            dropped["alerts"] = conn.execute(
                alerts_table.update()
                .where(alerts_table.c.state == "open")
                .values(state="resolved", resolved_at=now, resolution="the demo ended")
            ).rowcount
            conn.execute(
                meta_table.update().where(meta_table.c.key == "history").values(value="shop")
            )
        self._ids.clear()
        return dropped

    def _set_meta(self, key: str, value: str) -> None:
        with self._write() as conn:
            updated = conn.execute(
                meta_table.update().where(meta_table.c.key == key).values(value=value)
            ).rowcount
            if not updated:
                conn.execute(insert(meta_table).values(key=key, value=value))

    # -- reading --------------------------------------------------------------------------------

    def _series_id(self, conn: Connection, name: str, labels: Labels) -> int | None:
        key = (name, labels)
        if key not in self._ids:
            sid = conn.scalar(
                select(series_table.c.id).where(
                    series_table.c.name == name, series_table.c.labels == labels_json(labels)
                )
            )
            if sid is None:
                return None
            self._ids[key] = sid
        return self._ids[key]

    def series(self, name: str, start: float, end: float, labels: Labels = ()) -> list[Point]:
        """One metric between two instants: raw samples for short ranges, hourly rollups beyond
        `raw_read_max_hours`, so a one-year chart reads at most 8,760 rows."""
        with self.engine.connect() as conn:
            sid = self._series_id(conn, name, labels)
            if sid is None:
                return []
            if end - start <= self.raw_read_max_seconds:
                rows = conn.exec_driver_sql(
                    self._sql(
                        "SELECT ts, value, value, value FROM samples "
                        "WHERE series_id = ? AND ts >= ? AND ts <= ? ORDER BY ts"
                    ),
                    (sid, int(start), int(end)),
                )
            else:
                rows = conn.exec_driver_sql(
                    self._sql(
                        "SELECT hour, avg, min, max FROM rollup_hourly "
                        "WHERE series_id = ? AND hour >= ? AND hour <= ? ORDER BY hour"
                    ),
                    (sid, int(start) // HOUR * HOUR, int(end)),
                )
            return [Point(*row) for row in rows]

    def _sql(self, sql: str) -> str:
        return sql if self.is_sqlite else sql.replace("?", "%s")

    def latest_series(self) -> list[tuple[str, Labels, Latest]]:
        """The newest value of every series, as (name, labels, newest), sorted by name."""
        query = text(
            "SELECT s.name, s.labels, x.ts, x.value, x.demo FROM series s JOIN samples x "
            "ON x.series_id = s.id AND x.ts = (SELECT MAX(ts) FROM samples WHERE series_id = s.id) "
            "ORDER BY s.name, s.labels"
        )
        with self.engine.connect() as conn:
            return [
                (name, parse_labels(labels), Latest(value, ts, bool(demo)))
                for name, labels, ts, value, demo in conn.execute(query)
            ]

    def latest(self) -> dict[str, Latest]:
        """The newest value of every series, keyed by its printed name (see `series_key`)."""
        return {series_key(name, labels): newest for name, labels, newest in self.latest_series()}

    def notes(
        self,
        *,
        since: float = 0,
        subject: str | None = None,
        kinds: Sequence[str] | None = None,
        limit: int = 200,
    ) -> list[Note]:
        """Notes newest first, optionally about one subject or of some kinds."""
        query = select(
            notes_table.c.subject, notes_table.c.kind, notes_table.c.text, notes_table.c.ts
        ).where(notes_table.c.ts >= int(since))
        if subject is not None:
            query = query.where(notes_table.c.subject == subject)
        if kinds:
            query = query.where(notes_table.c.kind.in_(list(kinds)))
        query = query.order_by(notes_table.c.ts.desc(), notes_table.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [Note(*row) for row in conn.execute(query)]

    def optimize(self) -> dict[str, int]:
        """Let the database refresh its statistics and reclaim free space; returns bytes freed.

        SQLite: ANALYZE, PRAGMA optimize, and a WAL checkpoint that truncates the -wal file.
        PostgreSQL: VACUUM (ANALYZE) of Vigie's tables, outside a transaction as it must be."""
        if self.is_sqlite:
            database = make_url(self.url).database or ""
            wal = Path(f"{database}-wal")
            before = wal.stat().st_size if wal.exists() else 0
            # Outside any transaction: a checkpoint cannot truncate the WAL from inside one.
            raw = self.engine.raw_connection()
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
            freed = max(0, before - after) + max(0, free_before - free_after) * page
            return {"bytes_freed": freed}
        size = "SELECT pg_total_relation_size(:t)"
        tables = [t.name for t in metadata.sorted_tables]
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            before = sum(conn.execute(text(size), {"t": t}).scalar() or 0 for t in tables)
            for table in tables:
                conn.exec_driver_sql(f"VACUUM (ANALYZE) {table}")
            after = sum(conn.execute(text(size), {"t": t}).scalar() or 0 for t in tables)
        return {"bytes_freed": max(0, before - after)}

    def recent_values(self, name: str, count: int, labels: Labels = ()) -> list[float]:
        """The newest `count` raw values of a series, newest first."""
        with self.engine.connect() as conn:
            sid = self._series_id(conn, name, labels)
            if sid is None:
                return []
            rows = conn.exec_driver_sql(
                self._sql("SELECT value FROM samples WHERE series_id = ? ORDER BY ts DESC LIMIT ?"),
                (sid, count),
            )
            return [row[0] for row in rows]

    def newest_ts(self, name: str, labels: Labels = ()) -> int | None:
        """When a series last got a sample (epoch seconds), None if never."""
        with self.engine.connect() as conn:
            sid = self._series_id(conn, name, labels)
            if sid is None:
                return None
            return conn.execute(
                select(func.max(samples_table.c.ts)).where(samples_table.c.series_id == sid)
            ).scalar()

    def series_names(self) -> list[str]:
        """The name of every stored series, sorted, each once."""
        with self.engine.connect() as conn:
            return list(conn.scalars(select(series_table.c.name).distinct().order_by("name")))

    def has_samples(self) -> bool:
        """Whether anything was ever stored (cheap, unlike counting)."""
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT 1 FROM samples LIMIT 1")).first() is not None

    def count_samples(self) -> int:
        """How many raw samples the store holds (a full count: for tests and tools)."""
        with self.engine.connect() as conn:
            return int(conn.scalar(text("SELECT COUNT(*) FROM samples")) or 0)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite store (None for PostgreSQL or an in-memory database)."""
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" else None


CORRUPT = ("malformed", "not a database", "corrupt")


def is_corrupt(exc: BaseException) -> bool:
    """Whether a store error says the file is damaged (retrying will never help)."""
    text = first_line(exc).lower()
    return any(word in text for word in CORRUPT)


def store_failure(url: str, exc: BaseException) -> StoreError:
    """The error to report for a failed store operation, in one line with what to do: corrupt
    (recover or start anew), unreachable (try again later) or another failure."""
    reason = first_line(exc)
    path = sqlite_path(url)
    if is_corrupt(exc):
        where = str(path) if path else redact_url(url)
        fix = (
            f"stop Vigie, then save what is readable with sqlite3 {path} .dump | sed "
            f"'s/^ROLLBACK; -- due to errors$/COMMIT;/' | sqlite3 {path}.new and move "
            f"{path}.new in its place, or move {path} away to start a new store"
            if path
            else "restore it from a backup or point store.url at a new database"
        )
        return StoreCorrupt(
            f"the history store {where} is corrupt ({reason}): {fix} (README: A corrupt store)"
        )
    if isinstance(exc, OperationalError):
        return StoreUnavailable(f"cannot open the history store {redact_url(url)}: {reason}")
    return StoreError(f"the history store {redact_url(url)} is unreadable: {reason}")
