"""Maintenance: what clean-up, optimisation and alert resolution do, and who may ask for them.

The dashboard and the API never run these themselves: they call `request_maintenance`, which
refuses a person whose role is not ops or admin, queues the tasks and writes the audit line; the
daemon then runs them (and audits the outcome).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable
from typing import Literal, get_args

from monitor import audit
from monitor.access import Person, require
from monitor.alerts import AlertBook
from monitor.audit import record
from monitor.config import Settings
from monitor.errors import VigieError
from monitor.jobs import JobQueue
from monitor.store import HistoryStore

Task = Literal["cleanup", "optimization", "alerts_resolution"]
TASKS: tuple[Task, ...] = get_args(Task)

Progress = Callable[[int, str], None]


class UnknownTask(VigieError):
    """A request named a maintenance task that does not exist."""


def request_maintenance(
    queue: JobQueue, tasks: Iterable[str], *, person: Person, now: float
) -> list[int]:
    """Queue maintenance tasks for the daemon on behalf of `person`; returns the job ids.

    Raises NotAuthorized (audited as refused) unless the person's role is ops or admin, and
    UnknownTask for a task name that does not exist (nothing is queued then)."""
    wanted = list(dict.fromkeys(tasks))
    require(queue.store, person, "ops", action="maintenance",
            target=",".join(wanted)[:300] or "-", now=now)  # fmt: skip
    unknown = [t for t in wanted if t not in TASKS]
    if unknown or not wanted:
        audit_call(
            queue.store,
            actor=person.name,
            tasks=wanted,
            outcome="invalid",
            now=now,
            detail="unknown task",
        )
        raise UnknownTask(
            f"unknown maintenance task {', '.join(unknown) or '(none given)'}; "
            f"tasks: {', '.join(TASKS)}"
        )
    ids = [
        job_id
        for task in wanted
        if (job_id := queue.enqueue(task, now=now, requested_by=person.name)) is not None
    ]
    audit_call(
        queue.store,
        actor=person.name,
        tasks=wanted,
        outcome="requested",
        now=now,
        detail=f"jobs {', '.join(map(str, ids))}",
    )
    return ids


def authorized(settings: Settings, token: str | None) -> bool:
    """Whether `token` is the configuration's ops token (none set: nobody's is)."""
    expected = settings.ops.token
    return (
        bool(expected)
        and token is not None
        and hmac.compare_digest(token.encode(), expected.encode())
    )


def acknowledge_alert(book: AlertBook, alert_id: int, *, person: Person, now: float) -> bool:
    """Acknowledge an open alert on behalf of `person` (ops or admin); False if it was not
    open or already acknowledged. Raises NotAuthorized, audited as refused, for a viewer."""
    require(book.store, person, "ops", action="acknowledge", target=f"alert {alert_id}", now=now)
    return book.acknowledge(alert_id, person.name, now=now)


def audit_call(
    store: HistoryStore,
    *,
    actor: str,
    tasks: Iterable[str],
    outcome: str,
    now: float,
    detail: str,
    burst: bool = False,
) -> None:
    """One audit line for a maintenance call: requested, refused or invalid (with `burst`, a
    call like one of the same minute only counts on that line: see `audit.record`)."""
    with store.writing() as conn:
        record(
            conn,
            actor=actor,
            action="maintenance",
            target=",".join(tasks)[:300] or "-",
            outcome=outcome,
            now=now,
            detail=detail,
            burst=burst,
        )


def cleanup(
    store: HistoryStore, queue: JobQueue, settings: Settings, *, now: float, progress: Progress
) -> dict[str, int]:
    """Retention of raw samples, rollups and notes; of resolved alerts and audit lines past the
    long history; of the events of jobs retention removed; and expiry of scheduled runs nobody
    took. Finished jobs trim themselves to their queue's counts as they finish; Vigie keeps no
    other cache to clear."""
    cfg = settings.store
    long_ago = now - cfg.rollup_retention_days * 86400
    removed = store.prune(
        now, raw_days=cfg.raw_retention_days, rollup_days=cfg.rollup_retention_days
    )
    removed["alerts"] = AlertBook(store, []).prune(before=long_ago)
    removed["audit"] = audit.prune(store, before=long_ago)
    removed["job_events"] = queue.prune_events()
    progress(80, "samples, rollups, notes, alerts and audit pruned")
    removed["expired_jobs"] = queue.expire_waiting(
        now=now, older_than_s=settings.jobs.expire_waiting_after_s
    )
    progress(100, "removed " + ", ".join(f"{v} {k}" for k, v in removed.items()))
    return removed


def optimize(store: HistoryStore, *, now: float, progress: Progress) -> dict[str, int]:
    """Refresh the last day's rollups, then let the database re-plan and reclaim space."""
    store.rollup(now - 86400)
    progress(50, "rollups refreshed")
    done = store.optimize()
    progress(100, f"{done['bytes_freed']} bytes freed")
    return done


def resolve_alerts(
    book: AlertBook, settings: Settings, *, now: float, progress: Progress
) -> dict[str, int]:
    """Resolve open alerts whose metric went silent or whose rule was removed."""
    resolved = book.resolve_stale(now=now, stale_after_s=settings.alerts.stale_after_s)
    progress(100, f"{resolved} stale alerts resolved")
    return {"alerts_resolved": resolved}
