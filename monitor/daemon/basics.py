"""What the daemon's loop stands on: its clock, the stop flag signals set, what a run did, and
the store it opens (waiting for one that is not up yet)."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.config import Settings
from monitor.errors import StoreUnavailable
from monitor.store import HistoryStore

log = logging.getLogger("vigie.daemon")


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
    """What one run of a job did, for logs, tests and the job's stored result."""

    job: str
    samples: int
    failures: int
    seconds: float
    error: str | None = None
    details: dict[str, int] | None = None
    # The source could not be reached at all: the next scheduled run is the retry.
    retry: bool = True

    @property
    def succeeded(self) -> bool:
        """No error, and not a collection in which every metric failed."""
        return self.error is None and not (self.failures and not self.samples)

    def summary(self) -> dict[str, object]:
        """What the job stores as its result."""
        return {"samples": self.samples, "failures": self.failures, **(self.details or {})}


def store_for(settings: Settings) -> HistoryStore:
    """The history store the settings name, created if new."""
    return HistoryStore(
        settings.store_url,
        busy_timeout_s=settings.store.busy_timeout_s,
        raw_read_max_hours=settings.store.raw_read_max_hours,
        host=settings.host_name,
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
