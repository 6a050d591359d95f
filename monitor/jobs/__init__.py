"""Jobs: the queue of scheduled and requested runs, and what maintenance runs do.

Owns the `jobs` and `job_events` tables. May import the store, the config, the audit log and
the alerts (maintenance resolves stale ones); the daemon runs the jobs, the API and the
dashboard only queue them.
"""

from __future__ import annotations

from monitor.jobs.queue import (
    ACTIVE,
    COMPLETED,
    FAILED,
    SCHEDULE_PREFIX,
    STATES,
    STORE_SCHEDULE,
    WAITING,
    Job,
    JobQueue,
    UnknownJobType,
)
from monitor.jobs.reading import find_job, job_events, queue_stats, recent_jobs

__all__ = [
    "ACTIVE",
    "COMPLETED",
    "FAILED",
    "SCHEDULE_PREFIX",
    "STATES",
    "STORE_SCHEDULE",
    "WAITING",
    "Job",
    "JobQueue",
    "UnknownJobType",
    "find_job",
    "job_events",
    "queue_stats",
    "recent_jobs",
]
