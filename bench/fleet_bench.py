"""Benchmark of a fleet's PostgreSQL store (run on demand: `make bench-fleet`, not a test).

Prints, in one run, for 20 simulated hosts writing 8 machine figures every two minutes for 30
days into a fresh PostgreSQL store (partitioned by month):
- ingest rows/s of `HistoryStore.write` (a host's day per write) beside raw `COPY` of the
  same rows into a bare table (target: at least 0.5 of it), each run three times in turn on a
  fresh database, the medians compared (this machine's speed drifts by a tenth between runs);
- bytes per sample on disk (the partitions, their indexes included), and the bare table's;
- the time to read one host's series over 24 h, 30 days and 1 year (targets: 10 ms, 50 ms,
  50 ms), the year's eleven months before the 30 days being hourly rollups as retention
  leaves them (so a year's read is 8,760 points);
- the time for retention to drop a month.

    python bench/fleet_bench.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from monitor.samples import Sample
from monitor.store import HistoryStore
from monitor.store.partitions import month_of

HOSTS = 20
DAYS = 30
STEP = 120
FIGURES = (
    "performance.cpuUsage",
    "performance.memoryUsage",
    "performance.memoryPercent",
    "performance.diskUsage",
    "performance.uptime",
    "performance.responseTime",
    "performance.requestsPerMinute",
    "performance.errorRate",
)
DATABASE = "vigie_fleet_bench"


def _fresh_database(admin_url: str) -> str:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {DATABASE}"))
    admin.dispose()
    return make_url(admin_url).set(database=DATABASE).render_as_string(hide_password=False)


def _host_days(end: int) -> list[list[Sample]]:
    """One write per host per day: what 720 two-minute collections of a host add up to."""
    batches = []
    for day in range(end - DAYS * 86400, end, 86400):
        for h in range(HOSTS):
            labels = (("host", f"web-{h + 1:02d}"),)
            batches.append(
                [
                    Sample(name, float((ts // STEP * (i + 1) + h) % 1000) / 10, ts, labels)
                    for ts in range(day, day + 86400, STEP)
                    for i, name in enumerate(FIGURES)
                ]
            )
    return batches


def _median_ms(fn: Callable[[], object], repeat: int = 30) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _raw_copy(url: str, rows: list[tuple[int, int, float]], key: str = "") -> tuple[float, int]:
    """Seconds to COPY `rows` into a table of the samples' columns (with `key`, e.g. the
    samples' primary key; by default none and no index: a bare table), and its bytes."""
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(
            "CREATE TABLE bare (series_id integer NOT NULL, ts bigint NOT NULL, "
            f"value double precision NOT NULL{key})"
        )
        raw.commit()
        _checkpoint(url)
        start = time.perf_counter()
        with cursor.copy("COPY bare (series_id, ts, value) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
        elapsed = time.perf_counter() - start
        cursor.execute("SELECT pg_total_relation_size('bare')")
        found = cursor.fetchone()
        size = int(found[0]) if found else 0
        cursor.execute("DROP TABLE bare")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()
    return elapsed, size


def _checkpoint(url: str) -> None:
    """Each timed run starts from a checkpoint: not paying for the run before it (the WAL of
    its pages written out, the first change of each page after a checkpoint logged whole)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("CHECKPOINT"))
    engine.dispose()


def _older_rollups(store: HistoryStore, end: int) -> int:
    """The hourly rollups of the eleven months before the 30 days, for every series."""
    raw = store.engine.raw_connection()
    first, last = end - 366 * 86400, end - DAYS * 86400
    try:
        cursor = raw.cursor()
        copied = "COPY rollup_hourly (series_id, hour, min, avg, max, count) FROM STDIN"
        with cursor.copy(copied) as copy:
            for sid in store._ids.values():
                for hour in range(first // 3600 * 3600, last // 3600 * 3600, 3600):
                    mean = float((hour // 3600 + sid) % 1000) / 10
                    copy.write_row((sid, hour, mean - 1, mean, mean + 1, 30))
        raw.commit()
    finally:
        raw.close()
    return len(store._ids) * ((last - first) // 3600)


def _ingest(url: str, batches: list[list[Sample]]) -> tuple[HistoryStore, float]:
    store = HistoryStore(url)
    _checkpoint(url)
    start = time.perf_counter()
    for batch in batches:
        store.write(batch)
    return store, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    end = int(time.time()) // STEP * STEP
    batches = _host_days(end)
    total = sum(len(b) for b in batches)

    store_runs, copy_runs = [], []
    for _ in range(3):
        url = _fresh_database(args.url)
        store, store_s = _ingest(url, batches)
        ids = store._ids  # the series ids the store gave, so COPY writes the very same rows
        rows = [(ids[s.name, s.labels], int(s.ts), s.value) for b in batches for s in b]
        copy_s, bare_bytes = _raw_copy(url, rows)
        store_runs.append(store_s)
        copy_runs.append(copy_s)
        if len(store_runs) < 3:
            store.close()
    store_s, copy_s = statistics.median(store_runs), statistics.median(copy_runs)
    start = time.perf_counter()
    store.rollup(end - DAYS * 86400)
    rollup_s = time.perf_counter() - start
    keyed_s, _ = _raw_copy(url, rows, ", PRIMARY KEY (series_id, ts)")
    older = _older_rollups(store, end)
    with store.engine.connect() as conn:
        store_bytes = int(
            conn.execute(
                text(
                    "SELECT SUM(pg_total_relation_size(i.inhrelid)) FROM pg_inherits i "
                    "WHERE i.inhparent = 'samples'::regclass"
                )
            ).scalar()
            or 0
        )
    print(
        f"samples: {total:,} ({HOSTS} hosts x {len(FIGURES)} figures, every {STEP} s for "
        f"{DAYS} days; {len(batches):,} writes of {len(batches[0]):,})"
    )
    print(
        f"ingest  raw COPY into a bare table: {total / copy_s:,.0f} rows/s   "
        f"HistoryStore.write: {total / store_s:,.0f} rows/s   ratio "
        f"{copy_s / store_s:.2f} (target >= 0.50; the three runs: "
        f"{', '.join(f'{c / s:.2f}' for c, s in zip(copy_runs, store_runs, strict=True))}); "
        f"rollup of the 30 days {rollup_s:.1f} s; {older:,} hourly rollups of the 11 months "
        "before them added"
    )
    print(
        f"        raw COPY into a table with the samples' primary key: {total / keyed_s:,.0f} "
        f"rows/s   ratio {keyed_s / store_s:.2f}"
    )
    print(
        f"bytes/sample  store (blocks in partitions, and their keys): {store_bytes / total:.1f}   "
        f"bare table: {bare_bytes / total:.1f}"
    )
    cpu, host = FIGURES[0], (("host", "web-07"),)
    for label, span, target in (
        ("24 h", 86400, 10),
        ("30 d", 30 * 86400, 50),
        ("1 y", 365 * 86400, 50),
    ):

        def read(span: int = span) -> object:
            return store.series(cpu, end - span, end, host)

        points = len(store.series(cpu, end - span, end, host))
        ms = _median_ms(read)
        print(
            f"read one host {label:>4}: {ms:6.2f} ms median, {points:,} points (target {target} ms)"
        )
    # Retention reaching the start of this month: the months before it are dropped whole.
    start = time.perf_counter()
    removed = store.prune(month_of(end) + 86400, raw_days=1, rollup_days=400)["samples"]
    print(
        f"retention dropping a month ({removed:,} samples): "
        f"{(time.perf_counter() - start) * 1000:.0f} ms"
    )
    store.close()


if __name__ == "__main__":
    main()
