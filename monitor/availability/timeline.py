"""A component's history as a timeline of up, down, maintenance and no-data pieces, and what
availability figures come of it.

Each stored sample stands for its interval (a probe read every 2 minutes is up or down for
those 2 minutes), or until the next sample if that comes sooner; past its interval, with no
sample, Vigie was not looking: no data, never counted as up. Time inside a maintenance window
is maintenance whatever the samples say, reported apart and never counted as downtime."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

State = Literal["up", "down", "maintenance", "nodata"]
DAY = 86400


@dataclass(frozen=True)
class Piece:
    start: float
    end: float
    state: State

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Figures:
    """Seconds in each state over a period, and the availability they make."""

    up: float
    down: float
    maintenance: float
    nodata: float

    @property
    def availability(self) -> float | None:
        """Percent of the observed time outside maintenance that was up; None if none."""
        seen = self.up + self.down
        return None if seen <= 0 else 100.0 * self.up / seen


def pieces(readings: Sequence[tuple[float, float, float]], start: float, end: float) -> list[Piece]:
    """The timeline of [start, end) from readings (ts, value, covers_s) in time order: up for
    a value of 1, down below, each for `covers_s` or until the next reading; no data
    elsewhere. One pass, a piece per change of state (a year of minutes is a few hundred)."""
    found: list[Piece] = []
    state: State = "nodata"
    since = at = start  # the current run of `state` began at `since`; the timeline is at `at`
    count = len(readings)
    for i in range(count):
        ts, value, covers = readings[i]
        until = ts + covers
        if i + 1 < count and readings[i + 1][0] < until:
            until = readings[i + 1][0]
        until = min(until, end)
        begin = ts if ts > start else start
        if until <= begin:
            continue
        if begin > at and state != "nodata":  # a gap: no data until this reading
            found.append(Piece(since, at, state))
            state, since = "nodata", at
        now: State = "up" if value >= 1 else "down"
        if now != state:
            if begin > since:
                found.append(Piece(since, begin, state))
            state, since = now, begin
        at = until
    if at > since:
        found.append(Piece(since, at, state))
    if at < end:
        found.append(Piece(at, end, "nodata"))
    return _merged(found)


def with_windows(timeline: Sequence[Piece], windows: Iterable[tuple[float, float]]) -> list[Piece]:
    """`timeline` with the time inside `windows` (start, end) turned to maintenance."""
    spans = sorted(windows)
    if not spans:
        return list(timeline)
    found: list[Piece] = []
    for piece in timeline:
        at = piece.start
        for w_start, w_end in spans:
            if w_end <= at or w_start >= piece.end:
                continue
            if w_start > at:
                found.append(Piece(at, w_start, piece.state))
            found.append(Piece(max(at, w_start), min(piece.end, w_end), "maintenance"))
            at = min(piece.end, w_end)
        if at < piece.end:
            found.append(Piece(at, piece.end, piece.state))
    return _merged(found)


def clipped(timeline: Sequence[Piece], start: float, end: float) -> list[Piece]:
    """The part of `timeline` within [start, end)."""
    return [
        Piece(max(p.start, start), min(p.end, end), p.state)
        for p in timeline
        if p.end > start and p.start < end
    ]


def figures(timeline: Iterable[Piece]) -> Figures:
    seconds = {"up": 0.0, "down": 0.0, "maintenance": 0.0, "nodata": 0.0}
    for piece in timeline:
        seconds[piece.state] += piece.seconds
    return Figures(**seconds)


def outages(timeline: Sequence[Piece]) -> list[Piece]:
    """Each stretch of downtime (a gap of no data or maintenance ends one)."""
    return [p for p in timeline if p.state == "down"]


def daily(timeline: Sequence[Piece], first_day: float, days: int) -> list[tuple[float, Figures]]:
    """(start of the UTC day, its figures) for `days` days from `first_day`, in one pass."""
    totals = [{"up": 0.0, "down": 0.0, "maintenance": 0.0, "nodata": 0.0} for _ in range(days)]
    for piece in timeline:
        at = piece.start
        while at < piece.end:
            index = int((at - first_day) // DAY)
            until = min(piece.end, first_day + (index + 1) * DAY)
            if 0 <= index < days:
                totals[index][piece.state] += until - at
            at = until
    return [(first_day + n * DAY, Figures(**totals[n])) for n in range(days)]


def _merged(found: list[Piece]) -> list[Piece]:
    merged: list[Piece] = []
    for piece in found:
        if piece.seconds <= 0:
            continue
        if merged and merged[-1].state == piece.state and merged[-1].end == piece.start:
            merged[-1] = Piece(merged[-1].start, piece.end, piece.state)
        else:
            merged.append(piece)
    return merged
