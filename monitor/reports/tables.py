"""The reports' table, on the store's metadata (the migrations create it)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Double, String, Table

from monitor.store import metadata

# One row per report sent, by its schedule's slot: the key makes "once per slot" a fact of the
# database, so two daemons never send the same report twice.
reports_sent_table = Table(
    "reports_sent",
    metadata,
    Column("name", String(60), primary_key=True),
    Column("slot", BigInteger, primary_key=True, autoincrement=False),
    Column("sent_at", Double, nullable=False),
)
