"""The samples on SQLite: a row per sample, keyed by series and second (a single host's store:
see blocks.py for PostgreSQL's). The readers' statements take their parameters by name, as
blocks.py's do, so the store reads either with the same call."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

_RANGE = "FROM samples WHERE series_id = :sid AND ts >= :start AND ts <= :end ORDER BY ts"
SERIES = f"SELECT ts, value, value, value {_RANGE}"
VALUES = f"SELECT ts, value {_RANGE}"
HOURLY = (
    "SELECT hour, avg, min, max FROM rollup_hourly WHERE series_id = :sid "
    "AND hour >= :first_hour AND hour <= :end ORDER BY hour"
)
RECENT = "SELECT value FROM samples WHERE series_id = :sid ORDER BY ts DESC LIMIT :count"
NEWEST = "SELECT MAX(ts) FROM samples WHERE series_id = :sid"
CURRENT = "SELECT value FROM samples WHERE series_id = :sid AND ts <= :now ORDER BY ts DESC LIMIT 1"
LATEST = (
    "SELECT s.name, s.labels, x.ts, x.value, x.demo FROM series s JOIN samples x "
    "ON x.series_id = s.id AND x.ts = (SELECT MAX(ts) FROM samples WHERE series_id = s.id) "
    "ORDER BY s.name, s.labels"
)
ROLLUP = (
    "INSERT INTO rollup_hourly (series_id, hour, min, avg, max, count, demo) "
    "SELECT series_id, (ts / 3600) * 3600, MIN(value), AVG(value), MAX(value), COUNT(*), "
    "MAX(demo) FROM samples x WHERE {where} GROUP BY series_id, (ts / 3600) * 3600 "
    "ON CONFLICT (series_id, hour) DO UPDATE SET min = excluded.min, "
    "avg = excluded.avg, max = excluded.max, count = excluded.count, demo = excluded.demo"
)
ROLLUP_FROM = "x.ts >= :start"
COUNT = "SELECT COUNT(*) FROM samples"


def write(conn: Connection, rows: Sequence[tuple[int, int, float]], demo: bool) -> None:
    """Store (series id, ts, value) rows; a second value for a series' second replaces it."""
    columns, marks = "series_id, ts, value", "?, ?, ?"
    if demo:
        columns, marks = columns + ", demo", marks + ", 1"
    # The driver's executemany: SQLAlchemy's per-row dict handling would cost ~3x here.
    conn.exec_driver_sql(f"INSERT OR REPLACE INTO samples ({columns}) VALUES ({marks})", rows)
