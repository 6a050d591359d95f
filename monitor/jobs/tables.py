"""The job queue's tables, on the store's metadata (the migrations create them)."""

from __future__ import annotations

from sqlalchemy import Column, Double, Index, Integer, String, Table, Text, text

from monitor.store import metadata

WAITING_JOB = text("state = 'waiting'")

# Every scheduled or requested run (see monitor/jobs/queue.py). Times are epoch seconds.
jobs_table = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("queue", String(32), nullable=False),
    Column("type", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("priority", Integer, nullable=False, default=0),
    Column("attempts", Integer, nullable=False, default=0),
    Column("max_attempts", Integer, nullable=False),
    Column("run_at", Double, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("started_at", Double, nullable=True),
    Column("finished_at", Double, nullable=True),
    Column("duration_ms", Double, nullable=True),
    Column("progress", Integer, nullable=False, default=0),
    Column("error", Text, nullable=True),
    Column("result", Text, nullable=True),
    Column("requested_by", String(100), nullable=False),
    Column("worker", String(100), nullable=True),
    Column("heartbeat_at", Double, nullable=True),
    # "<type>|<requester>" on a coalescing run while it waits: at most one such waits.
    Column("coalesce_key", String(200), nullable=True),
    Index("ix_jobs_due", "state", "run_at"),
    Index("ix_jobs_queue_state", "queue", "state", "finished_at"),
    Index(
        "uq_jobs_waiting_coalesce",
        "coalesce_key",
        unique=True,
        sqlite_where=WAITING_JOB,
        postgresql_where=WAITING_JOB,
    ),
)

job_events_table = Table(
    "job_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", Integer, nullable=False),
    Column("ts", Double, nullable=False),
    Column("event", String(16), nullable=False),
    Column("detail", Text, nullable=True),
    Index("ix_job_events_job", "job_id", "id"),
)

# Who does the fleet's shop-wide scheduling, until when (see monitor/jobs/leases.py).
leases_table = Table(
    "leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(100), nullable=False),
    Column("expires_at", Double, nullable=False),
)
