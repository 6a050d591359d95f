"""Maintenance: clean-up, optimisation and alert resolution on request (ops only, confirmed
first), their progress and result, and the audit log."""

from __future__ import annotations

import json
import time

import streamlit as st

import dashboard
from monitor import audit
from monitor.access import NotAuthorized
from monitor.jobs import COMPLETED, FAILED, JobQueue, find_job
from monitor.jobs.maintenance import TASKS, request_maintenance

dashboard.page("Maintenance")
settings = dashboard.settings()
store = dashboard.store()
queue = JobQueue(store)
WHAT = {
    "cleanup": "Clean-up: removes samples, notes and finished jobs past their retention.",
    "optimization": "Optimisation: refreshes the rollups, then ANALYZE and VACUUM of the store.",
    "alerts_resolution": "Alert resolution: resolves alerts whose metric has no recent data.",
}
LABELS = {
    "cleanup": "Clean up",
    "optimization": "Optimise",
    "alerts_resolution": "Resolve stale alerts",
}
CONFIRM_KEY = "maintenance_confirm"
JOBS_KEY = "maintenance_jobs"

person = dashboard.access.person()
allowed = person.may("ops")
if not allowed:
    st.info(f"Maintenance is for ops. {dashboard.access.refusal('ops')}")
for column, task in zip(st.columns(len(TASKS)), TASKS, strict=True):
    with column:
        st.caption(WHAT[task])
        if st.button(LABELS[task], key=f"run-{task}", disabled=not allowed, type="primary"):
            st.session_state[CONFIRM_KEY] = task

asked = st.session_state.get(CONFIRM_KEY)
if asked in TASKS:
    with st.container(border=True):
        st.warning(f"Run **{LABELS[asked].lower()}** now? {WHAT[asked]}")
        yes, no = st.columns(2)
        if yes.button("Confirm", key="confirm", type="primary", disabled=not allowed):
            del st.session_state[CONFIRM_KEY]
            try:
                ids = request_maintenance(queue, [asked], person=person, now=time.time())
                st.session_state[JOBS_KEY] = ids
            except NotAuthorized as exc:  # the role changed since the page was drawn
                st.error(str(exc))
            st.rerun()
        if no.button("Cancel", key="cancel"):
            del st.session_state[CONFIRM_KEY]
            st.rerun()


@dashboard.access.live(2, pausable=False)
def progress() -> None:
    ids = st.session_state.get(JOBS_KEY) or []
    for job_id in ids:
        job = dashboard.read(find_job, job_id, live=True)
        if job is None:
            continue
        label = LABELS.get(job.type, job.type)
        if job.state == COMPLETED:
            outcome = json.loads(job.result) if job.result else {}
            if not isinstance(outcome, dict):
                outcome = {"result": outcome}
            st.success(
                f"{label} done in {job.duration_ms or 0:,.0f} ms: "
                + (
                    ", ".join(
                        f"{k.replace('_', ' ')} {v:,}" if isinstance(v, int | float) else f"{k} {v}"
                        for k, v in outcome.items()
                        if k not in ("samples", "failures")  # a collection's, not maintenance's
                    )
                    or "nothing to do"
                )
            )
        elif job.state == FAILED:
            st.error(f"{label} failed: {job.error}")
        else:
            st.progress(
                job.progress / 100,
                text=f"{label}: {job.state} (job {job.id}, {job.progress} %)"
                + (
                    "; the collector daemon picks it up within seconds"
                    if job.state == "waiting"
                    else ""
                ),
            )
    st.subheader("Audit log")
    if dashboard.access.closed() and not dashboard.access.may("ops"):
        st.caption("The audit log is for ops and admins.")
        return
    rows = [
        {
            "at": dashboard.iso_or_none(e.ts),
            "who": e.actor,
            "action": e.action,
            "target": e.target,
            "outcome": e.outcome,
            "detail": e.detail,
        }
        for e in dashboard.read(audit.entries, limit=200, live=True)
    ]
    dashboard.table(rows, ["at", "who", "action", "target", "outcome", "detail"], name="audit")


progress()
