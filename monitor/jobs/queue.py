"""Jobs: every scheduled or requested run, with its state, attempts, retries and events.

The seed's BullMQ settings, kept in the history store so several daemons can share one queue:

| queue | attempts | backoff | keep completed / failed |
|---|---|---|---|
| metrics | 3 | exponential, 2 s then 4 s | 100 / 50 |
| maintenance | 2 | fixed, 5 s | 50 / 25 |

Every state change is a conditional UPDATE (… WHERE state = <the state we expect>), so two
daemons never claim, finish or retry the same job twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    and_,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from monitor.audit import record
from monitor.errors import VigieError
from monitor.jobs.policy import JOB_TYPES, QUEUES
from monitor.jobs.tables import WAITING_JOB, job_events_table, jobs_table
from monitor.redaction import redact
from monitor.store import HistoryStore

WAITING, ACTIVE, COMPLETED, FAILED = "waiting", "active", "completed", "failed"
# requested_by of a scheduled run: "schedule@<host>"; only that host's daemon takes it.
SCHEDULE_PREFIX = "schedule@"
# Store-wide scheduled work (maintenance): any daemon may take it.
STORE_SCHEDULE = "schedule"
DIED = "its daemon stopped during the run"
STATES = (WAITING, ACTIVE, COMPLETED, FAILED)


class UnknownJobType(VigieError):
    """A request named a job type Vigie does not have."""


@dataclass(frozen=True)
class Job:
    """One row of the jobs table."""

    id: int
    queue: str
    type: str
    state: str
    priority: int
    attempts: int
    max_attempts: int
    run_at: float
    created_at: float
    started_at: float | None
    finished_at: float | None
    duration_ms: float | None
    progress: int
    error: str | None
    result: str | None
    requested_by: str
    worker: str | None
    heartbeat_at: float | None

    @classmethod
    def from_row(cls, row: RowMapping) -> Job:
        """The job of a `jobs` row."""
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class JobEvent:
    """One line of a job's history."""

    ts: float
    event: str  # started | progress | completed | failed | retried | requeued
    detail: str | None


