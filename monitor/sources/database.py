"""The monitored database, treated as production: read-only, short timeouts, pooled connections."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, DateTime, Engine, bindparam, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from monitor.config import SourceConfig
from monitor.errors import SourceError, SourceUnavailable, failure_kind, first_line
from monitor.redaction import redact_url

_PARAM = re.compile(r"(?<!:):(since|now)\b")


class SourceDatabase:
    """Runs Vigie's read-only queries on the shop's database.

    PostgreSQL sessions are opened with `default_transaction_read_only`, a statement timeout, a
    lock timeout and a connect timeout; SQLite connections are `query_only` and interrupted past
    the statement timeout. Connections are pooled and checked before use, so the collector picks up
    by itself when the database comes back.
    """

    def __init__(self, url: str, config: SourceConfig | None = None) -> None:
        self.config = config or SourceConfig()
        self.url = url
        self.display_url = redact_url(url)
        self.engine: Engine = self._make_engine(url)
        self.dialect = self.engine.dialect.name

    def _make_engine(self, url: str) -> Engine:
        cfg = self.config
        if url.startswith("sqlite"):
            engine = create_engine(_sqlite_no_create(url))
            event.listen(engine, "connect", _sqlite_guard(cfg.statement_timeout_ms))
            event.listen(engine, "before_cursor_execute", _sqlite_arm_deadline)
            return engine
        # connect_args replace the URL's own `options`, so a search_path set there is kept here.
        parsed = make_url(url)
        options = " ".join(
            filter(
                None,
                [
                    str(parsed.query.get("options") or ""),
                    "-c default_transaction_read_only=on",
                    f"-c statement_timeout={cfg.statement_timeout_ms}",
                    f"-c lock_timeout={cfg.lock_timeout_ms}",
                    # :since and :now are UTC; a timestamptz column must read them as UTC too.
                    "-c timezone=UTC",
                ],
            )
        )
        return create_engine(
            parsed.difference_update_query(["options"]),
            pool_size=cfg.pool_size,
            max_overflow=0,
            pool_pre_ping=True,
            pool_recycle=1800,
            pool_timeout=cfg.connect_timeout_s,
            connect_args={
                "connect_timeout": cfg.connect_timeout_s,
                "options": options,
                "application_name": "vigie-collector",
            },
        )

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A pooled connection; a failure to connect raises SourceUnavailable with one line."""
        try:
            conn = self.engine.connect()
        except SQLAlchemyError as exc:
            raise SourceUnavailable(
                f"cannot reach {self.display_url}: {self.describe(exc)}",
                kind=failure_kind(exc, "unreachable"),
            ) from None
        with conn:
            yield conn

    def query(
        self, conn: Connection, sql: str, params: Mapping[str, Any] | None = None
    ) -> list[Any]:
        """Run one read-only statement in its own transaction and return all rows.

        A failure rolls back that transaction only, so the next metric on the same connection
        still runs; it raises SourceError (or SourceUnavailable if the connection died)."""
        statement = text(sql)
        # Only the parameters the statement names: a driver may reject extra ones.
        bound = {k: v for k, v in (params or {}).items() if f":{k}" in sql}
        if self.dialect == "sqlite":
            # The shop keeps times as 'YYYY-MM-DD HH:MM:SS' text: compare like with like, or an
            # order placed exactly at :since would sort before it.
            bound = {k: _sqlite_time(v) for k, v in bound.items()}
        else:
            used = set(_PARAM.findall(sql))
            statement = statement.bindparams(*(bindparam(n, type_=DateTime()) for n in used))
        try:
            with conn.begin():
                if self.dialect == "postgresql":
                    conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                return [tuple(row) for row in conn.execute(statement, bound)]
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise SourceUnavailable(
                    f"lost {self.display_url}: {self.describe(exc)}",
                    kind=failure_kind(exc, "connection lost"),
                ) from None
            raise SourceError(
                self.describe(exc),
                getattr(exc.orig, "sqlstate", None),
                kind=failure_kind(exc, "query failed"),
            ) from None
        except SQLAlchemyError as exc:
            raise SourceError(self.describe(exc), kind=failure_kind(exc, "query failed")) from None

    def scalar(
        self, conn: Connection, sql: str, params: Mapping[str, Any] | None = None
    ) -> float | None:
        """The first column of the first row as a float, or None for NULL or no row."""
        rows = self.query(conn, sql, params)
        if not rows or rows[0][0] is None:
            return None
        return _number(rows[0][0])

    def describe(self, exc: BaseException) -> str:
        """One line about a database error, with any secret masked."""
        return first_line(exc)

    def close(self) -> None:
        self.engine.dispose()


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float | Decimal):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SourceError(f"query returned {value!r}, not a number") from None


def _sqlite_time(value: Any) -> Any:
    return value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else value


def sql_params(now: datetime) -> dict[str, datetime]:
    """The bind parameters every metric query may use: the collection time, 24 h before, and
    the day's start (midnight UTC), as naive UTC datetimes (an aware `now` in any zone is
    converted first)."""
    if now.tzinfo is not None:
        now = now.astimezone(UTC)
    now = now.replace(microsecond=0, tzinfo=None)
    today = now.replace(hour=0, minute=0, second=0)
    return {"now": now, "since": now - timedelta(hours=24), "today": today}


def _sqlite_no_create(url: str) -> str:
    """The same SQLite file opened with mode=rw: a wrong path is an error, not a new empty file."""
    parsed = make_url(url)
    path = parsed.database
    if not path or path == ":memory:" or parsed.query.get("uri"):
        return url
    return f"sqlite:///file:{quote(path)}?mode=rw&uri=true"


# SQLite has no statement timeout: a progress handler aborts a statement past its deadline.
def _sqlite_guard(timeout_ms: int) -> Any:
    def on_connect(dbapi_connection: sqlite3.Connection, record: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only = ON")
        dbapi_connection.execute("PRAGMA busy_timeout = 2000")
        # When the running statement started; kept with the pooled connection, gone with it.
        started = record.info["vigie_started"] = [0.0]
        timeout_s = timeout_ms / 1000

        def over_deadline() -> int:
            return 1 if time.monotonic() > started[0] + timeout_s else 0

        dbapi_connection.set_progress_handler(over_deadline, 20_000)

    return on_connect


def _sqlite_arm_deadline(conn: Any, *_args: Any) -> None:
    conn.info["vigie_started"][0] = time.monotonic()
