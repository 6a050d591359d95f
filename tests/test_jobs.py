"""Jobs: claims, retries with backoff, retention, stale jobs; a fixed clock, on both stores."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest

from monitor.jobs import ACTIVE, COMPLETED, FAILED, WAITING, JobQueue, UnknownJobType
from monitor.store import HistoryStore

T = 1_800_000_000.0


@pytest.fixture
def jobs(store: HistoryStore) -> JobQueue:
    return JobQueue(store)


def test_it_runs_a_requested_job_once(jobs: JobQueue) -> None:
    job_id = jobs.enqueue("cleanup", now=T, requested_by="ops:alice")
    assert job_id is not None
    job = jobs.claim("daemon-1", now=T + 1)
    assert job is not None and job.id == job_id and job.state == ACTIVE and job.attempts == 1
    assert jobs.claim("daemon-2", now=T + 1) is None
    assert jobs.complete(job, now=T + 3, result={"rows_removed": 12})
    done = jobs.get(job_id)
    assert done is not None
    assert (done.state, done.progress, done.duration_ms, done.requested_by) == (
        COMPLETED,
        100,
        2000.0,
        "ops:alice",
    )
    assert [e.event for e in jobs.events(job_id)] == ["started", "completed"]


def test_it_retries_metrics_jobs_with_exponential_backoff(jobs: JobQueue) -> None:
    job_id = jobs.enqueue("business", now=T, requested_by="ops:test")
    assert job_id is not None
    runs = []
    now = T
    for _ in range(3):
        job = jobs.claim("d", now=now)
        assert job is not None
        runs.append(now)
        state = jobs.fail(job, "database unreachable", now=now)
        after = jobs.get(job_id)
        assert after is not None
        if state == WAITING:
            assert jobs.claim("d", now=after.run_at - 0.01) is None  # not before the backoff
            now = after.run_at
    assert [b - a for a, b in itertools.pairwise(runs)] == [2.0, 4.0]
    final = jobs.get(job_id)
    assert final is not None and final.state == FAILED and final.attempts == 3
    assert [e.event for e in jobs.events(job_id)].count("retried") == 2


def test_it_retries_maintenance_twice_five_seconds_apart(jobs: JobQueue) -> None:
    job_id = jobs.enqueue("optimization", now=T, requested_by="ops:test")
    assert job_id is not None
    first = jobs.claim("d", now=T)
    assert first is not None and jobs.fail(first, "locked", now=T) == WAITING
    assert jobs.claim("d", now=T + 4.9) is None
    second = jobs.claim("d", now=T + 5)
    assert second is not None and second.attempts == 2
    assert jobs.fail(second, "locked again", now=T + 5) == FAILED
    failed = jobs.get(job_id)
    assert failed is not None and failed.error == "locked again"


def test_it_keeps_the_newest_finished_jobs_only(jobs: JobQueue) -> None:
    for i in range(103):
        jobs.enqueue("performance", now=T + i, requested_by="ops:test")
        job = jobs.claim("d", now=T + i)
        assert job is not None
        jobs.complete(job, now=T + i)
    for i in range(27):
        jobs.enqueue("cleanup", now=T + 200 + i, requested_by="ops:test")
        for attempt in range(2):
            job = jobs.claim("d", now=T + 200 + i + 10 * attempt)
            assert job is not None
            jobs.fail(job, "no", now=T + 200 + i + 10 * attempt)
    stats = jobs.stats()
    assert stats["metrics"] == {"waiting": 0, "active": 0, "completed": 100, "failed": 0}
    assert stats["maintenance"] == {"waiting": 0, "active": 0, "completed": 0, "failed": 25}
    newest = jobs.recent(limit=1, state=COMPLETED)[0]
    assert newest.created_at == T + 102


def test_it_takes_back_a_job_left_active_by_a_dead_daemon(jobs: JobQueue) -> None:
    job_id = jobs.enqueue("seo", now=T, requested_by="ops:test")
    assert job_id is not None
    dead = jobs.claim("daemon-that-died", now=T)
    assert dead is not None
    assert jobs.requeue_stale(now=T + 60, timeout_s=300) == 0
    assert jobs.requeue_stale(now=T + 301, timeout_s=300) == 1
    alive = jobs.claim("daemon-2", now=T + 301)
    assert alive is not None and alive.id == job_id and alive.attempts == 2
    assert not jobs.complete(dead, now=T + 302)  # the dead daemon's late answer is ignored
    assert jobs.complete(alive, now=T + 302)
    assert "requeued" in [e.event for e in jobs.events(job_id)]


def test_it_reports_progress(jobs: JobQueue) -> None:
    jobs.enqueue("cleanup", now=T, requested_by="ops:test")
    job = jobs.claim("d", now=T)
    assert job is not None
    jobs.report_progress(job, 40, now=T + 1, detail="samples pruned")
    current = jobs.get(job.id)
    assert current is not None and current.progress == 40
    assert jobs.events(job.id)[-1].detail == "samples pruned"


def test_it_refuses_an_unknown_job_type(jobs: JobQueue) -> None:
    with pytest.raises(UnknownJobType, match="unknown job type 'reboot'"):
        jobs.enqueue("reboot", now=T, requested_by="ops:test")


def test_two_daemons_never_claim_the_same_job(pg_database: str) -> None:
    stores = [HistoryStore(pg_database) for _ in range(2)]
    queues = [JobQueue(s) for s in stores]
    for i in range(60):
        queues[0].enqueue("performance", now=T + i, requested_by="ops:test")
    claimed: dict[str, list[int]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def work(name: str, queue: JobQueue) -> None:
        start.wait()
        while (job := queue.claim(name, now=T + 100)) is not None:
            claimed[name].append(job.id)
            queue.complete(job, now=T + 100)

    threads = [
        threading.Thread(target=work, args=(n, q)) for n, q in zip("ab", queues, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    every = claimed["a"] + claimed["b"]
    assert len(every) == 60 and len(set(every)) == 60
    assert claimed["a"] and claimed["b"]  # both really worked
    for store in stores:
        store.close()


def test_it_fails_a_job_that_killed_its_daemon_too_often(jobs: JobQueue) -> None:
    job_id = jobs.enqueue("business", now=T, requested_by="ops:test")
    assert job_id is not None
    now = T
    for _ in range(3):  # three daemons die in a row on this job
        assert jobs.claim("doomed", now=now) is not None
        now += 700
        assert jobs.requeue_stale(now=now, timeout_s=600) == 1
    job = jobs.get(job_id)
    assert job is not None and (job.state, job.attempts) == (FAILED, 3)
    assert "stopped during the run" in (job.error or "")


def test_a_job_that_reports_progress_is_not_taken_for_dead(jobs: JobQueue) -> None:
    jobs.enqueue("optimization", now=T, requested_by="ops:test")
    job = jobs.claim("busy", now=T)
    assert job is not None
    jobs.report_progress(job, 50, now=T + 500)  # a long VACUUM, still alive
    assert jobs.requeue_stale(now=T + 700, timeout_s=600) == 0
    assert jobs.requeue_stale(now=T + 1101, timeout_s=600) == 1


def test_it_coalesces_scheduled_runs_that_are_already_waiting(jobs: JobQueue) -> None:
    first = jobs.enqueue("seo", now=T, requested_by="schedule@a", coalesce=True)
    assert first is not None
    assert jobs.enqueue("seo", now=T + 600, requested_by="schedule@a", coalesce=True) is None
    assert jobs.enqueue("seo", now=T + 600, requested_by="schedule@b", coalesce=True) is not None
    assert jobs.stats()["metrics"]["waiting"] == 2


def test_two_daemons_queueing_the_same_run_at_once_queue_it_once(store: HistoryStore) -> None:
    """Two daemons' schedulers on one store, each with its own connection, asking for the
    same coalesced run at the same instant, 100 times: exactly one waits each time (the
    old check-then-insert queued it twice in 100 of 100 trials on PostgreSQL)."""
    url = store.engine.url.render_as_string(hide_password=False)
    daemons = [JobQueue(HistoryStore(url)) for _ in range(2)]
    gate = threading.Barrier(2)
    doubled = 0
    try:
        for trial in range(100):
            queued: list[int | None] = []

            def ask(queue: JobQueue, into: list[int | None], at: float) -> None:
                gate.wait()
                into.append(queue.enqueue("seo", now=at, requested_by="schedule", coalesce=True))

            threads = [threading.Thread(target=ask, args=(d, queued, T + trial)) for d in daemons]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            doubled += sum(q is not None for q in queued) != 1
            job = daemons[0].claim("w", now=T + trial)  # runs: the next may wait again
            assert job is not None
            daemons[0].complete(job, now=T + trial)
    finally:
        for daemon in daemons:
            daemon.store.close()
    assert doubled == 0


def test_a_retried_run_waits_again_beside_a_newly_queued_one(jobs: JobQueue) -> None:
    first = jobs.enqueue("seo", now=T, requested_by="schedule", coalesce=True)
    job = jobs.claim("w", now=T)
    assert job is not None and job.id == first
    queued = jobs.enqueue("seo", now=T + 1, requested_by="schedule", coalesce=True)
    assert queued is not None  # the first one runs: a new run may wait
    jobs.fail(job, "the shop did not answer", now=T + 2, retry=True)  # waits again: no clash
    assert jobs.get(first).state == WAITING  # type: ignore[union-attr]
    assert jobs.enqueue("seo", now=T + 3, requested_by="schedule", coalesce=True) is None


def test_it_expires_scheduled_runs_of_a_host_that_is_gone(jobs: JobQueue) -> None:
    gone = jobs.enqueue("performance", now=T, requested_by="schedule@old-container")
    assert gone is not None
    asked = jobs.enqueue("cleanup", now=T, requested_by="ops:alice")
    assert asked is not None
    assert jobs.expire_waiting(now=T + 3601, older_than_s=3600) == 1
    assert jobs.get(gone).state == FAILED  # type: ignore[union-attr]
    assert jobs.get(asked).state == WAITING  # type: ignore[union-attr]


def test_retention_keeps_what_finished_last_not_what_was_asked_last(jobs: JobQueue) -> None:
    early = jobs.enqueue("seo", now=T, requested_by="ops:test")
    slow = jobs.claim("d", now=T)  # asked first, finishes last
    assert slow is not None and slow.id == early
    for i in range(100):
        jobs.enqueue("performance", now=T + 1 + i, requested_by="ops:test")
        job = jobs.claim("d", now=T + 1 + i)
        assert job is not None
        jobs.complete(job, now=T + 1 + i)
    jobs.complete(slow, now=T + 500)
    assert jobs.get(early) is not None
    assert len(jobs.recent(limit=200, state=COMPLETED)) == 100
    # Its events stay with it, and the removed job's went with it: one choice for both.
    assert [e.event for e in jobs.events(early)] == ["started", "completed"]
    assert jobs.prune_events() == 0


def test_events_go_with_the_jobs_retention_removed(tmp_path: Path) -> None:
    store = HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}")
    jobs = JobQueue(store)
    ids = []
    for i in range(52):  # maintenance keeps 50 completed jobs
        job_id = jobs.enqueue("cleanup", now=T + i, requested_by="ops:test")
        assert job_id is not None
        ids.append(job_id)
        job = jobs.claim("w", now=T + i)
        assert job is not None
        jobs.complete(job, now=T + i + 0.5, result={})
    # The two oldest were trimmed, and their events with them; the kept jobs keep theirs.
    assert [jobs.get(i) for i in ids[:2]] == [None, None]
    assert jobs.events(ids[0]) == [] and jobs.events(ids[1]) == []
    assert [e.event for e in jobs.events(ids[2])] == ["started", "completed"]
    assert jobs.prune_events() == 0  # nothing left behind for the hourly clean-up
    store.close()
