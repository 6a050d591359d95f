"""Metric history for charts and exports: thinned series, wide tables, and the change of a
figure against the previous period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from monitor.csv_export import iso
from monitor.store import HistoryStore, Point
from monitor.timerange import TimeRange, thin


def chart(store: HistoryStore, metric: str, rng: TimeRange) -> list[Point]:
    """One metric over the range, thinned to what a browser draws smoothly (rollups beyond
    two days, see HistoryStore.series)."""
    return thin(store.series(metric, rng.start, rng.end), rng)


def rows(store: HistoryStore, metrics: Sequence[str], rng: TimeRange) -> list[dict[str, Any]]:
    """The metrics side by side, one row per instant: `{"ts": ISO, metric: value, …}` (a
    metric without a sample at an instant is missing from that row)."""
    table: dict[int, dict[str, Any]] = {}
    for metric in metrics:
        for point in chart(store, metric, rng):
            table.setdefault(point.ts, {"ts": iso(point.ts)})[metric] = point.value
    return [table[ts] for ts in sorted(table)]


@dataclass(frozen=True)
class Change:
    """A figure now and at the same moment of the previous period."""

    metric: str
    value: float | None
    previous: float | None

    @property
    def percent(self) -> float | None:
        if self.value is None or self.previous is None or self.previous == 0:
            return None
        return (self.value - self.previous) / abs(self.previous) * 100


def _last(store: HistoryStore, metric: str, start: float, end: float) -> float | None:
    # The newest sample of the period's last two days: cheap however long the period is.
    points = store.series(metric, max(start, end - 2 * 86400), end)
    return points[-1].value if points else None


def change(store: HistoryStore, metric: str, rng: TimeRange) -> Change:
    """The newest value in the range against the newest value of the period before it."""
    before = rng.previous()
    return Change(
        metric,
        _last(store, metric, rng.start, rng.end),
        _last(store, metric, before.start, before.end),
    )


def by_day(store: HistoryStore, metrics: Sequence[str], rng: TimeRange) -> list[dict[str, Any]]:
    """Each UTC day's last value of 24-hour figures (orders24h at the end of a day is that
    day's orders): `{"day": "2026-11-24", metric: value, …}`, oldest first."""
    return _grouped(store, metrics, rng, "day")


def by_hour_of_day(
    store: HistoryStore, metrics: Sequence[str], rng: TimeRange
) -> list[dict[str, Any]]:
    """The mean of each metric per hour of the day (UTC) over the range: the daily rhythm."""
    return _grouped(store, metrics, rng, "hour")


def _grouped(
    store: HistoryStore, metrics: Sequence[str], rng: TimeRange, by: Literal["day", "hour"]
) -> list[dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for metric in metrics:
        groups: dict[str, list[float]] = {}
        for point in store.series(metric, rng.start, rng.end):
            moment = datetime.fromtimestamp(point.ts, UTC)
            key = moment.date().isoformat() if by == "day" else f"{moment.hour:02d}:00"
            groups.setdefault(key, []).append(point.value)
        for key, values in groups.items():
            value = values[-1] if by == "day" else sum(values) / len(values)
            table.setdefault(key, {by: key})[metric] = value
    return [table[key] for key in sorted(table)]
