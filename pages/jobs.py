"""Jobs: queue statistics, recent runs, failures with their error, retries, a job's events."""

from __future__ import annotations

import streamlit as st

import dashboard
from monitor.jobs import STATES, Job, job_events, queue_stats, recent_jobs
from monitor.jobs.policy import JOB_TITLES

dashboard.page("Jobs")
dashboard.store()
COLUMNS = [
    "id",
    "queue",
    "type",
    "state",
    "attempts",
    "maxAttempts",
    "progress",
    "durationMs",
    "requestedBy",
    "createdAt",
    "finishedAt",
    "error",
]


def _row(job: Job) -> dict[str, object]:
    return {
        "id": job.id,
        "queue": job.queue,
        "type": job.type,
        "state": job.state,
        "attempts": job.attempts,
        "maxAttempts": job.max_attempts,
        "progress": job.progress,
        "durationMs": None if job.duration_ms is None else round(job.duration_ms, 1),
        "requestedBy": job.requested_by,
        "createdAt": dashboard.iso_or_none(job.created_at),
        "finishedAt": dashboard.iso_or_none(job.finished_at),
        "error": job.error,
    }


@dashboard.access.live(dashboard.REFRESH_S / 3)
def live() -> None:
    dashboard.refreshed(dashboard.REFRESH_S / 3)
    st.subheader("Queues")
    stats = dashboard.read(queue_stats, live=True)
    dashboard.table(
        [{"queue": name, **counts} for name, counts in stats.items()],
        ["queue", *STATES],
        name="queues",
    )
    recent = dashboard.read(recent_jobs, 200, live=True)
    st.subheader("Recent runs")
    dashboard.table([_row(j) for j in recent], COLUMNS, name="jobs")
    st.subheader("Failures")
    failed = [_row(j) for j in dashboard.read(recent_jobs, 50, "failed", live=True)]
    if failed:
        dashboard.table(failed, ["id", "type", "attempts", "finishedAt", "error"], name="failures")
    else:
        st.success("No failed job is kept.")
    st.subheader("Retried")
    retried = [_row(j) for j in recent if j.attempts > 1]
    if retried:
        dashboard.table(retried, COLUMNS, name="retried")
    else:
        st.caption("No recent job needed a second attempt.")

    titles = {j.id: f"{j.id}: {dashboard.said(JOB_TITLES.get(j.type, j.type))}" for j in recent}
    picked = st.selectbox(
        "Events of a job",
        list(titles),
        key="job_events",
        index=None,
        format_func=titles.__getitem__,
    )
    if picked is not None:
        events = [
            {"at": dashboard.iso_or_none(e.ts), "event": e.event, "detail": e.detail}
            for e in dashboard.read(job_events, int(picked), live=True)
        ]
        dashboard.table(events, ["at", "event", "detail"], name=f"job-{picked}-events")


live()
