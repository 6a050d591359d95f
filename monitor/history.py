"""Metric history for charts and exports: thinned series, wide tables, and the change of a
figure against the previous period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from monitor.samples import Labels
from monitor.store import HistoryStore, Point
from monitor.timerange import TimeRange, thin


def chart(store: HistoryStore, metric: str, rng: TimeRange, labels: Labels = ()) -> list[Point]:
    """One metric over the range, thinned to what a browser draws smoothly (rollups beyond
    two days, see HistoryStore.series)."""
    return thin(store.series(metric, rng.start, rng.end, labels), rng)


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


def _last(
    store: HistoryStore, metric: str, start: float, end: float, labels: Labels
) -> float | None:
    # The newest sample of the period's last two days, cheap however long the period is; past
    # the raw retention (a year ago) there are only hourly rollups: their last week, then.
    for window in (2 * 86400, 7 * 86400):
        points = store.series(metric, max(start, end - window), end, labels)
        if points:
            return points[-1].value
    return None


def _average(
    store: HistoryStore, metric: str, start: float, end: float, labels: Labels
) -> float | None:
    # (start, end]: the sample at a period's start is the previous period's last, not ours.
    points = store.series(metric, start + 1, end, labels)
    return sum(p.value for p in points) / len(points) if points else None


def change(
    store: HistoryStore,
    metric: str,
    rng: TimeRange,
    summary: Summary = "latest",
    labels: Labels = (),
) -> Change:
    """The period's figure against the previous period's: the newest value of each, or the
    average of each (`summary`), of the series with `labels` (a host's, say)."""
    before = rng.previous()
    read = _average if summary == "average" else _last
    return Change(
        metric,
        read(store, metric, rng.start, rng.end, labels),
        read(store, metric, before.start, before.end, labels),
        summary,
    )


def by_day(store: HistoryStore, metrics: Sequence[str], rng: TimeRange) -> list[dict[str, Any]]:
    """Each UTC day's last value of each metric (`ordersToday`'s is the day's orders):
    `{"day": "2026-11-24", metric: value, …}`, oldest first."""
    table: dict[str, dict[str, Any]] = {}
    for metric in metrics:
        for point in store.series(metric, rng.start, rng.end):  # oldest first: the last wins
            day = datetime.fromtimestamp(point.ts, UTC).date().isoformat()
            table.setdefault(day, {"day": day})[metric] = point.value
    return [table[day] for day in sorted(table)]


def hour_profile(
    store: HistoryStore, metrics: Sequence[str], rng: TimeRange
) -> list[dict[str, Any]]:
    """The shop's day, from figures counted since midnight (`ordersToday`): what each hour of
    the day adds, on average over the period's days. `{"hour": "09:00", metric: value, …}` for
    the 24 hours, None for an hour never seen."""
    rows: list[dict[str, Any]] = [{"hour": f"{h:02d}:00"} for h in range(24)]
    for metric in metrics:
        # A day's figure at the end of each hour: the hour's highest (it only grows all day).
        ends: dict[tuple[str, int], float] = {}
        for point in store.series(metric, rng.start, rng.end):
            moment = datetime.fromtimestamp(point.ts, UTC)
            key = (moment.date().isoformat(), moment.hour)
            ends[key] = max(ends.get(key, point.max), point.max)
        added: dict[int, list[float]] = {}
        day_seen, before = "", 0.0
        for (day, hour), value in sorted(ends.items()):
            if day != day_seen:  # midnight: the count starts again from 0
                day_seen, before = day, 0.0
            added.setdefault(hour, []).append(max(0.0, value - before))
            before = max(before, value)
        for hour, row in enumerate(rows):
            found = added.get(hour)
            row[metric] = sum(found) / len(found) if found else None
    return rows
