"""The fleet and its work: `GET /api/system/hosts` (every host with its last write) and
`GET /api/system/jobs` (the queue, filtered), beside one job by id."""

from __future__ import annotations

import json
import time
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request

from monitor.api import models as m
from monitor.api.backend import Backend
from monitor.api.models import ERRORS, Envelope, envelope, iso
from monitor.fleet import Fleet
from monitor.jobs import STATES, Job, JobQueue
from monitor.jobs.policy import JOB_TYPES

router = APIRouter(responses=ERRORS)
# In the schema as enumerations, so clients (and the schema fuzz) know every allowed value.
JobType = StrEnum("JobType", {name: name for name in JOB_TYPES})  # type: ignore[misc]
JobState = StrEnum("JobState", {name: name for name in STATES})  # type: ignore[misc]
MAX_JOBS = 500
HOST_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


def _backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


def _summary(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "queue": job.queue,
        "type": job.type,
        "state": job.state,
        "attempts": job.attempts,
        "progress": job.progress,
        "maxAttempts": job.max_attempts,
        "error": job.error,
        "result": json.loads(job.result) if job.result else None,
        "requestedBy": job.requested_by,
        "createdAt": iso(job.created_at),
        "startedAt": iso(job.started_at) if job.started_at else None,
        "finishedAt": iso(job.finished_at) if job.finished_at else None,
        "durationMs": job.duration_ms,
        "worker": job.worker,
    }


@router.get("/api/system/hosts", tags=["fleet"], response_model=Envelope[m.Hosts])
def hosts(request: Request) -> dict[str, Any]:
    """Every host whose daemon writes this store, with its last write; `quiet` once it has
    written nothing for two of its intervals (what raises `host_down`)."""
    now = time.time()
    found = Fleet(_backend(request).store).hosts()
    return envelope(
        {
            "count": len(found),
            "hosts": [
                {
                    "host": h.name,
                    "state": "quiet" if h.quiet(now) else "up",
                    "lastWrite": iso(h.last_write),
                    "ageSeconds": round(h.age(now), 1),
                    "intervalSeconds": h.interval_s,
                    "firstSeen": iso(h.first_seen),
                }
                for h in found
            ],
        }
    )


@router.get("/api/system/jobs", tags=["maintenance"], response_model=Envelope[m.Jobs])
def jobs(
    request: Request,
    type: Annotated[JobType | None, Query(description="a job type")] = None,
    state: Annotated[JobState | None, Query(description="a job state")] = None,
    host: Annotated[
        str | None, Query(max_length=63, pattern=HOST_NAME, description="run by this host")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_JOBS)] = 50,
) -> dict[str, Any]:
    """The newest jobs first: scheduled and requested runs of every host, filtered by type,
    state or host."""
    found = JobQueue(_backend(request).store).recent(
        limit=limit,
        state=None if state is None else str(state),
        job_type=None if type is None else str(type),
        host=host,
    )
    return envelope({"count": len(found), "jobs": [_summary(job) for job in found]})


@router.get("/api/system/jobs/{job_id}", tags=["maintenance"], response_model=Envelope[m.JobOut])
def job(job_id: Annotated[int, Path(ge=1, le=2**62)], request: Request) -> dict[str, Any]:
    """A job's state, progress, outcome and events."""
    queue = JobQueue(_backend(request).store)
    found = queue.get(job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id} (unknown, or trimmed by retention)")
    events = [{"event": e.event, "at": iso(e.ts), "detail": e.detail} for e in queue.events(job_id)]
    return envelope({**_summary(found), "events": events})
