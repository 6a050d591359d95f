"""The daemon's way into the store: a bounded in-memory buffer that outlives store outages.

What a collector produced is written at once when the store takes it; while it does not (disk
full, read-only folder, PostgreSQL down) the samples wait here, newest kept, and go in with the
next write that works. The cause is logged once when it starts, then once a minute at most, and
said in words ("the disk holding data/history.sqlite is full"). A corrupt store is not a passing
outage: `corrupt` holds the one-line error with what to do, and the daemon stops on it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy.exc import DataError, IntegrityError

from monitor.errors import StoreCorrupt, first_line
from monitor.health import store_unwritable
from monitor.samples import Collection, Labels, Note, Sample
from monitor.store import HistoryStore, store_failure

log = logging.getLogger("vigie.daemon")

# Samples kept in memory while the store cannot be written; beyond this the oldest are dropped.
MAX_PENDING_SAMPLES = 200_000
MAX_PENDING_NOTES = 10_000
REPEAT_EVERY_S = 60.0


class StoreWriter:
    """See the module's docstring."""

    def __init__(
        self,
        store: HistoryStore,
        *,
        capacity: int = MAX_PENDING_SAMPLES,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.capacity = capacity
        self.monotonic = monotonic
        self.samples: list[Sample] = []
        self.notes: list[tuple[str, Note]] = []
        self.dropped = 0  # samples pushed out of a full buffer since the outage began
        self.problem: str | None = None
        self.corrupt: StoreCorrupt | None = None
        self._said_at = 0.0

    def offer(self, collector: str, collection: Collection) -> bool:
        """Buffer what a collector produced and try to write everything buffered; True when
        the store took it all."""
        self.samples.extend(collection.samples)
        self.notes.extend((collector, n) for n in collection.notes)
        over = len(self.samples) - self.capacity
        if over > 0:
            self.dropped += over
            del self.samples[:over]
        del self.notes[:-MAX_PENDING_NOTES]
        return self.flush()

    def flush(self) -> bool:
        """Write what is buffered; True when nothing is left."""
        if self.corrupt is not None:
            return False
        if not self.samples and not self.notes:
            return True
        try:
            self._write()
        except (DataError, IntegrityError) as exc:
            # Data the store can never take (not a passing outage): drop it, keep collecting.
            log.error("store rejected %d samples, dropped: %s", len(self.samples), first_line(exc))
            self._clear()
            return False
        except Exception as exc:  # keep the data, try again with the next write
            self._failed(exc)
            return False
        if self.problem is not None:
            lost = f"; {self.dropped} older samples did not fit the buffer" if self.dropped else ""
            log.warning("history store writable again: buffered samples written%s", lost)
            self.problem, self.dropped = None, 0
        self._clear()
        return True

    @property
    def unsaved(self) -> int:
        """Samples waiting in memory."""
        return len(self.samples)

    def _write(self) -> None:
        self.store.write(self.samples)
        by_collector: dict[str, list[Note]] = {}
        for source, note in self.notes:
            by_collector.setdefault(source, []).append(note)
        for source, notes in by_collector.items():
            self.store.write_notes(source, notes)
        if self.samples:
            series: set[tuple[str, Labels]] = {(s.name, s.labels) for s in self.samples}
            self.store.rollup(min(s.ts for s in self.samples), series)

    def _clear(self) -> None:
        self.samples.clear()
        self.notes.clear()

    def _failed(self, exc: Exception) -> None:
        failure = store_failure(self.store.url, exc)
        if isinstance(failure, StoreCorrupt):
            self.corrupt = failure
            log.critical("%s", failure)
            return
        cause = store_unwritable(self.store.url) or (
            f"the history store cannot be written: {first_line(exc)}"
        )
        now = self.monotonic()
        if cause != self.problem or now - self._said_at >= REPEAT_EVERY_S:
            log.error(
                "store_unwritable: %s; collecting on, %d samples kept in memory (room for %d)",
                cause,
                len(self.samples),
                self.capacity,
            )
            self._said_at = now
        self.problem = cause
