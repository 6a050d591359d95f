"""What a failed store operation means for a person: corrupt, unreachable or another failure,
in one line with what to do."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from monitor.errors import StoreCorrupt, StoreError, StoreUnavailable, first_line
from monitor.redaction import redact_url


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite store (None for PostgreSQL or an in-memory database)."""
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" else None


CORRUPT = ("malformed", "not a database", "corrupt")


def is_corrupt(exc: BaseException) -> bool:
    """Whether a store error says the file is damaged (retrying will never help)."""
    text = first_line(exc).lower()
    return any(word in text for word in CORRUPT)


def store_failure(url: str, exc: BaseException) -> StoreError:
    """The error to report for a failed store operation, in one line with what to do: corrupt
    (recover or start anew), unreachable (try again later) or another failure."""
    reason = first_line(exc)
    path = sqlite_path(url)
    if is_corrupt(exc):
        where = str(path) if path else redact_url(url)
        fix = (
            f"stop Vigie, then save what is readable with sqlite3 {path} .dump | sed "
            f"'s/^ROLLBACK; -- due to errors$/COMMIT;/' | sqlite3 {path}.new and move "
            f"{path}.new in its place, or move {path} away to start a new store"
            if path
            else "restore it from a backup or point store.url at a new database"
        )
        return StoreCorrupt(
            f"the history store {where} is corrupt ({reason}): {fix} (README: A corrupt store)"
        )
    if isinstance(exc, OperationalError):
        return StoreUnavailable(f"cannot open the history store {redact_url(url)}: {reason}")
    return StoreError(f"the history store {redact_url(url)} is unreadable: {reason}")
