"""A history store with known content for the dashboard's tests: every figure the pages show
has a value here that the tests can assert, relative to the real clock (pages read `now`)."""

from __future__ import annotations

import time
from pathlib import Path

from monitor.alerts import AlertBook
from monitor.config import DEFAULT_ALERT_RULES
from monitor.jobs import JobQueue
from monitor.samples import Note, Sample
from monitor.store import HistoryStore

STEP = 600  # one sample every 10 minutes
DAYS = 3
TABLE = "___xtr_order"

# (value in the previous 24 h, value in the last 24 h) of each figure.
FIGURES: dict[str, tuple[float, float]] = {
    "performance.responseTime": (180.0, 240.0),
    "performance.errorRate": (0.5, 0.25),
    "performance.requestsPerMinute": (300.0, 330.0),
    "performance.cpuUsage": (20.0, 25.0),
    "performance.memoryUsage": (2048.0, 2100.0),
    "performance.diskUsage": (60.0, 97.0),  # opens a critical disk_full alert
    "performance.uptime": (86400.0, 172800.0),
    "business.totalUsers": (59000.0, 59137.0),
    "business.activeUsers": (41000.0, 41200.0),
    "business.orders24h": (100.0, 120.0),
    "business.revenue24h": (12000.0, 15420.5),
    "business.averageBasket": (120.0, 128.5),
    "business.conversionRate": (2.0, 2.5),
    "seo.totalPages": (714000.0, 714336.0),
    "seo.optimizedPages": (500000.0, 512345.0),
    "seo.sitemapHealth": (97.5, 98.25),
    "database.responseTime": (1.5, 2.0),
    f"database.{TABLE}.accessible": (1.0, 1.0),
    f"database.{TABLE}.recordCount": (120000.0, 121500.0),
    f"database.{TABLE}.queryTime": (0.4, 0.6),
    f"database.{TABLE}.sizeBytes": (50 * 2**20, 52 * 2**20),
}
RECOMMENDATION = '=HYPERLINK("x") grows fast: archive orders older than 2 years'


def fill(path: Path, *, now: float | None = None) -> str:
    """Write three days of the figures, one open critical alert, a completed and a failed
    job and their audit lines; returns the store URL."""
    now = time.time() if now is None else now
    url = f"sqlite:///{path}"
    store = HistoryStore(url)
    end = int(now)
    samples = [
        Sample(metric, current if ts > now - 86400 else previous, ts)
        for metric, (previous, current) in FIGURES.items()
        for ts in range(end - DAYS * 86400, end + 1, STEP)
    ]
    store.write(samples)
    store.rollup(end - DAYS * 86400)
    store.write_notes("database_health", [Note(TABLE, "recommendation", RECOMMENDATION, end)])
    AlertBook(store, DEFAULT_ALERT_RULES).evaluate([("performance.diskUsage", ())], now=end)
    queue = JobQueue(store)
    queue.enqueue("optimization", now=now - 120, requested_by="dashboard:ana")
    job = queue.claim("test-worker", now=now - 110)
    assert job is not None
    queue.complete(job, now=now - 100, result={"bytes_freed": 4096}, audit=True)
    queue.enqueue("seo", now=now - 90, requested_by="schedule")
    job = queue.claim("test-worker", now=now - 80)
    assert job is not None
    queue.fail(
        job, "the shop database refused the connection", now=now - 70, retry=False, audit=True
    )
    store.close()
    return url
