"""The queue as the pages read it: one store in, plain values out (cacheable by the dashboard)."""

from __future__ import annotations

from monitor.jobs.queue import Job, JobEvent, JobQueue
from monitor.store import HistoryStore


def queue_stats(store: HistoryStore) -> dict[str, dict[str, int]]:
    """Jobs per state for every queue (see JobQueue.stats)."""
    return JobQueue(store).stats()


def recent_jobs(store: HistoryStore, limit: int = 50, state: str | None = None) -> list[Job]:
    """The newest jobs first, optionally in one state."""
    return JobQueue(store).recent(limit=limit, state=state)


def job_events(store: HistoryStore, job_id: int) -> list[JobEvent]:
    """One job's history, oldest first."""
    return JobQueue(store).events(job_id)


def find_job(store: HistoryStore, job_id: int) -> Job | None:
    """A job by id, None if unknown or trimmed by retention."""
    return JobQueue(store).get(job_id)
