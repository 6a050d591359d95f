"""Alerts a stored series would have raised: the rule's own levels, hold and hysteresis walked
over past readings, written as resolved alerts. The demo uses it to give its backfilled
incidents the alert history a month of watching would have left."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert

from monitor.alerts.book import RESOLVED
from monitor.alerts.levels import cleared, held_level, level
from monitor.alerts.tables import alerts_table
from monitor.config import SEVERITIES, AlertRule
from monitor.store import HistoryStore


@dataclass(frozen=True)
class Episode:
    """One alert's life: when it opened and resolved, the worst it reached."""

    opened_at: float
    resolved_at: float
    severity: str
    peak: float
    threshold: float


def episodes(rule: AlertRule, points: Sequence[tuple[float, float]]) -> list[Episode]:
    """The alerts `rule` (on plain values) raises over `points` (ts, value), oldest first, as
    the live book does: opened, and raised, once a level holds for `for_samples` readings;
    resolved once none of them reaches a level and the newest clears."""
    found: list[Episode] = []
    opened: tuple[float, str, float] | None = None  # (since, worst severity, peak)
    recent: list[float | None] = []
    for ts, value in points:
        recent.insert(0, value)
        del recent[rule.for_samples :]
        if opened is None:
            held = held_level(rule, recent)
            if held is not None:
                opened = (ts, held, value)
            continue
        since, worst, peak = opened
        held = held_level(rule, recent)
        if held and SEVERITIES.index(held) > SEVERITIES.index(worst):
            worst = held
        beyond = value > peak if rule.when == "above" else value < peak
        opened = (since, worst, value if beyond else peak)
        if not any(level(rule, v) for v in recent) and cleared(rule, value):
            found.append(Episode(since, ts, worst, opened[2], dict(rule.thresholds())[worst]))
            opened = None
    return found


def record_past(
    store: HistoryStore, rule: AlertRule, metric: str, found: Sequence[Episode], resolution: str
) -> int:
    """Write `found` as resolved alerts of `rule` on `metric`; returns how many. Nothing is
    notified: these are history, not news."""
    if not found:
        return 0
    with store.writing() as conn:
        conn.execute(
            insert(alerts_table),
            [
                {
                    "rule": rule.name,
                    "subject": metric,
                    "metric": metric,
                    "labels": "",
                    "severity": e.severity,
                    "peak_severity": e.severity,
                    "state": RESOLVED,
                    "value": e.peak,
                    "threshold": e.threshold,
                    "message": rule.message or f"{metric} {rule.when} threshold",
                    "opened_at": e.opened_at,
                    "updated_at": e.resolved_at,
                    "resolved_at": e.resolved_at,
                    "resolution": resolution,
                }
                for e in found
            ],
        )
    return len(found)


def forget_past(store: HistoryStore, resolution: str) -> int:
    """Remove the resolved alerts written with `resolution` (the demo's, when a real shop
    takes its store over); returns how many."""
    with store.writing() as conn:
        return int(
            conn.execute(
                delete(alerts_table).where(
                    alerts_table.c.state == RESOLVED, alerts_table.c.resolution == resolution
                )
            ).rowcount
        )
