"""The fleet's table, on the store's metadata (the migrations create it)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, String, Table

from monitor.store import metadata

# Every machine whose daemon writes this store: when it last wrote its own figures, and how
# often it means to (its performance interval), so a quiet host is told from a slow one.
hosts_table = Table(
    "hosts",
    metadata,
    Column("name", String(63), primary_key=True),
    Column("interval_s", Integer, nullable=False),
    Column("first_seen", BigInteger, nullable=False),
    Column("last_write", BigInteger, nullable=False),
)
