"""When maintenance windows are in force. A recurring window starts at its cron's wall-clock
time in its own time zone and lasts `duration_min` of wall-clock time, so "Sunday 02:00 for two
hours" is 02:00–04:00 local on either side of a daylight-saving change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, croniter

from monitor.config import Settings, WindowConfig

MAX_SPANS = 2000  # a chart of 400 days of an hourly window is already unreadable


@dataclass(frozen=True)
class Span:
    """One occurrence of a window, in epoch seconds."""

    window: WindowConfig
    start: float
    end: float


def _wall(ts: float, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(ts, zone).replace(tzinfo=None)


def _stamp(wall: datetime, zone: ZoneInfo) -> float:
    # A wall time skipped by a spring-forward change counts with the offset before it.
    return wall.replace(tzinfo=zone).timestamp()


def spans(window: WindowConfig, since: float, until: float) -> list[Span]:
    """The occurrences of `window` that overlap [since, until), oldest first."""
    if not window.cron:
        start, end = window.starts_at, window.ends_at
        return [Span(window, start, end)] if start < until and end > since else []
    zone = window.zone
    length = timedelta(minutes=window.duration_min)
    # Begin a window's length (and a DST hour) early: one that started then may still run.
    fires = croniter(window.cron, _wall(since, zone) - length - timedelta(hours=2))
    found: list[Span] = []
    while len(found) < MAX_SPANS:
        try:
            wall_start: datetime = fires.get_next(datetime)
        except CroniterBadDateError:  # no date matches any more (the config refuses "never")
            break
        start = _stamp(wall_start, zone)
        if start >= until:
            break
        # A start in a spring-forward gap is read after the gap: keep the whole length then.
        end = _stamp(wall_start + length, zone)
        if end <= start:
            end = start + length.total_seconds()
        if end > since:
            found.append(Span(window, start, end))
    return found


def in_force(windows: Iterable[WindowConfig], now: float) -> list[Span]:
    """The spans running at `now` (a window longer than its period may have two)."""
    return [
        span
        for window in windows
        for span in spans(window, now, now + 1)
        if span.start <= now < span.end
    ]


def between(windows: Iterable[WindowConfig], since: float, until: float) -> list[Span]:
    """Every occurrence of every window overlapping [since, until), for charts to shade."""
    return sorted(
        (span for window in windows for span in spans(window, since, until)),
        key=lambda s: s.start,
    )


def over_metrics(
    settings: Settings, metrics: Iterable[str], since: float, until: float
) -> list[Span]:
    """The occurrences overlapping [since, until) of the windows that cover an alert rule
    watching one of `metrics`: what a chart of them shades."""
    names = list(metrics)
    rules = [r.name for r in settings.alerts.effective() if any(r.watches(m) for m in names)]
    relevant = [
        w
        for w in settings.maintenance_windows
        if w.rule == "*" or any(fnmatchcase(rule, w.rule) for rule in rules)
    ]
    return between(relevant, since, until)
