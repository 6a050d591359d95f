"""Availability over 24 h, 7, 30 and 90 days for each component, its incidents with their
cause, MTTR and the longest one, and its last 90 days day by day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from monitor.alerts import Alert, alerts_between
from monitor.availability.components import Component, components, readings, windows
from monitor.availability.timeline import (
    DAY,
    Figures,
    Piece,
    clipped,
    daily,
    figures,
    outages,
    pieces,
    with_windows,
)
from monitor.config import Settings
from monitor.metrics import Catalog, catalog
from monitor.store import HistoryStore

PERIODS = {"24h": 1, "7d": 7, "30d": 30, "90d": 90}
BAR_DAYS = 90


@dataclass(frozen=True)
class Incident:
    start: float
    end: float
    cause: Alert | None

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Availability:
    """What the page, the API and the reports say of one component."""

    component: Component
    periods: dict[str, Figures]
    incidents: list[Incident]
    days: list[tuple[float, Figures]]

    @property
    def mttr_s(self) -> float | None:
        """Mean time to recovery: the incidents' average length."""
        return (
            sum(i.seconds for i in self.incidents) / len(self.incidents) if self.incidents else None
        )

    @property
    def longest_s(self) -> float | None:
        return max((i.seconds for i in self.incidents), default=None)


def timeline(
    store: HistoryStore, settings: Settings, part: Component, start: float, end: float
) -> list[Piece]:
    """`part`'s up, down, maintenance and no-data pieces over [start, end)."""
    raw_from = end - settings.store.raw_retention_days * DAY
    found = pieces(readings(store, part, start, end, raw_from), start, end)
    return with_windows(found, windows(settings, part, start, end))


def _cause(part: Component, outage: Piece, alerts: Sequence[Alert]) -> Alert | None:
    """The alert that opened the incident: of one of `part`'s rules on its series (for the
    shop, the most severe alert) opened from an interval before it began to its end."""
    early = outage.start - 2 * part.interval_s
    found = [a for a in alerts if early <= a.opened_at <= outage.end]
    if part.kind != "shop":
        marks = [f'{key}="{value}"' for key, value in part.labels]
        found = [
            a
            for a in found
            if a.rule in part.rules
            and a.metric == part.metric
            and all(m in a.subject for m in marks)
        ]
    rank = {"critical": 0, "error": 1, "warning": 2, "info": 3}
    return min(found, key=lambda a: (rank.get(a.severity, 4), a.opened_at), default=None)


def availability(
    store: HistoryStore,
    settings: Settings,
    *,
    now: float,
    days: int = 30,
    words: Catalog | None = None,
) -> list[Availability]:
    """Every component's figures over each period, its incidents over the last `days`, and its
    last 90 days (UTC) day by day."""
    words = words or catalog(settings)
    first_day = (now // DAY - (BAR_DAYS - 1)) * DAY
    start = min(first_day, now - max(PERIODS.values()) * DAY)
    alerts = alerts_between(store, now - days * DAY - DAY, now)
    found = []
    for part in components(settings, words):
        line = timeline(store, settings, part, start, now)
        periods = {key: figures(clipped(line, now - n * DAY, now)) for key, n in PERIODS.items()}
        recent = outages(clipped(line, now - days * DAY, now))
        incidents = [Incident(o.start, o.end, _cause(part, o, alerts)) for o in recent]
        found.append(Availability(part, periods, incidents, daily(line, first_day, BAR_DAYS)))
    return found


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def as_figures(found: Figures) -> dict[str, Any]:
    return {
        "availability": None if found.availability is None else round(found.availability, 4),
        "upSeconds": round(found.up),
        "downSeconds": round(found.down),
        "maintenanceSeconds": round(found.maintenance),
        "noDataSeconds": round(found.nodata),
    }


def as_dict(item: Availability, words: Catalog) -> dict[str, Any]:
    """One component's availability as the API and the CSV give it."""
    return {
        "component": item.component.key,
        "title": item.component.title,
        "kind": item.component.kind,
        "periods": {key: as_figures(f) for key, f in item.periods.items()},
        "incidents": [
            {
                "start": _iso(i.start),
                "end": _iso(i.end),
                "durationSeconds": round(i.seconds),
                "cause": None
                if i.cause is None
                else {
                    "rule": i.cause.rule,
                    "alertId": i.cause.id,
                    "title": i.cause.message,
                    "subject": words.about(i.cause.metric, i.cause.subject),
                },
            }
            for i in item.incidents
        ],
        "mttrSeconds": None if item.mttr_s is None else round(item.mttr_s),
        "longestSeconds": None if item.longest_s is None else round(item.longest_s),
        "daily": [
            {
                "day": datetime.fromtimestamp(day, UTC).date().isoformat(),
                "availability": None if f.availability is None else round(f.availability, 3),
            }
            for day, f in item.days
        ],
    }
