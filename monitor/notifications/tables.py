"""The outbox of messages, on the store's metadata (the migrations create it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Column, Double, Index, Integer, String, Table, Text

from monitor.store import metadata

# One row per message owed to one channel: waiting until sent (never dropped while the
# channel is configured), sending while a daemon holds it, sent once the channel took it.
notifications_table = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, nullable=True),
    Column("change", String(16), nullable=False),
    Column("rule", String(100), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("channel", String(60), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", Double, nullable=False),
    Column("next_at", Double, nullable=False),
    Column("claimed_at", Double, nullable=True),
    Column("worker", String(100), nullable=True),
    Column("sent_at", Double, nullable=True),
    Column("answer", Text, nullable=True),
    Index("ix_notifications_due", "state", "next_at"),
    Index("ix_notifications_channel", "channel", "state"),
)


def owed(
    alert: Mapping[str, Any], change: str, channel: str, title: str, body: str, *,
    now: float, state: str = "waiting",
) -> dict[str, Any]:  # fmt: skip
    """The outbox row of one message owed to one channel about one alert change."""
    return {
        "alert_id": alert["id"],
        "change": change,
        "rule": alert["rule"],
        "subject": alert["subject"],
        "severity": alert["severity"],
        "channel": channel,
        "title": title,
        "body": body,
        "state": state,
        "attempts": 0,
        "created_at": now,
        "next_at": now,
    }
