"""Fills a new store with 30 days of plausible demo history, marked as demo data.

Business and table figures are recomputed from the demo shop's own rows (so yesterday's
orders24h is the count the collector would have seen); machine and traffic figures follow a daily
rhythm with noise, and the machine's end where this machine is now, so that the first live
sample carries on from the history instead of standing out as an anomaly.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text

from monitor.availability import HEALTH_EVERY_S, HEALTH_METRIC
from monitor.config import Settings
from monitor.demo import incidents
from monitor.fleet import on_host
from monitor.metrics import catalog
from monitor.samples import Sample
from monitor.sources.machine import Machine
from monitor.store import HistoryStore

DAY = 86400
_VISITORS = "business.visitors24h"
BATCH = 5_000  # small batches: the daemon keeps whatever peak memory it once reached


def rhythm(ts: float) -> float:
    """A shop's day: ~0.2 at 4 h, ~1.6 late morning and evening, mean about 1."""
    hour = (ts % DAY) / 3600
    return max(
        0.15,
        1
        + 0.55 * math.sin((hour - 9) / 24 * 2 * math.pi)
        + 0.35 * math.sin((hour - 8) / 12 * 2 * math.pi),
    )


class _ShopHistory:
    """The demo shop's timestamps, loaded once, to count what any past instant would have seen."""

    def __init__(self, shop_url: str, since: datetime) -> None:
        engine = create_engine(shop_url)
        with engine.connect() as conn:
            self.customers = sorted(
                _ts(v) for (v,) in conn.execute(text("SELECT cst_date_add FROM ___xtr_customer"))
            )
            self.active_ratio = float(
                conn.execute(
                    text(
                        "SELECT AVG(CASE WHEN cst_activ = '1' THEN 1.0 ELSE 0 END) "
                        "FROM ___xtr_customer"
                    )
                ).scalar()
                or 0
            )
            rows = conn.execute(
                text(
                    "SELECT ord_date, ord_total_ttc, ord_is_pay FROM ___xtr_order "
                    "WHERE ord_date >= :since ORDER BY ord_date"
                ),
                {"since": since.replace(tzinfo=None) - timedelta(days=1)},
            ).all()
            self.order_total = int(
                conn.execute(text("SELECT COUNT(*) FROM ___xtr_order")).scalar() or 0
            )
            self.orders_before = self.order_total - len(rows)
            self.counts = {
                table: int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() or 0)
                for table in ("___xtr_order_line", "__sitemap_p_link", "__seo_page")
            }
        engine.dispose()
        self.orders = [_ts(r[0]) for r in rows]
        self.paid = [1 if r[2] == "1" else 0 for r in rows]
        self.revenue = [float(r[1]) if r[2] == "1" else 0.0 for r in rows]
        self.paid_cum = _cumulative(self.paid)
        self.revenue_cum = _cumulative(self.revenue)

    def day_before(self, ts: float) -> tuple[int, int, float]:
        """(orders, paid orders, revenue) in the 24 h before ts."""
        lo, hi = bisect.bisect_left(self.orders, ts - DAY), bisect.bisect_left(self.orders, ts)
        return (
            hi - lo,
            round(self.paid_cum[hi] - self.paid_cum[lo]),
            self.revenue_cum[hi] - self.revenue_cum[lo],
        )

    def since_midnight(self, ts: float) -> tuple[int, float]:
        """(orders, paid revenue) from ts' midnight (UTC) to ts."""
        lo = bisect.bisect_left(self.orders, ts - ts % DAY)
        hi = bisect.bisect_left(self.orders, ts)
        return hi - lo, self.revenue_cum[hi] - self.revenue_cum[lo]

    def customers_at(self, ts: float) -> int:
        return bisect.bisect_right(self.customers, ts)

    def orders_at(self, ts: float) -> int:
        return self.orders_before + bisect.bisect_right(self.orders, ts)


def _ts(value: datetime | str) -> float:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC).timestamp()


def _cumulative(values: list[int] | list[float]) -> list[float]:
    total, out = 0.0, [0.0]
    for value in values:
        total += value
        out.append(total)
    return out


def _steps(start: float, end: float, every: int) -> Iterator[float]:
    ts = start // every * every + every
    while ts < end:
        yield ts
        ts += every


