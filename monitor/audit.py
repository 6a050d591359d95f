"""The audit log: who did what, when, and how it ended (maintenance runs, acknowledgements)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from monitor.store import HistoryStore, audit_table


@dataclass(frozen=True)
class AuditEntry:
    ts: float
    actor: str
    action: str
    target: str
    outcome: str
    detail: str | None


def record(
    conn: Connection,
    *,
    actor: str,
    action: str,
    target: str,
    outcome: str,
    now: float,
    detail: str | None = None,
) -> None:
    """Add one line, inside the caller's transaction so it lands with what it describes."""
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
        )
        .order_by(audit_table.c.id.desc())
        .limit(limit)
    )
    with store.engine.connect() as conn:
        return [AuditEntry(*row) for row in conn.execute(query)]
