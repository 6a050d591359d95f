"""The audit log: who did what, when, and how it ended (maintenance runs, acknowledgements).

Owns the `audit` table; written inside the caller's transaction so a line lands with what it
describes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Connection,
    Double,
    Index,
    Integer,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)

from monitor.redaction import redact
from monitor.store import HistoryStore, metadata

# Who did what, when, with what outcome: maintenance runs, acknowledgements.
audit_table = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", Double, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(300), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("detail", Text, nullable=True),
    # A burst of refused calls from one client is one line a minute, counted here.
    Column("times", Integer, nullable=False, server_default="1"),
    Index("ix_audit_ts", "ts"),
)

BURST_WINDOW_S = 60


@dataclass(frozen=True)
class AuditEntry:
    ts: float
    actor: str
    action: str
    target: str
    outcome: str
    detail: str | None
    times: int = 1  # a burst: how many such calls this line stands for


def record(
    conn: Connection,
    *,
    actor: str,
    action: str,
    target: str,
    outcome: str,
    now: float,
    detail: str | None = None,
    burst: bool = False,
) -> None:
    """Add one line, inside the caller's transaction so it lands with what it describes.

    With `burst`, a call like one already written for the same actor, action and outcome in
    the current minute adds to that line's count instead: 3,000 refused calls in a minute are
    one line, not 3,000 (the first call's target and detail stand for the rest)."""
    detail = redact(detail[:300]) if detail else detail
    if burst:
        minute = now // BURST_WINDOW_S * BURST_WINDOW_S
        same = (
            select(audit_table.c.id)
            .where(
                audit_table.c.ts >= minute,
                audit_table.c.actor == actor[:100],
                audit_table.c.action == action[:64],
                audit_table.c.outcome == outcome[:32],
            )
            .order_by(audit_table.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        counted = conn.execute(
            update(audit_table)
            .where(audit_table.c.id == same)
            .values(times=audit_table.c.times + 1)
        )
        if counted.rowcount:
            return
    conn.execute(
        insert(audit_table).values(
            ts=now,
            actor=actor[:100],
            action=action[:64],
            target=target[:300],
            outcome=outcome[:32],
            detail=detail,
        )
    )


def prune(store: HistoryStore, *, before: float) -> int:
    """Delete the lines older than `before` (the long history's retention); returns how many."""
    with store.writing() as conn:
        return int(conn.execute(audit_table.delete().where(audit_table.c.ts < before)).rowcount)


def entries(store: HistoryStore, *, limit: int = 200) -> list[AuditEntry]:
    """The newest lines first."""
    query = (
        select(
            audit_table.c.ts,
            audit_table.c.actor,
            audit_table.c.action,
            audit_table.c.target,
            audit_table.c.outcome,
            audit_table.c.detail,
            audit_table.c.times,
        )
        .order_by(audit_table.c.id.desc())
        .limit(limit)
    )
    with store.engine.connect() as conn:
        return [AuditEntry(*row) for row in conn.execute(query)]
