"""The period a page shows (24 h, 7 d, 30 d, 1 y or custom), and charts thinned to fit it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from monitor.store import Point

DAY = 86400.0
PRESETS: dict[str, float] = {"24 h": DAY, "7 d": 7 * DAY, "30 d": 30 * DAY, "1 y": 365 * DAY}
CUSTOM = "Custom"
# A browser draws a few hundred SVG points per line smoothly (Business, five charts of two
# lines, rendered in 1.4-1.8 s at 500 points: bench/dashboard_bench.py); a year of 2-minute
# samples is 262,800. Charts are thinned to this many buckets on the server.
MAX_POINTS = 300


@dataclass(frozen=True)
class TimeRange:
    """From `start` to `end` (epoch seconds), with the words a page shows for it."""

    start: float
    end: float
    label: str

    @property
    def seconds(self) -> float:
        return self.end - self.start

    def previous(self) -> TimeRange:
        """The period of the same length just before this one (for "change against")."""
        return TimeRange(self.start - self.seconds, self.start, f"previous {self.label}")

    def contains(self, ts: float) -> bool:
        return self.start <= ts <= self.end


def preset(label: str, now: float) -> TimeRange:
    """One of PRESETS ending now."""
    if label not in PRESETS:
        raise ValueError(f"unknown time range {label!r}; ranges: {', '.join(PRESETS)}")
    return TimeRange(now - PRESETS[label], now, label)


def custom(first: date, last: date, now: float) -> TimeRange:
    """Whole UTC days from `first` to `last` included, never ending after now."""
    if last < first:
        first, last = last, first
    start = datetime.combine(first, time(), UTC).timestamp()
    end = min(datetime.combine(last + timedelta(days=1), time(), UTC).timestamp(), now)
    end = max(end, start + 3600)  # a range that starts today still shows something
    return TimeRange(start, end, f"{first.isoformat()} → {last.isoformat()}")


def thin(points: Sequence[Point], rng: TimeRange, max_points: int = MAX_POINTS) -> list[Point]:
    """At most `max_points` points: equal time buckets over the range, each the mean of its
    points with the true min and max kept, so a spike thinned away still shows in the band."""
    if len(points) <= max_points:
        return list(points)
    width = rng.seconds / max_points
    buckets: dict[int, list[Point]] = {}
    for point in points:
        # A rollup hour may start before the range: it belongs to the first bucket.
        index = min(max(int((point.ts - rng.start) // width), 0), max_points - 1)
        buckets.setdefault(index, []).append(point)
    thinned = []
    for group in buckets.values():
        thinned.append(
            Point(
                group[len(group) // 2].ts,
                sum(p.value for p in group) / len(group),
                min(p.min for p in group),
                max(p.max for p in group),
            )
        )
    return thinned
