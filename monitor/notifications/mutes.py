"""What keeps an alert quiet right now: the silences in force (the store) and the maintenance
windows running (the configuration). Notifications hold what they cover; the health checks and
the alerts' answers say so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from monitor.config import Settings
from monitor.notifications import silences, windows
from monitor.notifications.silences import Silence, covers
from monitor.notifications.windows import Span
from monitor.store import HistoryStore


def _until(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class Mutes:
    """The silences and window spans in force at one moment."""

    silences: tuple[Silence, ...] = ()
    windows: tuple[Span, ...] = ()

    def window(self, rule: str, subject: str, severity: str) -> Span | None:
        """The maintenance window covering this alert (or health check), if one does."""
        return next((s for s in self.windows if covers(s.window, rule, subject, severity)), None)

    def why(self, rule: str, subject: str, severity: str) -> str | None:
        """Why this alert is not notified now, in words; None when nothing mutes it."""
        for silence in self.silences:
            if covers(silence, rule, subject, severity):
                return (
                    f"silenced by {silence.created_by} until {_until(silence.ends_at)}: "
                    f"{silence.comment}"
                )
        span = self.window(rule, subject, severity)
        if span is not None:
            note = f": {span.window.comment}" if span.window.comment else ""
            return f"maintenance window {span.window.name} until {_until(span.end)}{note}"
        return None


def in_force(conn: Connection, settings: Settings, now: float) -> Mutes:
    """The mutes at `now`, read on `conn` (within a change's own transaction)."""
    return Mutes(
        tuple(silences.active(conn, now)),
        tuple(windows.in_force(settings.maintenance_windows, now)),
    )


def read(store: HistoryStore, settings: Settings, now: float) -> Mutes:
    """The mutes at `now`, for views."""
    with store.engine.connect() as conn:
        return in_force(conn, settings, now)
