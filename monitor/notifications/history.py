"""The notification log as people read it: what was owed to whom, and what became of it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from monitor.notifications.tables import notifications_table as outbox
from monitor.store import HistoryStore

LOG_COLUMNS = [
    "createdAt",
    "rule",
    "subject",
    "severity",
    "change",
    "channel",
    "state",
    "attempts",
    "sentAt",
    "answer",
    "title",
]


def notification_log(store: HistoryStore, *, limit: int = 200) -> list[dict[str, Any]]:
    """The newest messages first: sent, waiting (with the service's last answer), silenced
    or muted."""
    query = select(outbox).order_by(outbox.c.id.desc()).limit(limit)
    with store.engine.connect() as conn:
        rows = list(conn.execute(query).mappings())
    return [
        {
            "createdAt": row["created_at"],
            "rule": row["rule"],
            "subject": row["subject"],
            "severity": row["severity"],
            "change": row["change"],
            "channel": row["channel"],
            "state": row["state"],
            "attempts": row["attempts"],
            "sentAt": row["sent_at"],
            "answer": row["answer"],
            "title": row["title"],
        }
        for row in rows
    ]
