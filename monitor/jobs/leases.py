"""Leases: one daemon of a fleet does the shop-wide scheduling, by the store's own guarantee.

A lease is a row (name, holder, expiry) taken or renewed by one conditional write: it goes to
the asker when it is free, expired or already the asker's, and to nobody else. A holder that
dies stops renewing, and the lease is free again when it expires, so another daemon takes over
within one lease period. No clock comparison decides alone: the write does."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from monitor.jobs.tables import leases_table
from monitor.store import HistoryStore

SHOP_SCHEDULER = "shop-scheduler"


class Lease:
    """One named lease, asked for by `holder` for `ttl_s` seconds at a time."""

    def __init__(self, store: HistoryStore, name: str, holder: str, ttl_s: float) -> None:
        self.store, self.name, self.holder, self.ttl_s = store, name, holder[:100], ttl_s

    def hold(self, now: float) -> bool:
        """Take or renew the lease; whether this holder has it until `now + ttl_s`."""
        insert_ = sqlite_insert if self.store.is_sqlite else pg_insert
        asked = insert_(leases_table).values(
            name=self.name, holder=self.holder, expires_at=now + self.ttl_s
        )
        current = leases_table.c
        statement = asked.on_conflict_do_update(
            index_elements=["name"],
            set_={"holder": self.holder, "expires_at": now + self.ttl_s},
            where=(current.holder == self.holder) | (current.expires_at < now),
        ).returning(current.holder)
        with self.store.writing() as conn:
            return conn.execute(statement).first() is not None

    def release(self) -> None:
        """Give the lease up at once (a daemon stopping cleanly)."""
        with self.store.writing() as conn:
            conn.execute(
                delete(leases_table).where(
                    leases_table.c.name == self.name, leases_table.c.holder == self.holder
                )
            )
