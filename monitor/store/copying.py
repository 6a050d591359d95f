"""Ingest on PostgreSQL through COPY: many times the rows per second of an INSERT per row.
COPY cannot replace a sample already stored for the same series and second, so it runs in a
savepoint, and a batch that meets one (an emergency run in the very second of a scheduled one),
or that COPY refuses for any other reason, is written by the caller's upsert instead."""

from __future__ import annotations

from collections.abc import Sequence

import psycopg.errors
from sqlalchemy import Connection


def copied(conn: Connection, rows: Sequence[tuple[int, int, float]], demo: bool) -> bool:
    """COPY `rows` (series id, ts, value) into the samples inside the caller's transaction;
    False, with nothing written, when one of them is already stored."""
    savepoint = conn.begin_nested()
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    columns = "series_id, ts, value, demo" if demo else "series_id, ts, value"
    types = ["int4", "int8", "float8", "int2"] if demo else ["int4", "int8", "float8"]
    try:
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY samples ({columns}) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.set_types(types)  # binary: no text to format here nor to parse there
            if demo:
                for row in rows:
                    copy.write_row((*row, 1))
            else:
                for row in rows:
                    copy.write_row(row)
    except psycopg.Error:
        # A stored second, or anything else COPY refused (a month without its partition): the
        # caller's INSERT writes it, or says why in SQLAlchemy's terms the callers handle.
        savepoint.rollback()
        return False
    savepoint.commit()
    return True
