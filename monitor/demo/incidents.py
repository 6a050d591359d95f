"""The demo's past incidents: a busy CPU, a burst of server errors, a slow night, a slow
morning, written into the backfilled history, with the alerts the shipped rules would have
raised and resolved, so a newcomer's alert history and charts are at work on first start."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from monitor.alerts.past import episodes, record_past
from monitor.config import Settings
from monitor.samples import Sample
from monitor.store import HistoryStore

DAY = 86400
# The resolution the demo's past alerts carry: a real shop's first start removes them by it.
DEMO_RESOLUTION = "demo history: back to normal"


@dataclass(frozen=True)
class Incident:
    days_ago: int
    at: str  # HH:MM, UTC
    minutes: int
    metric: str
    value: float  # what the metric reads during it (give or take 3 %)

    def span(self, now: float) -> tuple[float, float]:
        hours, minutes = (int(part) for part in self.at.split(":"))
        day = (now - self.days_ago * DAY) // DAY * DAY
        start = day + hours * 3600 + minutes * 60
        return start, start + self.minutes * 60


INCIDENTS = (
    Incident(23, "14:10", 40, "performance.cpuUsage", 97.0),
    Incident(16, "20:30", 25, "performance.errorRate", 6.5),
    Incident(8, "03:20", 60, "performance.responseTime", 2400.0),
    Incident(1, "09:40", 30, "performance.responseTime", 750.0),
    # The database down for a quarter of an hour one night: the shop itself was down.
    Incident(12, "02:10", 15, "database.up", 0.0),
    Incident(12, "02:10", 15, "health.up", 0.0),
)


def within(now: float, days: int) -> list[Incident]:
    """The incidents a backfill of `days` before `now` holds (ended before now)."""
    return [i for i in INCIDENTS if now - days * DAY <= i.span(now)[0] and i.span(now)[1] < now]


def shaped(samples: Iterator[Sample], now: float, days: int, seed: int = 11) -> Iterator[Sample]:
    """`samples` with the incidents' readings in their place."""
    rng = random.Random(seed)
    spans = [(i, *i.span(now)) for i in within(now, days)]
    for sample in samples:
        for incident, start, end in spans:
            if sample.name == incident.metric and start <= sample.ts < end:
                sample = sample._replace(value=incident.value * rng.uniform(0.97, 1.03))
                break
        yield sample


def record(store: HistoryStore, settings: Settings, now: float, days: int) -> int:
    """The alerts the configured rules raise over each incident's stored readings, written
    resolved; returns how many."""
    written = 0
    for incident in within(now, days):
        start, end = incident.span(now)
        points = [
            (p.ts, p.value)
            for p in store.series(incident.metric, start - 3600, end + 3600, raw=True)
        ]
        for rule in settings.alerts.effective():
            if rule.metric == incident.metric and rule.baseline == "value":
                found = episodes(rule, points)
                written += record_past(store, rule, incident.metric, found, DEMO_RESOLUTION)
    return written