def history(
    settings: Settings,
    now: datetime,
    days: int,
    seed: int = 7,
    machine: Machine | None = None,
    anchors: Mapping[str, float] | None = None,
) -> Iterator[Sample]:
    """Every collector's samples for `days` before `now`, on the configured intervals. Where
    `anchors` holds what the collectors read now, each series ends there: the first live
    reading carries on from the history instead of standing out."""
    rng = random.Random(seed)
    now_at = dict(anchors or {})
    scale = settings.demo.scale  # traffic follows the shop's size, as the simulator's does
    end = now.timestamp()
    start = end - days * DAY
    shop = _ShopHistory(settings.source_url, now - timedelta(days=days))
    every = settings.schedule
    machine = machine or Machine()
    disk_now = machine.disk_percent(settings.data_dir)
    memory_now, memory_percent_now = machine.memory_used_mb(), machine.memory_percent()
    # This host's boot; before it, a reboot every three weeks.
    boot = end - machine.uptime_seconds()
    reboots = 21 * DAY

    # The day's rhythm, relative to where it stands at this hour now.
    # A CPU read while the demo was being built is busier than the shop's days: never above
    # a normal day's for this hour, but down to an idle machine's.
    cpu_now = min(now_at.get("performance.cpuUsage", 100.0), 8 + 14 * rhythm(end))
    answer_now = now_at.get("performance.responseTime", 120 * (1 + 0.25 * rhythm(end)))
    per_minute_now = now_at.get("performance.requestsPerMinute", 55 * scale * rhythm(end))
    errors = now_at.get("performance.errorRate", 0.15)
    for ts in _steps(start, end, every.performance):
        load = rhythm(ts)
        # Memory moves 8 % with the day's load, around where it is at this hour now.
        memory = 1 + 0.08 * (load - rhythm(end)) + rng.gauss(0, 0.01)
        cpu = cpu_now * (load / rhythm(end)) * rng.lognormvariate(0, 0.1)
        yield Sample("performance.cpuUsage", min(100.0, max(0.0, cpu)), ts)
        yield Sample("performance.memoryUsage", memory_now * memory, ts)
        yield Sample("performance.memoryPercent", min(100.0, memory_percent_now * memory), ts)
        filled = 2.0 * (end - ts) / (days * DAY)  # the disk filled by 2 points over the period
        yield Sample("performance.diskUsage", max(0.0, disk_now - filled), ts)
        yield Sample("performance.uptime", ts - boot if ts >= boot else (ts - boot) % reboots, ts)
        answer = answer_now * (1 + 0.25 * load) / (1 + 0.25 * rhythm(end))
        yield Sample("performance.responseTime", answer * rng.lognormvariate(0, 0.1), ts)
        per_minute = rng.gauss(per_minute_now * load / rhythm(end), 4 * math.sqrt(scale))
        yield Sample("performance.requestsPerMinute", max(0, round(per_minute)), ts)
        yield Sample("performance.errorRate", max(0.0, rng.gauss(errors, 0.05 + errors / 2)), ts)

    for ts in _steps(start, end, every.business):
        orders, paid, revenue = shop.day_before(ts)
        users = shop.customers_at(ts)
        visitors = max(1, round(now_at.get(_VISITORS, 8000 * scale) * rng.gauss(1, 0.03)))
        yield Sample("business.totalUsers", users, ts)
        yield Sample("business.activeUsers", round(users * shop.active_ratio), ts)
        yield Sample("business.orders24h", orders, ts)
        yield Sample("business.paidOrders24h", paid, ts)
        yield Sample("business.revenue24h", round(revenue, 2), ts)
        today, takings = shop.since_midnight(ts)
        yield Sample("business.ordersToday", today, ts)
        yield Sample("business.revenueToday", round(takings, 2), ts)
        if paid:
            yield Sample("business.averageBasket", revenue / paid, ts)
        yield Sample("business.visitors24h", visitors, ts)
        yield Sample("business.conversionRate", 100 * paid / visitors, ts)

    pages, seo_pages = shop.counts["__sitemap_p_link"], shop.counts["__seo_page"]
    optimized = now_at.get("seo.optimizedPages", 0.85 * seo_pages)
    healthy = now_at.get("seo.sitemapHealth", 95.0)
    for ts in _steps(start, end, every.seo):
        yield Sample("seo.totalPages", pages, ts)
        # Optimised over the period: 2 points of the pages fewer at its start than now.
        behind = 0.02 * seo_pages * (end - ts) / (days * DAY)
        yield Sample("seo.optimizedPages", max(0, round(optimized - behind)), ts)
        yield Sample("seo.sitemapHealth", min(100.0, healthy + rng.gauss(0, 0.05)), ts)

    lines_per_order = shop.counts["___xtr_order_line"] / max(1, shop.order_total)
    # Each table's bytes a row as the database measures it now (180 without a measure).
    per_row = {
        table: now_at[f"database.{table}.sizeBytes"] / rows
        for table in settings.source.critical_tables
        if f"database.{table}.sizeBytes" in now_at
        and (rows := now_at.get(f"database.{table}.recordCount", 0))
    }
    for ts in _steps(start, end, every.database_health):
        yield Sample("database.up", 1, ts)
        answer = now_at.get("database.responseTime", 0.4)
        yield Sample("database.responseTime", rng.lognormvariate(0, 0.3) * answer, ts)
        counts = {
            "___xtr_customer": shop.customers_at(ts),
            "___xtr_order": shop.orders_at(ts),
            "___xtr_order_line": round(shop.orders_at(ts) * lines_per_order),
            "__sitemap_p_link": pages,
            "__seo_page": seo_pages,
        }
        for table, count in counts.items():
            if table not in settings.source.critical_tables:
                continue
            read = now_at.get(f"database.{table}.queryTime", 0.2)
            yield Sample(f"database.{table}.accessible", 1, ts)
            yield Sample(f"database.{table}.recordCount", count, ts)
            yield Sample(f"database.{table}.queryTime", rng.lognormvariate(0, 0.4) * read, ts)
            yield Sample(f"database.{table}.sizeBytes", count * per_row.get(table, 180), ts)
    # The shop's verdict once a minute, as the fleet's scheduler records it (see incidents).
    for ts in _steps(start, end, HEALTH_EVERY_S):
        yield Sample(HEALTH_METRIC, 1, ts)


