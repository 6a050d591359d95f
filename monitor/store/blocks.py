"""The samples on PostgreSQL: one row per series and hour (a block), its seconds and values in
two arrays, in monthly partitions (see partitions.py).

Why blocks rather than a row per sample: a row costs PostgreSQL a 24-byte header and an index
entry, and it is the index entry, one B-tree descent and one WAL record each, that made a row
per sample ingest at a third of the speed of a bare COPY. A block of a two-minute series holds
30 samples under one header and one key: about 15 bytes a sample instead of 84, an index 30
times smaller, and a day of a series read as 24 rows. SQLite keeps a row per sample (a single
host's store, where none of this weighs).

A block's `demo` is 1 when any of its samples is demo data (what the hourly rollup keeps);
`demo_last` is the newest sample's mark (what `latest` shows)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import psycopg
from sqlalchemy import Connection

from monitor.samples import Labels, Sample

HOUR = 3600
BULK_FROM = 50  # samples from which a write is a backfill's (an import's): see BULK

COLUMNS = "series_id, hour, secs, vals, demo, demo_last"
CREATE = (
    "CREATE TABLE samples (series_id integer NOT NULL, hour bigint NOT NULL, "
    "secs smallint[] NOT NULL, vals double precision[] NOT NULL, demo smallint, "
    "demo_last smallint, CONSTRAINT samples_pkey PRIMARY KEY (series_id, hour)) "
    "PARTITION BY RANGE (hour)"
)
# A block met again (the hour a backfill ends in, the next collection of the hour): its
# samples and the new ones merged by second, the new one winning a second both have.
_MERGE = (
    "ON CONFLICT (series_id, hour) DO UPDATE SET (secs, vals) = ("
    "SELECT array_agg(m.s ORDER BY m.s), array_agg(m.v ORDER BY m.s) FROM ("
    "SELECT DISTINCT ON (u.s) u.s, u.v FROM ("
    "SELECT a.s, a.v, 0 AS k FROM unnest(x.secs, x.vals) AS a(s, v) UNION ALL "
    "SELECT b.s, b.v, 1 FROM unnest(excluded.secs, excluded.vals) AS b(s, v)) AS u "
    "ORDER BY u.s, u.k DESC) AS m), "
    "demo = GREATEST(x.demo, excluded.demo), "
    "demo_last = CASE WHEN excluded.secs[cardinality(excluded.secs)] >= "
    "x.secs[cardinality(x.secs)] THEN excluded.demo_last ELSE x.demo_last END"
)
UPSERT = (
    f"INSERT INTO samples AS x ({COLUMNS}) VALUES (%s, %s, %s::smallint[], %s::float8[], %s, %s) "
    + _MERGE
)
# A backfill's blocks in one statement, their samples passed as whole arrays (see
# encoding.py): the new ones inserted, the met ones merged, with no look-up first and no race
# with another writer making one of them meanwhile.
BULK = (
    f"INSERT INTO samples AS x ({COLUMNS}) SELECT k.sid, k.hour, "
    "(%(secs)b)[k.first:k.last], (%(vals)b)[k.first:k.last], %(mark)s::smallint, "
    "%(mark)s::smallint FROM unnest(%(sids)b, %(hours)b, %(firsts)b, %(lasts)b) "
    "AS k(sid, hour, first, last) " + _MERGE
)

# The readers' statements; each takes its parameters by name (see rows.py for SQLite's).
_SAMPLES = "FROM samples x CROSS JOIN LATERAL unnest(x.secs, x.vals) AS u(s, v) "
_RANGE = (
    "WHERE x.series_id = %(sid)s AND x.hour >= %(first_hour)s AND x.hour <= %(end)s "
    "AND x.hour + u.s >= %(start)s AND x.hour + u.s <= %(end)s ORDER BY 1"
)
SERIES = f"SELECT x.hour + u.s, u.v, u.v, u.v {_SAMPLES}{_RANGE}"
VALUES = f"SELECT x.hour + u.s, u.v {_SAMPLES}{_RANGE}"
HOURLY = (
    "SELECT hour, avg, min, max FROM rollup_hourly WHERE series_id = %(sid)s "
    "AND hour >= %(first_hour)s AND hour <= %(end)s ORDER BY hour"
)
# The newest `count` blocks hold the newest `count` samples (a block has at least one).
RECENT = (
    "SELECT u.v FROM (SELECT hour, secs, vals FROM samples WHERE series_id = %(sid)s "
    "ORDER BY hour DESC LIMIT %(count)s) x CROSS JOIN LATERAL unnest(x.secs, x.vals) AS u(s, v) "
    "ORDER BY x.hour + u.s DESC LIMIT %(count)s"
)
NEWEST = (
    "SELECT hour + secs[cardinality(secs)] FROM samples WHERE series_id = %(sid)s "
    "ORDER BY hour DESC LIMIT 1"
)
# Only the block of `now`'s own hour can hold samples after `now`: two blocks are enough.
CURRENT = (
    "SELECT u.v FROM (SELECT hour, secs, vals FROM samples WHERE series_id = %(sid)s "
    "AND hour <= %(now)s ORDER BY hour DESC LIMIT 2) x "
    "CROSS JOIN LATERAL unnest(x.secs, x.vals) AS u(s, v) WHERE x.hour + u.s <= %(now)s "
    "ORDER BY x.hour + u.s DESC LIMIT 1"
)
LATEST = (
    "SELECT s.name, s.labels, x.hour + x.secs[cardinality(x.secs)], "
    "x.vals[cardinality(x.vals)], x.demo_last FROM series s CROSS JOIN LATERAL ("
    "SELECT hour, secs, vals, demo_last FROM samples WHERE series_id = s.id "
    "ORDER BY hour DESC LIMIT 1) x ORDER BY s.name, s.labels"
)
ROLLUP = (
    "INSERT INTO rollup_hourly (series_id, hour, min, avg, max, count, demo) "
    "SELECT x.series_id, x.hour, MIN(u.v), AVG(u.v), MAX(u.v), COUNT(*), MAX(x.demo) "
    "FROM samples x CROSS JOIN LATERAL unnest(x.vals) AS u(v) WHERE {where} "
    "GROUP BY x.series_id, x.hour "
    "ON CONFLICT (series_id, hour) DO UPDATE SET min = excluded.min, avg = excluded.avg, "
    "max = excluded.max, count = excluded.count, demo = excluded.demo"
)
ROLLUP_FROM = "x.hour >= :start"
COUNT = "SELECT COALESCE(SUM(cardinality(secs)), 0) FROM samples"
# Retention: the blocks wholly before the cut, then what the cut leaves of the hour it falls in.
PRUNE_WHOLE = (
    "DELETE FROM samples WHERE hour < %(before)s "
    "AND hour + secs[cardinality(secs)] < %(before)s RETURNING cardinality(secs)"
)
PRUNE_PART = (
    "WITH cut AS (SELECT series_id, hour, cardinality(secs) AS had FROM samples "
    "WHERE hour < %(before)s AND hour + secs[1] < %(before)s) "
    "UPDATE samples x SET (secs, vals) = (SELECT array_agg(u.s ORDER BY u.s), "
    "array_agg(u.v ORDER BY u.s) FROM unnest(x.secs, x.vals) AS u(s, v) "
    "WHERE x.hour + u.s >= %(before)s) FROM cut "
    "WHERE x.series_id = cut.series_id AND x.hour = cut.hour "
    "RETURNING cut.had - cardinality(x.secs)"
)


def write(
    conn: Connection,
    samples: Sequence[Sample],
    ids: Mapping[tuple[str, Labels], int],
    demo: bool,
) -> None:
    """Store `samples` inside the caller's transaction: a collection's few blocks by UPSERT,
    a backfill's many by BULK. KeyError: a series without its id."""
    if len(samples) < BULK_FROM:
        conn.exec_driver_sql(UPSERT, _few(samples, ids, 1 if demo else None))
        return
    from monitor.store import encoding  # numpy: loaded by a backfill, not by a collection

    params: dict[str, object] = {**encoding.Blocks(samples, ids).params()}
    params["mark"] = 1 if demo else None
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    encoding.register(driver)
    conn.exec_driver_sql(BULK, params)  # a month without its partition: IntegrityError


def _few(
    samples: Sequence[Sample], ids: Mapping[tuple[str, Labels], int], mark: int | None
) -> list[tuple[object, ...]]:
    """A small write's blocks as UPSERT's parameters; of two samples of a series' second, the
    later one."""
    found: dict[tuple[int, int], dict[int, float]] = {}
    for name, value, ts, labels in samples:
        second = int(ts)
        hour = second - second % HOUR
        found.setdefault((ids[name, labels], hour), {})[second - hour] = value
    rows: list[tuple[object, ...]] = []
    for (sid, hour), by_second in found.items():
        secs = sorted(by_second)
        rows.append((sid, hour, secs, [float(by_second[s]) for s in secs], mark, mark))
    return rows
