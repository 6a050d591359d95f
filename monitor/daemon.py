"""The collector daemon: runs each collector on its interval and writes what it got to the store."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import schedule

from monitor.collectors import COLLECTORS
from monitor.config import Settings, redact_url
from monitor.errors import StoreUnavailable
from monitor.samples import Collection, Note, Sample
from monitor.sources import Sources
from monitor.store import HistoryStore

log = logging.getLogger("vigie.daemon")

Clock = Callable[[], datetime]
# Samples kept in memory while the store cannot be written; beyond this the oldest are dropped.
MAX_PENDING_SAMPLES = 200_000


def utc_now() -> datetime:
    """The production clock: aware UTC."""
    return datetime.now(UTC)


class StopRequest:
    """Set by SIGTERM or SIGINT and read between steps; the handler does nothing else."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self) -> bool:
        return self.requested

    def set(self, *_args: object) -> None:
        self.requested = True

    def install(self) -> None:
        """Route SIGTERM and SIGINT to this flag."""
        signal.signal(signal.SIGTERM, self.set)
        signal.signal(signal.SIGINT, self.set)


@dataclass
class RunResult:
    """What one run of a job did, for logs and tests."""

    job: str
    samples: int
    failures: int
    seconds: float
    error: str | None = None


def store_for(settings: Settings) -> HistoryStore:
    """The history store the settings name, created if new."""
    return HistoryStore(
        settings.store_url,
        busy_timeout_s=settings.store.busy_timeout_s,
        raw_read_max_hours=settings.store.raw_read_max_hours,
    )


def open_store(
    settings: Settings, *, stopping: Callable[[], bool] = lambda: False, retry_seconds: float = 10.0
) -> HistoryStore | None:
    """Open the history store, waiting for it while it is unreachable (a PostgreSQL store that
    starts after Vigie); None if asked to stop meanwhile. Other store errors are raised."""
    while True:
        try:
            return store_for(settings)
        except StoreUnavailable as exc:
            log.error("%s; retrying in %.0f s", exc, retry_seconds)
        deadline = time.monotonic() + retry_seconds
        while time.monotonic() < deadline:
            if stopping():
                return None
            time.sleep(0.2)


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
        self._pending_samples: list[Sample] = []
        self._pending_notes: list[tuple[str, Note]] = []
        self.jobs: dict[str, Callable[[], RunResult]] = {
            name: self._collector_job(name) for name in COLLECTORS
        }
        self.jobs["maintenance"] = self.maintain

    # -- jobs -----------------------------------------------------------------------------------

    def _collector_job(self, name: str) -> Callable[[], RunResult]:
        return lambda: self.collect(name)

    def collect(self, name: str) -> RunResult:
        """Run one collector and store what it produced."""
        start = time.perf_counter()
        try:
            collection = COLLECTORS[name](self.sources, self.clock())
        except Exception as exc:  # a collector bug must not stop the daemon
            log.error("%s: collector failed: %s: %s", name, type(exc).__name__, _one_line(exc))
            return RunResult(name, 0, 1, time.perf_counter() - start, _one_line(exc))
        for note in collection.failures:
            log.warning("%s: %s failed: %s", name, note.subject, note.text)
        stored = self._store(name, collection)
        result = RunResult(
            name,
            len(collection.samples),
            len(collection.failures),
            time.perf_counter() - start,
            None if stored else "store unavailable",
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

    def _store(self, collector: str, collection: Collection) -> bool:
        self._pending_samples.extend(collection.samples)
        self._pending_notes.extend((collector, n) for n in collection.notes)
        del self._pending_samples[:-MAX_PENDING_SAMPLES]
        del self._pending_notes[:-10_000]
        try:
            self.store.write(self._pending_samples)
            by_collector: dict[str, list[Note]] = {}
            for source, note in self._pending_notes:
                by_collector.setdefault(source, []).append(note)
            for source, notes in by_collector.items():
                self.store.write_notes(source, notes)
            if self._pending_samples:
                self.store.rollup(
                    min(s.ts for s in self._pending_samples),
                    {(s.name, s.labels) for s in self._pending_samples},
                )
        except Exception as exc:  # any store failure: keep the data, retry on the next run
            log.error(
                "store %s: write failed, will retry: %s", redact_url(self.store.url), _one_line(exc)
            )
            return False
        self._pending_samples.clear()
        self._pending_notes.clear()
        return True

    def maintain(self) -> RunResult:
        """Hourly upkeep: retention of raw samples, rollups and notes."""
        start = time.perf_counter()
        cfg = self.settings.store
        try:
            removed = self.store.prune(
                self.clock().timestamp(),
                raw_days=cfg.raw_retention_days,
                rollup_days=cfg.rollup_retention_days,
            )
        except Exception as exc:
            log.error("maintenance failed: %s", _one_line(exc))
            return RunResult("maintenance", 0, 1, time.perf_counter() - start, str(exc))
        log.info("maintenance: removed %s", ", ".join(f"{v} {k}" for k, v in removed.items()))
        return RunResult("maintenance", 0, 0, time.perf_counter() - start)

    def add_job(self, name: str, job: Callable[[], RunResult], *, first: bool = False) -> None:
        """Register another job (the demo's simulator); `first` runs it before the collectors."""
        self.jobs = {name: job, **self.jobs} if first else {**self.jobs, name: job}

    # -- running --------------------------------------------------------------------------------

    def intervals(self) -> dict[str, int]:
        """Seconds between runs for each job."""
        configured = self.settings.schedule.model_dump()
        return {name: configured.get(name, self.settings.demo.tick_seconds) for name in self.jobs}

    def run_once(self) -> list[RunResult]:
        """Run every job once, in registry order."""
        return [self._run(name) for name in self.jobs if not self.stopping]

    def _run(self, name: str) -> RunResult:
        try:
            return self.jobs[name]()
        except Exception as exc:  # last line of defence for the loop
            log.error("%s: failed: %s", name, _one_line(exc))
            return RunResult(name, 0, 1, 0.0, str(exc))

    def run_forever(self, *, poll_seconds: float = 1.0) -> None:
        """Run every job now, then each on its interval until `stop()` (or SIGTERM)."""
        scheduler = schedule.Scheduler()
        for name, seconds in self.intervals().items():
            scheduler.every(seconds).seconds.do(self._run, name)
        self.run_once()
        while not self.stopping:
            scheduler.run_pending()
            # Sleep in short steps so a stop request is honoured within a second, between runs.
            time.sleep(min(poll_seconds, max(scheduler.idle_seconds or 0.0, 0.05)))
        log.info("stop requested: stopped between runs")

    @property
    def stopping(self) -> bool:
        return self.stop_request()

    def stop(self) -> None:
        """Finish the run in progress, then return from `run_forever`."""
        self.stop_request.set()

    def close(self) -> None:
        """Release the database connections."""
        self.sources.close()
        self.store.close()


def _one_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__
