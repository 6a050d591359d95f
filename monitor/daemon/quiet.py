"""How the daemon speaks in trouble: one line per cause, then at most one a minute."""

from __future__ import annotations

import logging
import time

from monitor.samples import Note

log = logging.getLogger("vigie.daemon")


class QuietLog:
    """One error line when a trouble starts, then at most one a minute while it lasts."""

    def __init__(self, every_s: float = 60.0) -> None:
        self.every_s = every_s
        self._said: dict[str, float] = {}

    def error(self, key: str, message: str, *args: object) -> None:
        now = time.monotonic()
        if now - self._said.get(key, -self.every_s) >= self.every_s:
            log.error(message, *args)
            self._said[key] = now

    def clear(self, key: str) -> None:
        self._said.pop(key, None)


def log_failures(collector: str, failures: list[Note]) -> None:
    """One warning per cause, with what it affected: a database that is down is one line."""
    by_cause: dict[str, list[str]] = {}
    for note in failures:
        by_cause.setdefault(note.text, []).append(note.subject)
    for cause, subjects in by_cause.items():
        more = f" and {len(subjects) - 1} more" if len(subjects) > 1 else ""
        log.warning("%s: %s%s failed: %s", collector, subjects[0], more, cause)
