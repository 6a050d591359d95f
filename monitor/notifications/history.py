"""The notification log as people read it: what was owed to whom, and what became of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

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


@dataclass(frozen=True)
class Waiting:
    """What waits for one channel: how many messages, the most tries any of them had, and
    the service's newest answer."""

    channel: str
    messages: int
    attempts: int
    answer: str | None


def waiting_by_channel(store: HistoryStore) -> dict[str, Waiting]:
    """The messages still waiting, per channel (a failing channel's are among them)."""
    with store.engine.connect() as conn:
        counts = conn.execute(
            select(
                outbox.c.channel, func.count(), func.max(outbox.c.attempts), func.max(outbox.c.id)
            )
            .where(outbox.c.state == "waiting")
            .group_by(outbox.c.channel)
        ).all()
        newest = [row[3] for row in counts]
        answers = dict(
            conn.execute(select(outbox.c.id, outbox.c.answer).where(outbox.c.id.in_(newest))).all()
        )
    return {
        channel: Waiting(channel, int(n), int(tries or 0), answers.get(last))
        for channel, n, tries, last in counts
    }
