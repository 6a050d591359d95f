"""A metric against its usual: the same hour of the previous weeks (a normal Tuesday 10:00 is its
own baseline, so "orders are 40 % below usual" means something on a quiet Sunday night too), or
its own last 24 hours (a query that takes 0.1 ms on one machine and 2 ms on another is judged
against itself, so "50 times slower than usual" means the same on both).

Light on purpose (no numpy): the daemon evaluates seasonal and recent alert rules with it."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.metrics import Catalog, shipped
from monitor.samples import Labels
from monitor.store import HistoryStore

DAY = 86400.0
WEEK = 7 * DAY
RECENT_MIN_SAMPLES = 12  # an hour of a 5-minute metric: fewer would make a jittery usual
# Compared with previous weeks on the Insights page and in /api/system/insights.
SEASONAL_METRICS = (
    "business.orders24h",
    "business.revenue24h",
    "business.visitors24h",
    "performance.requestsPerMinute",
)
NOTABLE_DEVIATION = 30.0  # percent away from the usual that is worth a sentence


@dataclass(frozen=True)
class Baseline:
    """A metric now against its median at the same hour of the previous weeks."""

    metric: str
    current: float
    usual: float
    weeks: int
    at: float

    @property
    def deviation_percent(self) -> float:
        return 100.0 * (self.current - self.usual) / self.usual

    def sentence(self, words: Catalog | None = None) -> str:
        """The comparison in plain words."""
        words = words or shipped()
        moment = datetime.fromtimestamp(self.at, UTC).strftime("%A %H:%M")
        side = "below" if self.deviation_percent < 0 else "above"
        return (
            f"{words.title(self.metric)} is {abs(self.deviation_percent):.0f} % {side} a normal "
            f"{moment} UTC (usually {words.figure(self.metric, self.usual)} over the last "
            f"{self.weeks} weeks, now {words.figure(self.metric, self.current)})"
        )


def usual(
    store: HistoryStore, metric: str, *, at: float, weeks: int = 4, tolerance_s: float = 1800.0
) -> tuple[float, int] | None:
    """The median of the metric around the same hour of the previous `weeks` weeks, and how
    many weeks had data; None with fewer than two such weeks or a usual of zero."""
    past = []
    for week in range(1, weeks + 1):
        then = at - week * WEEK
        points = store.series(metric, then - tolerance_s, then + tolerance_s)
        if points:
            past.append(statistics.median(p.value for p in points))
    if len(past) < 2:
        return None
    found = float(statistics.median(past))
    return None if found == 0 else (found, len(past))


def baseline(
    store: HistoryStore, metric: str, *, now: float, weeks: int = 4, tolerance_s: float = 1800.0
) -> Baseline | None:
    """The metric's newest value against its usual; None without a current value or usual."""
    recent = store.series(metric, now - tolerance_s, now)
    if not recent:
        return None
    found = usual(store, metric, at=now, weeks=weeks, tolerance_s=tolerance_s)
    if found is None:
        return None
    return Baseline(metric, recent[-1].value, found[0], found[1], now)


def recent_usual(
    store: HistoryStore,
    metric: str,
    labels: Labels = (),
    *,
    now: float,
    skip: int = 1,
    window_s: float = DAY,
    min_samples: int = RECENT_MIN_SAMPLES,
) -> float | None:
    """The median of one series over the `window_s` before `now`, leaving out its newest `skip`
    samples (those being judged, so an incident is never its own usual); None with fewer than
    `min_samples` left or a usual of zero or less. Raw samples only: one indexed range read."""
    window = min(window_s, store.raw_read_max_seconds)
    points = store.series(metric, now - window, now, labels)
    past = [p.value for p in points[: max(0, len(points) - skip)]]
    if len(past) < min_samples:
        return None
    found = float(statistics.median(past))
    return found if found > 0 else None
