"""Vigie's exceptions: each carries a one-line message a person can act on."""

from __future__ import annotations

from monitor.redaction import redact


class VigieError(Exception):
    """Base of every error Vigie reports to a person instead of a traceback."""


class ConfigError(VigieError):
    """A setting is wrong; the message names the key, the value and what is allowed."""


class StoreError(VigieError):
    """The history store cannot be opened, read or written."""


class StoreUnavailable(StoreError):
    """The history store cannot be reached right now; trying again later may work."""


class SourceError(VigieError):
    """The monitored database failed a query or cannot be reached."""

    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate  # PostgreSQL's error code, e.g. 55P03 for a lock timeout


class SourceUnavailable(SourceError):
    """The monitored database cannot be reached at all."""


def first_line(exc: BaseException) -> str:
    """The first line of an error (the driver's own for a database error), secrets masked and
    at most 300 characters: what a log line, a note or an answer shows of it."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return redact(lines[0] if lines else type(orig).__name__)[:300]
