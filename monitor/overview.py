"""The 360° view: overall status with why, headline figures against the previous period,
freshness of each collector, and the critical tables at a glance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from monitor import report
from monitor.alerts import Alert
from monitor.config import Settings
from monitor.fleet import on_host
from monitor.history import Change, Summary, change
from monitor.metrics import Catalog, shipped
from monitor.store import HistoryStore
from monitor.timerange import TimeRange

# The metric each collector always writes, to tell when it last ran.
COLLECTOR_MARKERS = {
    "performance": "performance.cpuUsage",
    "business": "business.totalUsers",
    "seo": "seo.totalPages",
    "database_health": "database.responseTime",
}
HEADLINE_AREAS = ("performance", "business", "seo")


@dataclass(frozen=True)
class Freshness:
    """When a collector last wrote, and whether that is later than twice its interval."""

    collector: str
    last: int | None
    interval_s: int
    age_s: float | None

    @property
    def late(self) -> bool:
        return self.age_s is None or self.age_s > 2 * self.interval_s


def freshness(store: HistoryStore, settings: Settings, now: float) -> list[Freshness]:
    """Each collector's last write (from its marker metric)."""
    found = []
    for collector, metric in COLLECTOR_MARKERS.items():
        last = store.newest_ts(metric)
        interval = int(getattr(settings.schedule, collector))
        found.append(
            Freshness(collector, last, interval, None if last is None else max(0.0, now - last))
        )
    return found


def headline_metrics(cat: Catalog) -> tuple[tuple[str, Summary], ...]:
    """(metric, how its tile sums a period up) for those the registry marks `headline`."""
    return tuple((m.name, m.summary) for area in HEADLINE_AREAS for m in cat.headlines(area))


def headlines(
    store: HistoryStore,
    rng: TimeRange,
    metrics: Sequence[tuple[str, Summary]] | None = None,
    host: str | None = None,
) -> dict[str, list[Change]]:
    """The headline figures of each area (by default the shipped registry's), the period's
    against the previous period's; a machine's figures those of `host` (default: see
    HistoryStore.host)."""
    cat = shipped()
    found: dict[str, list[Change]] = {}
    for name, summary in metrics if metrics is not None else headline_metrics(cat):
        labels = on_host((), host) if cat.per_host(name) else ()
        found.setdefault(name.split(".", 1)[0], []).append(
            change(store, name, rng, summary, labels)
        )
    return found


def alert_counts(active: Sequence[Alert]) -> dict[str, int]:
    """Open alerts per severity, most severe first."""
    counts = {severity: 0 for severity in ("critical", "error", "warning", "info")}
    for alert in active:
        counts[alert.severity] = counts.get(alert.severity, 0) + 1
    return counts


def tables(
    store: HistoryStore, names: Sequence[str], rng: TimeRange, now: float
) -> list[dict[str, Any]]:
    """Each critical table's newest figures, its growth over the range and its advice."""
    latest = store.latest()
    found = []
    for name in names:
        figures = report.table(latest, name)
        grown = change(store, f"database.{name}.recordCount", rng)
        advice = store.notes(subject=name, kinds=["recommendation"], since=now - 3600, limit=5)
        found.append(
            {
                "table": name,
                **figures,
                "growth": None
                if grown.value is None or grown.previous is None
                else grown.value - grown.previous,
                "recommendations": "; ".join(dict.fromkeys(n.text for n in advice)),
            }
        )
    return found
