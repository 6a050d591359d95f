"""The history store: samples, hourly rollups and notes, in SQLite (WAL) or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from types import ModuleType
from typing import Any, NamedTuple

import psycopg
from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    insert,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DatabaseError, DBAPIError, IntegrityError

from monitor.errors import StoreError, first_line
from monitor.redaction import redact, redact_url
from monitor.samples import Labels, Note, Sample, labels_json, parse_labels, series_key
from monitor.store import blocks, migrate, partitions, upkeep
from monitor.store import rows as sample_rows
from monitor.store.blocks import HOUR
from monitor.store.engine import make_engine
from monitor.store.failures import sqlite_path, store_failure
from monitor.store.hosted import hosted_series
from monitor.store.schema import (
    meta_table,
    notes_table,
    rollup_table,
    samples_table,
    series_table,
)

SCHEMA_LOCK_KEY = 0x56_69_67_69  # "Vigi": the advisory lock taken while migrating the schema


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


class HistoryStore:
    """Everything Vigie has collected: raw samples, hourly rollups and notes."""

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_s: int = 30,
        raw_read_max_hours: int = 48,
        create: bool = True,
        host: str = "",
    ) -> None:
        self.url = url
        # Whose figures a read without a host label gets when several hosts have them.
        self.host = host
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
        self.months = partitions.Months()
        self.engine: Engine = make_engine(url, busy_timeout_s)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.layout = layout_of(self.engine.dialect.name)
        try:
            self._open(create)
        except IntegrityError as exc:
            self.engine.dispose()
            raise StoreError(f"the history store could not be set up: {first_line(exc)}") from None
        except DatabaseError as exc:  # unreachable, not a database at all, or a corrupt one
            self.engine.dispose()
            raise store_failure(url, exc) from None

    # -- schema ---------------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction that holds the store's write lock from its first statement."""
        with self._write() as conn:
            yield conn

    def _open(self, create: bool) -> None:
        # Readers (the dashboard, `latest`) look without taking the write lock.
        with self.engine.connect() as conn:
            revision = migrate.current(conn)
            stamped = migrate.stamped(conn)
        newest = migrate.head()
        if revision == newest and (stamped or not create):
            return
        if revision is not None and not migrate.knows(revision):
            raise StoreError(
                f"the history store has schema version {revision}, newer than "
                f"this Vigie ({int(newest)}): upgrade Vigie"
            )
        if not create:
            state = "is empty" if revision is None else f"is from an older Vigie (v{int(revision)})"
            raise StoreError(
                f"the history store {redact_url(self.url)} {state}: start the collector daemon "
                "first (it creates or upgrades the store)"
            )
        with self._write() as conn:
            if not self.is_sqlite:
                # Daemons starting together on one PostgreSQL store migrate it one at a time
                # (SQLite's BEGIN IMMEDIATE already serialises them).
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
            migrate.upgrade(conn)  # a no-op if another daemon was quicker

    def schema_version(self) -> int | None:
        """The version of the store's schema (its migration), None for an empty database."""
        with self.engine.connect() as conn:
            revision = migrate.current(conn)
        return int(revision) if revision is not None else None

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
        if not self.is_sqlite:
            self.months.cover(self.engine, list(map(itemgetter(2), samples)))
        try:
            return self._write_samples(samples, demo)
        except IntegrityError as exc:
            if "no partition" not in str(exc):
                raise
            # Another daemon's retention dropped a month this one still took for there.
            self.months.forget()
            self.months.cover(self.engine, list(map(itemgetter(2), samples)))
            return self._write_samples(samples, demo)

    def _write_samples(self, samples: Sequence[Sample], demo: bool) -> int:
        with self._write() as conn:
            try:
                self._insert(conn, samples, demo)
            except KeyError:  # a series this process has not met: resolved, then written
                self._resolve_series(conn, {(s.name, s.labels) for s in samples})
                self._insert(conn, samples, demo)
        return len(samples)

    def _insert(self, conn: Connection, samples: Sequence[Sample], demo: bool) -> None:
        if not self.is_sqlite:
            blocks.write(conn, samples, self._ids, demo)
            return
        # The hot loop of ingest: tuple unpacking, one dict lookup, no attribute access.
        ids = self._ids
        sample_rows.write(
            conn, [(ids[name, labels], int(ts), value) for name, value, ts, labels in samples], demo
        )

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
        where = self.layout.ROLLUP_FROM
        params: dict[str, object] = {"start": start}
        if series is not None:
            ids = sorted({self._ids[key] for key in series if key in self._ids})
            if not ids:
                return
            # Seeks on the series' key instead of scanning every series' recent samples.
            where += " AND x.series_id IN :ids"
            params["ids"] = ids
        statement = text(self.layout.ROLLUP.format(where=where))
        if series is not None:
            statement = statement.bindparams(bindparam("ids", expanding=True))
        with self._write() as conn:
            conn.execute(statement, params)

    def prune(self, now: float, *, raw_days: int, rollup_days: int) -> dict[str, int]:
        """Delete what is past its retention: raw samples and notes after `raw_days`, rollups
        after `rollup_days`. Returns rows removed per table (see monitor.store.upkeep)."""
        return upkeep.prune(self, now, raw_days=raw_days, rollup_days=rollup_days)

    def mark_demo(self) -> None:
        """Record that this store holds the demo's history (see `forget_demo`)."""
        self._set_meta("history", "demo")

    def forget_demo(self) -> dict[str, int]:
        """If this store held the demo's history, drop it so a real shop's history starts
        clean: every sample and rollup (backfilled or collected from the simulated shop), the
        series and the notes about the demo's tables (the demo's alerts are the alerts' to
        resolve). Returns rows removed per table; empty if the store was not the demo's."""
        with self._write() as conn:
            held = conn.scalar(select(meta_table.c.value).where(meta_table.c.key == "history"))
            if held != "demo":
                return {}
            # Samples counted, not their rows: a row is a block of them on PostgreSQL.
            dropped = {"samples": int(conn.exec_driver_sql(self.layout.COUNT).scalar() or 0)}
            conn.execute(samples_table.delete())
            for table in (rollup_table, series_table, notes_table):
                dropped[table.name] = conn.execute(table.delete()).rowcount
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
                # Not cached: which host a read without one gets may change as hosts join.
                return hosted_series(conn, name, labels, self.host)
            self._ids[key] = sid
        return self._ids[key]

    def forget_ids(self) -> None:
        """Drop the cached series ids (after series were relabelled)."""
        self._ids.clear()

    def series(
        self, name: str, start: float, end: float, labels: Labels = (), *, raw: bool | None = None
    ) -> list[Point]:
        """One metric between two instants: raw samples for short ranges, hourly rollups beyond
        `raw_read_max_hours`, so a one-year chart reads at most 8,760 rows (`raw` forces one)."""
        with self.engine.connect() as conn:
            sid = self._series_id(conn, name, labels)
            if sid is None:
                return []
            raw = raw if raw is not None else end - start <= self.raw_read_max_seconds
            sql = self.layout.SERIES if raw else self.layout.HOURLY
            return list(map(Point._make, _fetched(conn, sql, _span(sid, start, end))))

    def values(
        self, name: str, start: float, end: float, labels: Labels = ()
    ) -> list[tuple[int, float]]:
        """One series' raw (ts, value) pairs between two instants, oldest first: the bare
        rows, for readers of whole months (availability) that need no min or max."""
        with self.engine.connect() as conn:
            sid = self._series_id(conn, name, labels)
            if sid is None:
                return []
            return _fetched(conn, self.layout.VALUES, _span(sid, start, end))

    def latest_series(self) -> list[tuple[str, Labels, Latest]]:
        """The newest value of every series, as (name, labels, newest), sorted by name."""
        with self.engine.connect() as conn:
            return [
                (name, parse_labels(labels), Latest(value, ts, bool(demo)))
                for name, labels, ts, value, demo in conn.exec_driver_sql(self.layout.LATEST)
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
        """Let the database refresh its statistics and reclaim free space; returns bytes freed
        (see monitor.store.upkeep)."""
        return upkeep.optimize(self)

    def recent_values(self, name: str, count: int, labels: Labels = ()) -> list[float]:
        """The newest `count` raw values of a series, newest first."""
        with self.engine.connect() as conn:
            sid = self._series_id(conn, name, labels)
            if sid is None:
                return []
            found = conn.exec_driver_sql(self.layout.RECENT, {"sid": sid, "count": count})
            return [row[0] for row in found]

    def newest_ts(self, name: str, labels: Labels = ()) -> int | None:
        """When a series last got a sample (epoch seconds), None if never."""
        with self.engine.connect() as conn:
            sid = self._series_id(conn, name, labels)
            if sid is None:
                return None
            newest = conn.exec_driver_sql(self.layout.NEWEST, {"sid": sid}).scalar()
            return int(newest) if newest is not None else None

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
            return int(conn.exec_driver_sql(self.layout.COUNT).scalar() or 0)


def layout_of(dialect: str) -> ModuleType:
    """How the samples are laid out on an engine: a row each on SQLite (rows.py), blocks of
    an hour on PostgreSQL (blocks.py); both modules name their statements alike."""
    return sample_rows if dialect == "sqlite" else blocks


def _fetched(conn: Connection, sql: str, params: dict[str, int]) -> list[Any]:
    """A read's rows as the driver gives them, not an object each (SQLAlchemy's cost 5 µs a
    row: a year's chart is 8,760), and from PostgreSQL in binary (half the time of parsing a
    year's 35,000 numbers from text)."""
    driver = conn.connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        return list(conn.exec_driver_sql(sql, params).cursor.fetchall())
    try:
        with driver.cursor(binary=True) as cursor:
            return cursor.execute(sql, params).fetchall()
    except psycopg.Error as exc:  # in SQLAlchemy's terms, as every other read's
        raise DBAPIError.instance(sql, params, exc, psycopg.Error) from exc


def _span(sid: int, start: float, end: float) -> dict[str, int]:
    """The parameters of a read of one series between two instants, for either layout."""
    first, last = int(start), int(end)
    return {"sid": sid, "start": first, "end": last, "first_hour": first // HOUR * HOUR}