def _configured(settings: Settings, samples: Iterator[Sample]) -> Iterator[Sample]:
    """Leave out SQL metrics the config switched off, as the collector would."""
    sql_metrics = settings.metric_sql
    derived = ("business.visitors24h", "business.conversionRate")
    for sample in samples:
        area = sample.name.partition(".")[0]
        if (
            area in ("business", "seo")
            and sample.name not in sql_metrics
            and sample.name not in derived
        ):
            continue
        yield sample


def _expected(settings: Settings, days: int) -> float:
    """About how many samples `history` yields: its steps times the samples of each step."""
    every = settings.schedule
    tables = len(settings.source.critical_tables)
    per_step = ((every.performance, 8), (every.business, 10), (every.seo, 3),
                (every.database_health, 2 + 4 * tables), (HEALTH_EVERY_S, 1))  # fmt: skip
    return sum(days * DAY / interval * count for interval, count in per_step)


def backfill(
    store: HistoryStore,
    settings: Settings,
    now: datetime,
    stopping: Callable[[], bool] = lambda: False,
    progress: Callable[[float], None] = lambda _fraction: None,
    anchors: Mapping[str, float] | None = None,
) -> int:
    """Write the demo history, its past incidents among it, into the store (demo-flagged),
    roll it up, and record the incidents' alerts; returns samples. `anchors` are what the
    collectors read now (see `history`); `progress` hears the fraction done as it goes."""
    days = settings.demo.backfill_days
    expected = max(1.0, _expected(settings, days))
    written = 0
    batch: list[Sample] = []
    made = history(settings, now, days, anchors=anchors)
    per_host = catalog(settings).per_host
    for sample in _configured(settings, incidents.shaped(made, now.timestamp(), days)):
        if per_host(sample.name):
            sample = sample._replace(labels=on_host(sample.labels, settings.host_name))
        batch.append(sample)
        if len(batch) >= BATCH:
            written += store.write(batch, demo=True)
            batch.clear()
            progress(min(0.95, written / expected))  # the rollup is the last few percent
            if stopping():
                break
    written += store.write(batch, demo=True)
    store.rollup(now.timestamp() - days * DAY)
    incidents.record(store, settings, now.timestamp(), days)
    progress(1.0)
    return written
