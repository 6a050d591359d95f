"""Benchmark of availability (run on demand: `make bench`, not a test).

A SQLite store with a year of history of 10 components: the shop's verdict every minute, four
HTTP probes every 2 minutes and five critical tables every 5 minutes, with an outage a week in
each; prints the time to compute every component's availability over 24 h, 7, 30 and 90 days
with its incidents of the last 90 days and its 90 daily bars (target: under 0.5 s).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from monitor.availability import availability
from monitor.config import Settings
from monitor.samples import Sample
from monitor.store import HistoryStore

DAY = 86400
YEAR = 365 * DAY
TABLES = ["___xtr_customer", "___xtr_order", "___xtr_order_line", "__sitemap_p_link", "__seo_page"]
PROBES = ["home", "search", "checkout", "payment"]


def _value(ts: int, offset: int) -> float:
    # Down 20 minutes a week, each component at its own moment of the week.
    return 0.0 if (ts + offset) % (7 * DAY) < 1200 else 1.0


def _fill(store: HistoryStore, end: int) -> int:
    series: list[tuple[str, tuple[tuple[str, str], ...], int]] = [("health.up", (), 60)]
    series += [("performance.probe.up", (("probe", p),), 120) for p in PROBES]
    series += [(f"database.{t}.accessible", (), 300) for t in TABLES]
    written = 0
    for offset, (name, labels, every) in enumerate(series):
        for day in range(end - YEAR, end, 30 * DAY):
            batch = [
                Sample(name, _value(ts, offset * 3 * 3600), ts, labels)
                for ts in range(day, min(day + 30 * DAY, end), every)
            ]
            written += store.write(batch)
    store.rollup(end - YEAR)
    return written


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'history.sqlite'}"
        store = HistoryStore(url)
        end = int(time.time()) // 60 * 60
        start = time.perf_counter()
        samples = _fill(store, end)
        print(f"store: {samples:,} samples of 10 components over a year, made in "
              f"{time.perf_counter() - start:.0f} s")  # fmt: skip
        settings = Settings.model_validate(
            {
                "data_dir": folder,
                "store": {"url": url},
                "source": {"critical_tables": TABLES},
                "probes": [{"name": p, "url": f"http://127.0.0.1:1/{p}"} for p in PROBES],
            }
        )
        times = []
        for _ in range(5):
            start = time.perf_counter()
            found = availability(store, settings, now=end, days=90)
            times.append(time.perf_counter() - start)
        incidents = sum(len(a.incidents) for a in found)
        print(
            f"availability of {len(found)} components over 24 h, 7, 30 and 90 days, "
            f"{incidents} incidents, 90 daily bars each: {statistics.median(times):.3f} s "
            "median of 5 (target 0.5 s)"
        )
        store.close()


if __name__ == "__main__":
    main()
