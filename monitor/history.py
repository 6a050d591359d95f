"""Metric history for charts and exports: thinned series, wide tables, and the change of a
figure against the previous period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from monitor.store import HistoryStore, Point
from monitor.timerange import TimeRange, thin


def chart(store: HistoryStore, metric: str, rng: TimeRange) -> list[Point]:
    """One metric over the range, thinned to what a browser draws smoothly (rollups beyond
    two days, see HistoryStore.series)."""
    return thin(store.series(metric, rng.start, rng.end), rng)


Summary = Literal["latest", "average"]


@dataclass(frozen=True)
class Change:
    """A period's figure against the previous period's, alike: the latest of each, or each
    period's average (a figure that swings, such as CPU, is not one sample)."""

    metric: str
    value: float | None
    previous: float | None
    summary: Summary = "latest"

    @property
    def percent(self) -> float | None:
        if self.value is None or self.previous is None or self.previous == 0:
            return None
        return (self.value - self.previous) / abs(self.previous) * 100


def _last(store: HistoryStore, metric: str, start: float, end: float) -> float | None:
    # The newest sample of the period's last two days, cheap however long the period is; past
    # the raw retention (a year ago) there are only hourly rollups: their last week, then.
    for window in (2 * 86400, 7 * 86400):
        points = store.series(metric, max(start, end - window), end)
        if points:
            return points[-1].value
    return None


def _average(store: HistoryStore, metric: str, start: float, end: float) -> float | None:
    # (start, end]: the sample at a period's start is the previous period's last, not ours.
    points = store.series(metric, start + 1, end)
    return sum(p.value for p in points) / len(points) if points else None


def change(store: HistoryStore, metric: str, rng: TimeRange, summary: Summary = "latest") -> Change:
    """The period's figure against the previous period's: the newest value of each, or the
    average of each (`summary`)."""
    before = rng.previous()
    read = _average if summary == "average" else _last
    return Change(
        metric,
        read(store, metric, rng.start, rng.end),
        read(store, metric, before.start, before.end),
        summary,
    )


def by_day(store: HistoryStore, metrics: Sequence[str], rng: TimeRange) -> list[dict[str, Any]]:
    """Each UTC day's last value of 24-hour figures (orders24h at the end of a day is that
    day's orders): `{"day": "2026-11-24", metric: value, …}`, oldest first."""
    return _grouped(store, metrics, rng, "day")


def by_hour(store: HistoryStore, metrics: Sequence[str], rng: TimeRange) -> list[dict[str, Any]]:
    """Each UTC hour's mean of each metric: `{"hour": "2026-11-24T10:00Z", metric: value, …}`."""
    return _grouped(store, metrics, rng, "hour")


def _grouped(
    store: HistoryStore, metrics: Sequence[str], rng: TimeRange, by: Literal["day", "hour"]
) -> list[dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for metric in metrics:
        groups: dict[str, list[float]] = {}
        for point in store.series(metric, rng.start, rng.end):
            moment = datetime.fromtimestamp(point.ts, UTC)
            key = moment.date().isoformat() if by == "day" else moment.strftime("%Y-%m-%dT%H:00Z")
            groups.setdefault(key, []).append(point.value)
        for key, values in groups.items():
            value = values[-1] if by == "day" else sum(values) / len(values)
            table.setdefault(key, {by: key})[metric] = value
    return [table[key] for key in sorted(table)]
