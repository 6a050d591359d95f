"""Vigie's exceptions: each carries a one-line message a person can act on.

Each also has a `kind`: a few words on what went wrong, never where (no host, user, port, file
or database name), for answers anybody may read, such as the unauthenticated health checks.
"""

from __future__ import annotations

import re

from monitor.redaction import redact


class VigieError(Exception):
    """Base of every error Vigie reports to a person instead of a traceback."""

    kind = "failed"

    def __init__(self, message: str, *, kind: str | None = None) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind


class ConfigError(VigieError):
    """A setting is wrong; the message names the key, the value and what is allowed."""

    kind = "misconfigured"


class StoreError(VigieError):
    """The history store cannot be opened, read or written."""

    kind = "unreadable"


class StoreUnavailable(StoreError):
    """The history store cannot be reached right now; trying again later may work."""

    kind = "unreachable"


class StoreCorrupt(StoreError):
    """The history store's file is damaged: retrying will not help, recovering will."""

    kind = "corrupt"


class SourceError(VigieError):
    """The monitored database failed a query or cannot be reached."""

    kind = "query failed"

    def __init__(
        self, message: str, sqlstate: str | None = None, *, kind: str | None = None
    ) -> None:
        super().__init__(message, kind=kind)
        self.sqlstate = sqlstate  # PostgreSQL's error code, e.g. 55P03 for a lock timeout


class SourceUnavailable(SourceError):
    """The monitored database cannot be reached at all."""

    kind = "unreachable"


def first_line(exc: BaseException) -> str:
    """The first line of an error (the driver's own for a database error), secrets masked and
    at most 300 characters: what a log line, a note or an answer shows of it."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return redact(lines[0] if lines else type(orig).__name__)[:300]


# What a driver's message says, in words that name no host, user, port or database.
_KINDS = [
    (
        re.compile(r"password|authentication|pg_hba|role .* does not exist", re.I),
        "authentication failed",
    ),
    (
        re.compile(r"database .* does not exist|unable to open database file", re.I),
        "database not found",
    ),
    (re.compile(r"disk image is malformed|file is not a database|malformed", re.I), "corrupt"),
    (re.compile(r"database or disk is full|no space left", re.I), "disk full"),
    (
        re.compile(r"readonly database|read-only file system|permission denied", re.I),
        "not writable",
    ),
    (re.compile(r"timeout|timed out|canceling statement", re.I), "timed out"),
    (
        re.compile(r"too many (connections|clients)|remaining connection slots", re.I),
        "too many connections",
    ),
    (
        re.compile(r"could not translate host|name or service not known|nodename", re.I),
        "host not found",
    ),
    (
        re.compile(r"refused|could not connect|connection failed|server closed|terminat", re.I),
        "connection refused",
    ),
    (re.compile(r"locked|busy", re.I), "busy"),
]


def failure_kind(exc: BaseException, default: str | None = None) -> str:
    """The kind of a failure in a few words fit for anyone: a Vigie error's own kind, or the
    driver's message classified (authentication failed, connection refused, timed out, …)."""
    text = first_line(exc)
    for pattern, kind in _KINDS:
        if pattern.search(text):
            return kind
    if isinstance(exc, VigieError):
        return exc.kind
    return default or "failed"
