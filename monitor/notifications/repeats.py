"""Repeats: an open alert nobody acknowledged is sent again after `repeat_after_s` of its
severity; acknowledging it stops them. One daemon at a time decides (the store's write lock,
and on PostgreSQL an advisory lock), so two daemons never queue the same repeat."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, and_, func, insert, select, text

from monitor.alerts.tables import alerts_table
from monitor.config import Settings
from monitor.notifications import mutes
from monitor.notifications.channels import Channel
from monitor.notifications.compose import Wording
from monitor.notifications.tables import notifications_table as outbox
from monitor.notifications.tables import owed
from monitor.store import HistoryStore

REPEAT_LOCK_KEY = 0x56_69_67_52  # "VigR"


def queue_repeats(
    store: HistoryStore,
    settings: Settings,
    wording: Wording,
    channels: Sequence[Channel],
    now: float,
) -> int:
    """Queue a repeat for every open, unacknowledged alert whose channel has heard nothing of
    it for its severity's `repeat_after_s`; returns how many were queued."""
    after = settings.notify.repeat_after_s
    if not after or not channels:
        return 0
    queued = 0
    with store.writing() as conn:
        if not store.is_sqlite:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": REPEAT_LOCK_KEY})
        open_alerts = conn.execute(
            select(alerts_table).where(
                alerts_table.c.state == "open",
                alerts_table.c.acknowledged_by.is_(None),
                alerts_table.c.severity.in_(list(after)),
            )
        ).mappings()
        quiet = mutes.in_force(conn, settings, now)
        for alert in list(open_alerts):
            if quiet.why(alert["rule"], alert["subject"], alert["severity"]):
                continue
            wait = after[alert["severity"]]
            due = [
                channel.name
                for channel in channels
                if channel.wants(alert["rule"], alert["severity"], alert["subject"])
                and not _heard_lately(conn, alert["id"], channel.name, now - wait)
            ]
            if not due:
                continue
            title, body = wording.for_alert(conn, dict(alert), "repeat", now)  # once for all
            for name in due:
                row = owed(dict(alert), "repeat", name, title, body, now=now)
                conn.execute(insert(outbox).values(**row))
            queued += len(due)
    return queued


def _heard_lately(conn: Connection, alert_id: int, channel: str, since: float) -> bool:
    last = conn.scalar(
        select(func.max(outbox.c.created_at)).where(
            and_(outbox.c.alert_id == alert_id, outbox.c.channel == channel)
        )
    )
    # An alert opened before the channel existed has nothing to repeat on it.
    return last is None or last > since