class JobQueue:
    """The jobs of one history store."""

    def __init__(self, store: HistoryStore) -> None:
        self.store = store
        self.engine = store.engine

    # -- requests -------------------------------------------------------------------------------

    def enqueue(
        self,
        job_type: str,
        *,
        now: float,
        requested_by: str,
        priority: int = 0,
        coalesce: bool = False,
    ) -> int | None:
        """Ask for a run; the daemon picks it up once `now` has passed. Returns its id.

        With `coalesce`, nothing is queued (None) while the same requester already has a run of
        this type waiting: a stalled daemon catches up with one run, not a backlog."""
        queue = JOB_TYPES.get(job_type)
        if queue is None:
            raise UnknownJobType(f"unknown job type {job_type!r}; known: {', '.join(JOB_TYPES)}")
        requester = requested_by[:100]
        row = {
            "queue": queue, "type": job_type, "state": WAITING, "priority": priority,
            "attempts": 0, "max_attempts": QUEUES[queue].attempts, "run_at": now,
            "created_at": now, "progress": 0, "requested_by": requester,
            "coalesce_key": f"{job_type}|{requester}" if coalesce else None,
        }  # fmt: skip
        statement = self._insert_waiting(row) if coalesce else insert(jobs_table).values(row)
        with self.store.writing() as conn:
            # With `coalesce`, one conditional write: the partial unique index on waiting
            # jobs' keys turns a second one into nothing, whoever (and however many) asks.
            job_id = conn.execute(statement.returning(jobs_table.c.id)).scalar()
        return None if job_id is None else int(job_id)

    def _insert_waiting(self, row: dict[str, object]) -> Any:
        insert_ = sqlite_insert if self.store.is_sqlite else pg_insert
        return (
            insert_(jobs_table)
            .values(row)
            .on_conflict_do_nothing(index_elements=["coalesce_key"], index_where=WAITING_JOB)
        )

    # -- the worker's side ----------------------------------------------------------------------

    def claim(self, worker: str, *, now: float, scheduled_by: str | None = None) -> Job | None:
        """Take the most urgent due job, atomically: no other worker can take it too.

        With `scheduled_by`, the scheduled runs of other hosts are left to them."""
        due = select(jobs_table.c.id).where(
            jobs_table.c.state == WAITING, jobs_table.c.run_at <= now
        )
        if scheduled_by is not None:
            requester = jobs_table.c.requested_by
            due = due.where(or_(~requester.startswith(SCHEDULE_PREFIX), requester == scheduled_by))
        due = due.order_by(
            jobs_table.c.priority.desc(), jobs_table.c.run_at, jobs_table.c.id
        ).limit(1)
        if not self.store.is_sqlite:
            # PostgreSQL: a job another daemon is claiming is skipped, not waited for.
            due = due.with_for_update(skip_locked=True)
        # SQLite: the write lock taken by BEGIN IMMEDIATE already serialises claimers.
        with self.store.writing() as conn:
            row = (
                conn.execute(
                    update(jobs_table)
                    .where(jobs_table.c.id == due.scalar_subquery(), jobs_table.c.state == WAITING)
                    .values(
                        state=ACTIVE,
                        worker=worker,
                        started_at=now,
                        progress=0,
                        attempts=jobs_table.c.attempts + 1,
                        coalesce_key=None,  # running: a new run of its kind may wait again
                    )
                    .returning(*jobs_table.c)
                )
                .mappings()
                .first()
            )
            if row is None:
                return None
            job = Job.from_row(row)
            _event(conn, job.id, now, "started", f"attempt {job.attempts} by {worker}")
        return job

    def report_progress(
        self, job: Job, percent: int, *, now: float, detail: str | None = None
    ) -> None:
        """Record how far an active job has got (0–100)."""
        with self.store.writing() as conn:
            changed = conn.execute(
                update(jobs_table)
                .where(jobs_table.c.id == job.id, jobs_table.c.state == ACTIVE)
                .values(progress=max(0, min(100, percent)), heartbeat_at=now)
            ).rowcount
            if changed:
                _event(conn, job.id, now, "progress", detail or f"{percent} %")

    def complete(
        self,
        job: Job,
        *,
        now: float,
        result: Mapping[str, Any] | None = None,
        audit: bool = False,
    ) -> bool:
        """Mark an active job done; False if it was no longer ours (taken back as stale).

        With `audit`, the audit line is written in the same transaction, and only if it was."""
        with self.store.writing() as conn:
            changed = conn.execute(
                update(jobs_table)
                .where(_still_ours(job))
                .values(
                    state=COMPLETED,
                    finished_at=now,
                    progress=100,
                    error=None,
                    duration_ms=_ms(job, now),
                    result=json.dumps(result) if result is not None else None,
                )
            ).rowcount
            if changed:
                _event(conn, job.id, now, "completed", None)
                self._trim(conn, job.queue, COMPLETED)
                if audit:
                    _audit(
                        conn,
                        job,
                        COMPLETED,
                        now,
                        json.dumps(result) if result is not None else None,
                    )
        return bool(changed)

    def fail(
        self, job: Job, error: str, *, now: float, retry: bool = True, audit: bool = False
    ) -> str | None:
        """Record a failed attempt: back to waiting after the queue's backoff while attempts
        remain (and `retry`), else failed for good. Returns the new state (None if the job was
        not ours any more)."""
        policy = QUEUES[job.queue]
        retry = retry and job.attempts < job.max_attempts
        error = redact(error)  # kept for a year and shown on pages: never a secret
        values: dict[str, Any] = {"error": error[:2000], "duration_ms": _ms(job, now)}
        if retry:
            values |= {
                "state": WAITING,
                "run_at": now + policy.retry_delay(job.attempts),
                "worker": None,
            }
        else:
            values |= {"state": FAILED, "finished_at": now}
        with self.store.writing() as conn:
            changed = conn.execute(
                update(jobs_table).where(_still_ours(job)).values(**values)
            ).rowcount
            if not changed:
                return None
            _event(conn, job.id, now, "failed", error[:500])
            if retry:
                _event(
                    conn,
                    job.id,
                    now,
                    "retried",
                    f"attempt {job.attempts + 1} at +{values['run_at'] - now:g} s",
                )
            else:
                self._trim(conn, job.queue, FAILED)
            if audit:
                _audit(conn, job, "retrying" if retry else FAILED, now, error[:500])
        return WAITING if retry else FAILED

    def requeue_stale(self, *, now: float, timeout_s: float) -> int:
        """Take back jobs left active by a daemon that died: no sign of life (start or progress)
        for `timeout_s`. Back to waiting while attempts remain, else failed. Returns how many."""
        last_sign = func.coalesce(jobs_table.c.heartbeat_at, jobs_table.c.started_at)
        stale = and_(jobs_table.c.state == ACTIVE, last_sign < now - timeout_s)
        taken = 0
        with self.store.writing() as conn:
            rows = conn.execute(select(jobs_table).where(stale)).mappings().all()
            for job in map(Job.from_row, rows):
                exhausted = job.attempts >= job.max_attempts
                values: dict[str, Any] = (
                    {"state": FAILED, "finished_at": now, "error": DIED}
                    if exhausted
                    else {"state": WAITING, "run_at": now, "worker": None, "error": DIED}
                )
                changed = conn.execute(
                    update(jobs_table).where(jobs_table.c.id == job.id, stale).values(**values)
                ).rowcount
                if not changed:
                    continue
                taken += 1
                _event(
                    conn,
                    job.id,
                    now,
                    "failed" if exhausted else "requeued",
                    f"{DIED} (no sign of life for {timeout_s:g} s)",
                )
                _audit(conn, job, FAILED if exhausted else "requeued", now, DIED)
                if exhausted:
                    self._trim(conn, job.queue, FAILED)
        return taken

    def expire_waiting(self, *, now: float, older_than_s: float) -> int:
        """Fail scheduled runs nobody took for `older_than_s` (their host is gone, e.g. a
        container recreated under a new name); returns how many."""
        old = and_(
            jobs_table.c.state == WAITING,
            jobs_table.c.run_at < now - older_than_s,
            jobs_table.c.requested_by.startswith(SCHEDULE_PREFIX),
        )
        with self.store.writing() as conn:
            return int(
                conn.execute(
                    update(jobs_table)
                    .where(old)
                    .values(
                        state=FAILED,
                        finished_at=now,
                        error="expired: no daemon of its host took it",
                    )
                ).rowcount
            )

    def prune_events(self) -> int:
        """Delete the events of jobs that retention already removed; returns how many."""
        with self.store.writing() as conn:
            return int(
                conn.execute(
                    job_events_table.delete().where(
                        ~job_events_table.c.job_id.in_(select(jobs_table.c.id))
                    )
                ).rowcount
            )

    # -- reading --------------------------------------------------------------------------------

    def get(self, job_id: int) -> Job | None:
        """One job by id, None if unknown (or trimmed by retention)."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(jobs_table).where(jobs_table.c.id == job_id)).mappings().first()
            )
        return Job.from_row(row) if row else None

    def events(self, job_id: int) -> list[JobEvent]:
        """A job's history, oldest first."""
        query = (
            select(job_events_table.c.ts, job_events_table.c.event, job_events_table.c.detail)
            .where(job_events_table.c.job_id == job_id)
            .order_by(job_events_table.c.id)
        )
        with self.engine.connect() as conn:
            return [JobEvent(*row) for row in conn.execute(query)]

    def stats(self) -> dict[str, dict[str, int]]:
        """Jobs per state for every queue: {"metrics": {"waiting": 0, "active": 1, …}, …}."""
        counts = {queue: dict.fromkeys(STATES, 0) for queue in QUEUES}
        query = select(jobs_table.c.queue, jobs_table.c.state, func.count()).group_by(
            jobs_table.c.queue, jobs_table.c.state
        )
        with self.engine.connect() as conn:
            for queue, state, count in conn.execute(query):
                counts.setdefault(queue, dict.fromkeys(STATES, 0))[state] = count
        return counts

    def recent(
        self,
        *,
        limit: int = 50,
        state: str | None = None,
        job_type: str | None = None,
        host: str | None = None,
    ) -> list[Job]:
        """The newest jobs first, optionally in one state, of one type, or of one host (run
        by its daemon, or scheduled for it and not yet taken)."""
        c = jobs_table.c
        query = select(jobs_table).order_by(c.id.desc()).limit(limit)
        if state is not None:
            query = query.where(c.state == state)
        if job_type is not None:
            query = query.where(c.type == job_type)
        if host is not None:
            # A worker is "<host>:<pid>"; the host's name has no ":" of its own.
            ran = c.worker.startswith(f"{host}:", autoescape=True)
            query = query.where(ran | (c.requested_by == f"{SCHEDULE_PREFIX}{host}"))
        with self.engine.connect() as conn:
            return [Job.from_row(row) for row in conn.execute(query).mappings()]

    # -- retention ------------------------------------------------------------------------------

    def _trim(self, conn: Connection, queue: str, state: str) -> None:
        keep = QUEUES[queue].keep_completed if state == COMPLETED else QUEUES[queue].keep_failed
        # All but the `keep` newest finished jobs of this queue in this state go, and their
        # events with them: one choice of jobs for both, so a kept job keeps its events and
        # a removed one leaves none behind.
        doomed = (
            "SELECT id FROM jobs WHERE queue = :q AND state = :s AND id NOT IN "
            "(SELECT id FROM jobs WHERE queue = :q AND state = :s "
            "ORDER BY finished_at DESC, id DESC LIMIT :keep)"
        )
        params = {"q": queue, "s": state, "keep": keep}
        conn.execute(text(f"DELETE FROM job_events WHERE job_id IN ({doomed})"), params)
        conn.execute(text(f"DELETE FROM jobs WHERE id IN ({doomed})"), params)


def _still_ours(job: Job) -> ColumnElement[bool]:
    """The job is still active under the worker that claimed it (not taken back since)."""
    return and_(
        jobs_table.c.id == job.id, jobs_table.c.state == ACTIVE, jobs_table.c.worker == job.worker
    )


def _audit(conn: Connection, job: Job, outcome: str, now: float, detail: str | None) -> None:
    """The audit line of a job's outcome, in the transaction that records it."""
    record(
        conn,
        actor=job.requested_by,
        action=job.type,
        target=f"job {job.id}",
        outcome=outcome,
        now=now,
        detail=detail,
    )


def _event(conn: Connection, job_id: int, ts: float, event: str, detail: str | None) -> None:
    conn.execute(insert(job_events_table).values(job_id=job_id, ts=ts, event=event, detail=detail))


def _ms(job: Job, now: float) -> float | None:
    return (now - job.started_at) * 1000 if job.started_at is not None else None
