"""Benchmark of the history store and the daemon (run on demand: `make bench`, not a test).

Prints, in one run:
- ingest rows/s of `HistoryStore.write` beside raw sqlite3 `executemany` of the same rows into an
  integer-keyed WITHOUT ROWID table with the same pragmas (target: at least 0.7 of raw);
- bytes per stored sample, both tables measured with dbstat (target: at most 1.25 x raw);
- the time to read one metric over 24 h, 30 days and 1 year from a store holding a year of
  2-minute history for 20 metrics (targets: 2 ms, 25 ms, 25 ms);
- with --daemon-minutes N: the resident memory of the demo daemon after N minutes (target for
  60 minutes: under 80 MB).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from monitor.samples import Sample
from monitor.store import HistoryStore

YEAR = 365 * 86400
STEP = 120
METRICS = 20
BATCH_SECONDS = 86400  # one write per simulated day: 720 samples x 20 metrics


def _year_of_batches(end: int) -> list[list[Sample]]:
    start = end - YEAR
    names = [f"bench.metric{i:02d}" for i in range(METRICS)]
    batches = []
    for day in range(start, end, BATCH_SECONDS):
        batch = [
            Sample(name, float((ts // STEP + i) % 1000) / 10, ts)
            for ts in range(day, min(day + BATCH_SECONDS, end), STEP)
            for i, name in enumerate(names)
        ]
        batches.append(batch)
    return batches


def _raw_ingest(path: Path, batches: list[list[tuple[int, int, float]]]) -> float:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute(
        "CREATE TABLE samples (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, "
        "value REAL NOT NULL, PRIMARY KEY (series_id, ts)) WITHOUT ROWID"
    )
    start = time.perf_counter()
    for rows in batches:
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO samples VALUES (?, ?, ?)", rows)
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed


def _table_bytes(path: Path, table: str) -> int:
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = db.execute("SELECT SUM(pgsize) FROM dbstat WHERE name = ?", (table,)).fetchone()[0]
    db.close()
    return int(size)


def _best_ms(fn: object, repeat: int = 30) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_store(workdir: Path) -> None:
    end = int(time.time()) // STEP * STEP
    batches = _year_of_batches(end)
    total = sum(len(b) for b in batches)
    raw_batches = [[(int(s.name[-2:]) + 1, int(s.ts), s.value) for s in b] for b in batches]

    raw_path = workdir / "raw.sqlite"
    raw_s = _raw_ingest(raw_path, raw_batches)
    store_path = workdir / "store.sqlite"
    store = HistoryStore(f"sqlite:///{store_path}")
    start = time.perf_counter()
    for batch in batches:
        store.write(batch)
    store_s = time.perf_counter() - start
    start = time.perf_counter()
    store.rollup(end - YEAR)
    rollup_s = time.perf_counter() - start

    keys = {(s.name, s.labels) for s in batches[-1]}
    step_ms = _best_ms(lambda: store.rollup(end - STEP, keys), repeat=10)
    raw_rate, store_rate = total / raw_s, total / store_s
    print(
        f"samples: {total:,} ({METRICS} metrics, one year every {STEP} s, "
        f"{len(batches)} writes of {len(batches[0]):,})"
    )
    print(
        f"ingest  raw executemany: {raw_rate:,.0f} rows/s   HistoryStore.write: "
        f"{store_rate:,.0f} rows/s   ratio {store_rate / raw_rate:.2f} (target >= 0.70)"
    )
    print(
        f"rollup of the whole year: {rollup_s:.2f} s; of the last hour of {METRICS} series "
        f"(the daemon's step after each write): {step_ms:.2f} ms"
    )
    raw_bytes = _table_bytes(raw_path, "samples") / total
    store_bytes = _table_bytes(store_path, "samples") / total
    print(
        f"bytes/sample  raw: {raw_bytes:.2f}   store: {store_bytes:.2f}   "
        f"ratio {store_bytes / raw_bytes:.2f} (target <= 1.25)"
    )

    name = "bench.metric07"
    for label, span, target in (("24 h", 86400, 2), ("30 d", 30 * 86400, 25), ("1 y", YEAR, 25)):
        points = len(store.series(name, end - span, end))
        ms = _best_ms(lambda span=span: store.series(name, end - span, end))
        print(f"read {label:>4}: {ms:6.2f} ms median for {points:,} points (target {target} ms)")
    store.close()


def bench_daemon(workdir: Path, minutes: float) -> None:
    env = {**os.environ, "MONITOR_CONFIG": ""}
    config = workdir / "vigie.toml"
    config.write_text(f'data_dir = "{workdir / "data"}"\n')
    root = Path(__file__).resolve().parent.parent
    log_path = workdir / "daemon.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "collector_daemon.py", "--config", str(config)],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        process = psutil.Process(proc.pid)
        deadline = time.monotonic() + minutes * 60
        peak = rss = 0
        try:
            while time.monotonic() < deadline and proc.poll() is None:
                time.sleep(5)
                rss = process.memory_info().rss
                peak = max(peak, rss)
            exited = proc.poll()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    if exited is not None:
        print(f"daemon exited early with status {exited}: see {log_path}")
        return
    print(
        f"daemon after {minutes:g} min of the demo: RSS {rss / 2**20:.1f} MB "
        f"(peak {peak / 2**20:.1f} MB; target < 80 MB); log in {log_path}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--daemon-minutes",
        type=float,
        default=0,
        help="also run the demo daemon this long and report its memory",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="vigie-bench-"))
    bench_store(workdir)
    if args.daemon_minutes:
        bench_daemon(workdir, args.daemon_minutes)
    if not args.keep:
        subprocess.run(["rm", "-rf", str(workdir)], check=False)


if __name__ == "__main__":
    main()
