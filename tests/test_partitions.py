"""The samples on PostgreSQL, partitioned by month: partitions made as months come (and for
old months a write reaches), retention that drops whole months, and the automatic upgrade of
a store made before partitions, with nothing lost."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, text

from monitor.samples import Sample
from monitor.store import SCHEMA_VERSION, HistoryStore, blocks, migrate
from monitor.store.partitions import existing, is_partitioned, month_of, name_of

DAY = 86400
NOW = int(datetime(2026, 12, 1, 12, tzinfo=UTC).timestamp())
CPU = "performance.cpuUsage"


def _hourly(first: int, last: int) -> list[Sample]:
    return [Sample(CPU, float(ts % 97), ts) for ts in range(first, last, 3600)]


def test_months_get_their_partitions_and_retention_drops_whole_months(pg_database: str) -> None:
    store = HistoryStore(pg_database)
    samples = _hourly(NOW - 75 * DAY, NOW)  # mid-September to December
    store.write(samples)
    with store.engine.connect() as conn:
        assert is_partitioned(conn)
        months = sorted(existing(conn).values())
    assert months[:4] == ["samples_202609", "samples_202610", "samples_202611", "samples_202612"]
    assert [p.value for p in store.series(CPU, NOW - 75 * DAY, NOW, raw=True)] == [
        s.value for s in samples
    ]
    # Thirty days of raw samples: September and October are dropped whole, November's older
    # days deleted; the count is exact either way.
    before = NOW - 30 * DAY
    expected = sum(1 for s in samples if s.ts < before)
    assert store.prune(NOW, raw_days=30, rollup_days=400)["samples"] == expected
    with store.engine.connect() as conn:
        left = sorted(existing(conn).values())
        six_hours = {"sid": 1, "start": NOW - 6 * 3600, "first_hour": NOW - 6 * 3600, "end": NOW}
        plan = conn.exec_driver_sql(f"EXPLAIN {blocks.SERIES}", six_hours).scalars()
        scanned = " ".join(plan)
    assert "samples_202609" not in left and "samples_202610" not in left
    assert "samples_202611" in left
    assert store.count_samples() == len(samples) - expected
    # Six hours of December read December's partition only.
    assert "samples_202612" in scanned and "samples_202611" not in scanned
    store.close()


def test_a_write_to_a_month_another_daemon_dropped_makes_it_again(pg_database: str) -> None:
    mine, theirs = HistoryStore(pg_database), HistoryStore(pg_database)
    mine.write(_hourly(NOW - 40 * DAY, NOW - 39 * DAY))  # October: this process knows it
    theirs.prune(NOW, raw_days=30, rollup_days=400)  # … and the other one drops it
    mine.write(_hourly(NOW - 40 * DAY, NOW - 39 * DAY))  # an import of old figures, say
    assert mine.count_samples() == 24
    with mine.engine.connect() as conn:
        assert name_of(month_of(NOW - 40 * DAY)) in existing(conn).values()
    mine.close()
    theirs.close()


def test_a_store_from_before_partitions_is_upgraded_with_every_sample(pg_database: str) -> None:
    engine = create_engine(pg_database)
    with engine.connect() as conn, conn.begin():
        command.upgrade(migrate._config(conn), "0008")  # the schema Vigie had before
    old = _hourly(NOW - 100 * DAY, NOW - 90 * DAY) + _hourly(NOW - 3 * DAY, NOW)
    with engine.connect() as conn, conn.begin():
        conn.execute(text("INSERT INTO series (id, name, labels) VALUES (1, :n, '')"), {"n": CPU})
        conn.execute(
            text("INSERT INTO samples (series_id, ts, value) VALUES (1, :ts, :value)"),
            [{"ts": s.ts, "value": s.value} for s in old],
        )
        assert not is_partitioned(conn)
    store = HistoryStore(pg_database)  # the daemon's start: migrations run by themselves
    assert store.schema_version() == SCHEMA_VERSION
    with store.engine.connect() as conn:
        assert is_partitioned(conn)
        months = set(existing(conn).values())
    # The months that hold samples, this one and the next; not every month in between.
    assert {"samples_202608", "samples_202609", "samples_202611", "samples_202612"} <= months
    assert "samples_202610" not in months
    assert [p.value for p in store.series(CPU, NOW - 101 * DAY, NOW, raw=True)] == [
        s.value for s in old
    ]
    store.close()
    engine.dispose()


def test_a_backfill_replaces_what_it_meets_and_keeps_the_demo_mark(
    pg_database: str,
) -> None:
    store = HistoryStore(pg_database)
    first = _hourly(NOW - 10 * DAY, NOW)  # 240 samples: a backfill's one statement
    store.write(first, demo=True)
    assert store.latest()[CPU].demo
    again = [s._replace(value=s.value + 1000) for s in first[-100:]]
    store.write(again)  # meets 100 stored samples: the upsert writes them instead
    assert store.count_samples() == len(first)
    values = [p.value for p in store.series(CPU, NOW - 10 * DAY, NOW, raw=True)]
    assert values == [s.value for s in first[:-100]] + [s.value for s in again]
    assert not store.latest()[CPU].demo  # the newer, real reading replaced the demo's
    store.close()
