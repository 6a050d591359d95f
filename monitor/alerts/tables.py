"""The alerts' table, on the store's metadata (the migrations create it)."""

from __future__ import annotations

from sqlalchemy import Column, Double, Index, Integer, String, Table, Text, text

from monitor.store import metadata

OPEN_ALERT = text("state = 'open'")

# One row per alert episode; the partial unique index makes "one open alert per rule and
# subject" a fact of the database, so two daemons cannot both open it.
alerts_table = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule", String(100), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("metric", String(300), nullable=False),
    Column("labels", Text, nullable=False, default=""),
    Column("severity", String(16), nullable=False),
    Column("peak_severity", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("value", Double, nullable=True),
    Column("threshold", Double, nullable=True),
    Column("message", Text, nullable=False),
    Column("opened_at", Double, nullable=False),
    Column("updated_at", Double, nullable=False),
    Column("resolved_at", Double, nullable=True),
    Column("resolution", Text, nullable=True),
    Column("acknowledged_by", String(100), nullable=True),
    Column("acknowledged_at", Double, nullable=True),
    Index(
        "uq_alerts_open",
        "rule",
        "subject",
        unique=True,
        sqlite_where=OPEN_ALERT,
        postgresql_where=OPEN_ALERT,
    ),
    Index("ix_alerts_state_opened", "state", "opened_at"),
)
