"""What the public status page says: each public component's state now, its last 90 days,
the outages going on with the time they began, and the maintenance planned for the week.
Built from names customers read and states only: no figure, host, table, address or error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from monitor.availability.components import Component, component_of, windows
from monitor.availability.sla import BAR_DAYS, timeline
from monitor.availability.timeline import DAY, Piece, daily, figures
from monitor.config import Settings, StatusComponent
from monitor.metrics import catalog
from monitor.store import HistoryStore

AHEAD_S = 7 * DAY  # maintenance announced this far ahead
STATES = ("operational", "outage", "maintenance", "unknown")


@dataclass(frozen=True)
class Seen:
    """One public component as the store tells it."""

    name: str
    state: str
    since: float | None
    days: list[tuple[float, float | None]]
    availability: float | None


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _state(lines: list[list[Piece]]) -> tuple[str, float | None]:
    """The component's state now from its parts' last pieces, and since when it is out."""
    last = [line[-1] for line in lines if line]
    if any(p.state == "maintenance" for p in last):
        return "maintenance", None
    down = [p.start for p in last if p.state == "down"]
    if down:
        return "outage", min(down)
    if last and all(p.state == "up" for p in last):
        return "operational", None
    return "unknown", None


def _worst(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return min(known) if known else None


def seen(
    store: HistoryStore, settings: Settings, public: StatusComponent, now: float
) -> tuple[Seen, list[Component]]:
    words = catalog(settings)
    parts = [p for c in public.checks if (p := component_of(c, settings, words)) is not None]
    first_day = (now // DAY - (BAR_DAYS - 1)) * DAY
    lines = [timeline(store, settings, part, first_day, now) for part in parts]
    state, since = _state(lines)
    per_part = [daily(line, first_day, BAR_DAYS) for line in lines]
    days = [
        (first_day + n * DAY, _worst([bars[n][1].availability for bars in per_part]))
        for n in range(BAR_DAYS)
    ]
    overall = _worst([figures(line).availability for line in lines])
    return Seen(public.name, state, since, days, overall), parts


def public_status(store: HistoryStore, settings: Settings, *, now: float) -> dict[str, Any]:
    """The status page's content (the JSON of `GET /api/public/status`)."""
    found: list[Seen] = []
    planned: dict[tuple[float, float], list[str]] = {}
    for public in settings.status_page.components:
        one, parts = seen(store, settings, public, now)
        found.append(one)
        for part in parts:
            for start, end in windows(settings, part, now, now + AHEAD_S):
                names = planned.setdefault((start, end), [])
                if public.name not in names:
                    names.append(public.name)
    states = {s.state for s in found}
    overall = (
        "outage"
        if "outage" in states
        else "maintenance"
        if "maintenance" in states
        else "operational"
        if states == {"operational"}
        else "unknown"
    )
    return {
        "title": settings.status_page.title,
        "status": overall,
        "updated": _iso(now),
        "components": [
            {
                "name": s.name,
                "state": s.state,
                "availability90d": None if s.availability is None else round(s.availability, 3),
                "days": [
                    {
                        "day": datetime.fromtimestamp(day, UTC).date().isoformat(),
                        "availability": None if value is None else round(value, 3),
                    }
                    for day, value in s.days
                ],
            }
            for s in found
        ],
        "incidents": [
            {"component": s.name, "since": _iso(s.since)}
            for s in found
            if s.state == "outage" and s.since is not None
        ],
        "maintenance": [
            {"components": names, "start": _iso(start), "end": _iso(end)}
            for (start, end), names in sorted(planned.items())
        ],
    }
