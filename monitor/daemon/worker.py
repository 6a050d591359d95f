"""The collector daemon: queues each job on its interval, runs what is due, writes the store."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import datetime

import schedule

from monitor.alerts import AlertBook, Change
from monitor.availability import HEALTH_EVERY_S
from monitor.collectors import COLLECTORS
from monitor.config import Settings
from monitor.daemon.basics import RunResult, StopRequest, store_for, utc_now
from monitor.daemon.buffer import StoreWriter
from monitor.daemon.quiet import QuietLog, log_failures
from monitor.daemon.steward import Steward
from monitor.errors import first_line
from monitor.fleet import stamped
from monitor.jobs import SCHEDULE_PREFIX, STORE_SCHEDULE, WAITING, Job, JobQueue, maintenance
from monitor.jobs.policy import SHOP_WIDE
from monitor.metrics import catalog
from monitor.notifications.channels import channels
from monitor.notifications.outbox import Notifier
from monitor.samples import Labels
from monitor.sources import Sources
from monitor.store import HistoryStore

log = logging.getLogger("vigie.daemon")

Clock = Callable[[], datetime]
MAINTENANCE = maintenance.TASKS
# A critical alert on a metric of this area collects the area again at once.
EMERGENCY_COLLECTOR = {
    "performance": "performance",
    "business": "business",
    "seo": "seo",
    "database": "database_health",
}
EMERGENCY_PRIORITY = 10
EMERGENCY_PREFIX = "emergency:"


class CollectorDaemon:
    """Runs the jobs; a job that fails is logged in one line and never stops the daemon."""

    def __init__(
        self,
        settings: Settings,
        *,
        store: HistoryStore | None = None,
        sources: Sources | None = None,
        clock: Clock = utc_now,
        stop: StopRequest | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.store = store or store_for(settings)
        self.sources = sources or Sources.from_settings(settings)
        self.stop_request = stop or StopRequest()
        self.queue = JobQueue(self.store)
        host = self.host = settings.host_name
        self.worker = f"{host}:{os.getpid()}"
        self.catalog = catalog(settings)
        # A wrong channel stops start-up here, in one line (ConfigError).
        self.notifier = Notifier(self.store, settings, channels(settings), self.worker)
        self.alerts = AlertBook(
            self.store, settings.alerts.effective(), on_change=self.notifier.on_change
        )
        # Scheduled runs are this host's own (its machine, its log); requests are anyone's.
        self.scheduled_by = f"{SCHEDULE_PREFIX}{host}"
        self.writer = StoreWriter(self.store)
        # Scheduled runs the store could not queue (it cannot be written): run without it.
        self._unqueued: set[str] = set()
        self._quiet = QuietLog()
        self._channels_checked = 0.0
        self._job: Job | None = None
        self.handlers: dict[str, Callable[[], RunResult]] = {
            name: self._collector_job(name) for name in COLLECTORS
        }
        for task in maintenance.TASKS:
            self.handlers[task] = self._maintenance(task)
        self.steward = Steward(
            self.store,
            settings,
            worker=self.worker,
            writer=self.writer,
            evaluate=self._evaluate_alerts,
            now=self._now,
        )
        # Timed steps that are not jobs (the demo's simulator), run before the jobs.
        self.tasks: dict[str, Callable[[], object]] = {}

    # -- what jobs do ---------------------------------------------------------------------------

    def _collector_job(self, name: str) -> Callable[[], RunResult]:
        return lambda: self.collect(name)

    def collect(self, name: str) -> RunResult:
        """Run one collector and store what it produced."""
        start = time.perf_counter()
        try:
            collection = COLLECTORS[name](self.sources, self.clock())
        except Exception as exc:  # a collector bug must not stop the daemon
            log.error("%s: collector failed: %s: %s", name, type(exc).__name__, first_line(exc))
            return RunResult(name, 0, 1, time.perf_counter() - start, first_line(exc))
        log_failures(name, collection.failures)
        collection.samples = stamped(collection.samples, self.host, self.catalog.per_host)
        stored = self.writer.offer(name, collection)
        if stored:
            if name not in SHOP_WIDE:
                self.steward.beat()
            self._evaluate_alerts({(s.name, s.labels) for s in collection.samples})
        result = RunResult(
            name,
            len(collection.samples),
            len(collection.failures),
            time.perf_counter() - start,
            None if stored else "store unavailable",
            retry=collection.unreachable is None,
        )
        log.info(
            "%s: %d samples, %d failed in %.2f s%s",
            name,
            result.samples,
            result.failures,
            result.seconds,
            "" if stored else " (kept in memory until the store is back)",
        )
        return result

    def _evaluate_alerts(self, series: set[tuple[str, Labels]]) -> None:
        try:
            changes = self.alerts.evaluate(series, now=self._now())
        except Exception as exc:  # alerting must not cost the samples already stored
            log.error("alert evaluation failed: %s", first_line(exc))
            return
        for change in changes:
            log.warning(
                "alert %s %s: %s (%s) %s",
                change.rule,
                change.kind,
                change.subject,
                change.severity,
                change.metric,
            )
            if change.first_critical:
                self._emergency(change)

    def _emergency(self, change: Change) -> None:
        """Collect the domain that fired again at once, ahead of the schedule."""
        job_type = EMERGENCY_COLLECTOR.get(change.metric.partition(".")[0])
        if job_type is None:
            return
        try:
            self.queue.enqueue(
                job_type,
                now=self._now(),
                priority=EMERGENCY_PRIORITY,
                requested_by=f"{EMERGENCY_PREFIX}{change.rule}:{change.subject}",
            )
        except Exception as exc:
            log.error("cannot queue the emergency %s run: %s", job_type, first_line(exc))
            return
        log.warning("emergency %s collection queued for %s", job_type, change.rule)

    def progress(self, percent: int, detail: str) -> None:
        """Report how far the running job has got (a no-op outside a job)."""
        if self._job is not None:
            try:
                self.queue.report_progress(self._job, percent, now=self._now(), detail=detail)
            except Exception as exc:
                log.warning("cannot record progress: %s", first_line(exc))

    def _maintenance(self, task: str) -> Callable[[], RunResult]:
        def run() -> RunResult:
            start = time.perf_counter()
            now = self._now()
            if task == "cleanup":
                done = maintenance.cleanup(
                    self.store, self.queue, self.settings, now=now, progress=self.progress
                )
            elif task == "optimization":
                done = maintenance.optimize(self.store, now=now, progress=self.progress)
            else:
                done = maintenance.resolve_alerts(
                    self.alerts, self.settings, now=now, progress=self.progress
                )
            log.info("%s: %s", task, ", ".join(f"{k} {v}" for k, v in done.items()))
            return RunResult(task, 0, 0, time.perf_counter() - start, details=done)

        return run

    # -- running jobs ---------------------------------------------------------------------------

    def _now(self) -> float:
        return self.clock().timestamp()

    def add_task(self, name: str, task: Callable[[], object]) -> None:
        """Run `task` on the demo's tick (and once before each round of `run_once`)."""
        self.tasks[name] = task

    def request(self, job_type: str, requested_by: str | None = None) -> int | None:
        """Queue a run of `job_type`. Without `requested_by` it is a scheduled run: this host's
        for a collector, the store's (any daemon's) for maintenance; either is skipped while
        one is already waiting."""
        if requested_by is not None:
            return self.queue.enqueue(job_type, now=self._now(), requested_by=requested_by)
        if job_type in MAINTENANCE or job_type in SHOP_WIDE:
            # Shop-wide: queued by the fleet's scheduler only, once, for any daemon to run.
            if not self.steward.hold():
                return None
            owner = STORE_SCHEDULE
        else:
            owner = self.scheduled_by
        return self.queue.enqueue(job_type, now=self._now(), requested_by=owner, coalesce=True)

    def work(self, *, retry: bool = True) -> list[RunResult]:
        """Run every job that is due and ours to take, most urgent first."""
        results = []
        while not self.stopping:
            try:
                job = self.queue.claim(self.worker, now=self._now(), scheduled_by=self.scheduled_by)
            except Exception as exc:  # the store is down: jobs wait in it
                self._quiet.error("claim", "cannot take jobs from the store: %s", first_line(exc))
                break
            self._quiet.clear("claim")
            if job is None:
                break
            results.append(self._execute(job, retry=retry))
        return results + self._run_unqueued()

    def _run_unqueued(self) -> list[RunResult]:
        """Scheduled collections the store could not queue, run straight away: the queue must
        not be what stops collection while the store cannot be written. Maintenance waits."""
        due = sorted(self._unqueued & set(COLLECTORS))
        self._unqueued.clear()
        return [self.handlers[name]() for name in due if not self.stopping]

    def _execute(self, job: Job, *, retry: bool) -> RunResult:
        self._job = job
        start = time.perf_counter()
        try:
            result = self.handlers[job.type]()
        except Exception as exc:  # last line of defence: a job's bug is that job's failure
            log.error("%s: failed: %s", job.type, first_line(exc))
            result = RunResult(job.type, 0, 1, time.perf_counter() - start, first_line(exc))
        finally:
            self._job = None
        audit = job.queue == "maintenance" or not job.requested_by.startswith(SCHEDULE_PREFIX)
        try:
            if result.succeeded:
                if not self.queue.complete(
                    job, now=self._now(), result=result.summary(), audit=audit
                ):
                    log.warning(
                        "job %d (%s) was taken back meanwhile; its result is dropped",
                        job.id,
                        job.type,
                    )
            else:
                error = result.error or f"all {result.failures} metrics failed"
                again = retry and result.retry
                state = self.queue.fail(job, error, now=self._now(), retry=again, audit=audit)
                if state == WAITING:
                    log.warning(
                        "%s: attempt %d of %d failed; retrying",
                        job.type,
                        job.attempts,
                        job.max_attempts,
                    )
                elif state is None:
                    log.warning(
                        "job %d (%s) was taken back meanwhile; its failure is dropped",
                        job.id,
                        job.type,
                    )
        except Exception as exc:
            log.error("cannot record job %d (%s): %s", job.id, job.type, first_line(exc))
        return result

    def _run_tasks(self) -> None:
        for name, task in self.tasks.items():
            try:
                task()
            except Exception as exc:
                log.error("%s: failed: %s", name, first_line(exc))

    def request_all(self) -> None:
        """Queue one run of every collector and of the hourly maintenance."""
        for job_type in [*COLLECTORS, *MAINTENANCE]:
            self._safe_request(job_type)

    def run_once(self) -> list[RunResult]:
        """Every collector and maintenance task once, one attempt each, then return."""
        self.steward.adopt(self.alerts, self.catalog.per_host)
        self._run_tasks()
        self.request_all()
        results = self.work(retry=False)
        self.notify(flush=True)  # `--once` delivers what it owes before it exits
        return results

    def run_forever(self, *, poll_seconds: float = 1.0) -> None:
        """Queue every job now and then on its interval, and run what is due, until stopped.

        Requests written by the dashboard or the API are picked up within `poll_seconds`."""
        scheduler = schedule.Scheduler()
        intervals = self.settings.schedule
        for name in COLLECTORS:
            scheduler.every(getattr(intervals, name)).seconds.do(self._safe_request, name)
        for name in MAINTENANCE:
            scheduler.every(intervals.maintenance).seconds.do(self._safe_request, name)
        if self.tasks:
            scheduler.every(self.settings.demo.tick_seconds).seconds.do(self._run_tasks)
        scheduler.every(60).seconds.do(self._take_back_stale)
        # The fleet's scheduler keeps its lease; another daemon takes it once it expires.
        lease_s = self.settings.jobs.scheduler_lease_s
        scheduler.every(max(1, lease_s // 3)).seconds.do(self.steward.renew)
        scheduler.every(HEALTH_EVERY_S).seconds.do(self.steward.duties)
        self.steward.adopt(self.alerts, self.catalog.per_host)
        self._run_tasks()
        self.request_all()
        while not self.stopping and self.fatal is None:
            scheduler.run_pending()
            self.work()
            self.notify()
            # Sleep in short steps so a stop request is honoured within a second, between runs.
            time.sleep(poll_seconds)
        if self.fatal is not None:
            log.critical("stopped: %s", self.fatal)
        else:
            log.info("stop requested: stopped between runs")

    def notify(self, *, flush: bool = False) -> None:
        """Send the notifications that are due, and once a minute record whether each channel
        takes them; a channel's trouble never stops the loop."""
        now = self._now()
        try:
            self.notifier.drain(now, flush=flush)
            due = flush or (self.steward.scheduler and now - self._channels_checked >= 60)
            if self.notifier.channels and due:
                self._channels_checked = now
                states = self.notifier.channel_states(now)
                if self.writer.offer("notifications", states):
                    self._evaluate_alerts({(s.name, s.labels) for s in states.samples})
        except Exception as exc:
            self._quiet.error("notify", "cannot send notifications: %s", first_line(exc))

    @property
    def fatal(self) -> str | None:
        """Why the daemon cannot go on (a corrupt store), or None."""
        return str(self.writer.corrupt) if self.writer.corrupt is not None else None

    def _safe_request(self, job_type: str) -> None:
        try:
            self.request(job_type)
        except Exception as exc:
            self._unqueued.add(job_type)
            self._quiet.error("queue", "cannot queue scheduled runs: %s", first_line(exc))
        else:
            self._quiet.clear("queue")

    def _take_back_stale(self) -> None:
        try:
            taken = self.queue.requeue_stale(
                now=self._now(), timeout_s=self.settings.jobs.stale_after_s
            )
        except Exception as exc:
            log.error("cannot check for stale jobs: %s", first_line(exc))
            return
        if taken:
            log.warning("took back %d jobs left active by a stopped daemon", taken)

    @property
    def stopping(self) -> bool:
        """Whether a stop was asked for (SIGTERM, SIGINT or `stop()`)."""
        return self.stop_request()

    def stop(self) -> None:
        """Finish the run in progress, then return from `run_forever`."""
        self.stop_request.set()

    def close(self) -> None:
        """Write what is still buffered if the store takes it, say what it did not, and release
        the database connections."""
        if not self.writer.flush() and self.writer.unsaved:
            log.warning(
                "stopping with %d buffered samples the history store could not take: %s",
                self.writer.unsaved,
                self.writer.problem or self.fatal or "the store cannot be written",
            )
        self.steward.close()  # a clean stop hands the scheduling over at once
        self.sources.close()
        self.store.close()
