"""PostgreSQL's samples as blocks of an hour: every read answers what SQLite's row a sample
answers, after the same writes (a backfill's in one statement, a collection's by UPSERT; in and
out of order, repeated seconds, demo marks, retention cutting an hour); an existing store moves
into its blocks and back with every sample."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from monitor.samples import Labels, Sample, labels_json
from monitor.store import SCHEMA_VERSION, HistoryStore, levels, migrate
from monitor.store.partitions import ensure, months_between

T0 = 1_796_000_000 // 3600 * 3600 - 20 * 86400  # mid-November 2026 (December starts within)
SERIES: list[tuple[str, Labels]] = [
    ("performance.cpuUsage", (("host", "web-1"),)),
    ("performance.cpuUsage", (("host", "web-2"),)),
    ("business.orders24h", ()),
    ("database.order.recordCount", (("table", "order"),)),
]


def _writes(seed: int) -> list[tuple[list[Sample], bool]]:
    """Batches as a fleet and its imports send them: a backfill (one statement), collections (a few
    samples), a batch with a second twice, one out of order, one over stored samples, demo."""
    rng = random.Random(seed)
    batches: list[tuple[list[Sample], bool]] = []
    for first in range(T0, T0 + 30 * 86400, 3 * 86400):  # crosses into December
        batch = [
            Sample(name, round(rng.uniform(0, 100), 3), ts, labels)
            for ts in range(first + rng.randrange(0, 3600), first + 3 * 86400, 600)
            for name, labels in SERIES
            if rng.random() < 0.9
        ]
        rng.shuffle(batch)  # out of order within a write
        batches.append((batch, rng.random() < 0.3))
    for _ in range(60):
        name, labels = rng.choice(SERIES)
        ts = T0 + rng.randrange(0, 30 * 86400)
        size = rng.choice([1, 3, 8, 60])  # small ones UPSERT, large ones in one statement
        batch = [
            Sample(name, round(rng.uniform(0, 100), 3), ts + rng.randrange(-7200, 7200), labels)
            for _ in range(size)
        ]
        batch.append(batch[0]._replace(value=-1.0))  # the same second twice: the later wins
        batches.append((batch, rng.random() < 0.2))
    # The newest hour: demo data then a real reading after it (the newest is real), and a real
    # reading then demo data before it (the newest stays real), and the other way round.
    end = T0 + 31 * 86400
    (a, la), (b, lb), (c, lc), _ = SERIES
    batches += [
        ([Sample(a, 1.0, end + 60, la)], True),
        ([Sample(a, 2.0, end + 120, la)], False),
        ([Sample(b, 3.0, end + 120, lb)], False),
        ([Sample(b, 4.0, end + 60, lb)], True),
        ([Sample(c, 5.0, end + 60, lc)], False),
        ([Sample(c, 6.0, end + 120, lc)], True),
    ]
    return batches


def _reads(store: HistoryStore) -> dict[str, object]:
    found: dict[str, object] = {"count": store.count_samples()}
    for name, labels in SERIES:
        key = f"{name}{labels}"
        found[f"{key} all"] = store.series(name, T0 - 86400, T0 + 40 * 86400, labels, raw=True)
        found[f"{key} hour"] = store.values(name, T0 + 86400 + 1234, T0 + 86400 + 4321, labels)
        found[f"{key} recent"] = store.recent_values(name, 45, labels)
        found[f"{key} newest"] = store.newest_ts(name, labels)
        found[f"{key} hourly"] = store.series(name, T0, T0 + 40 * 86400, labels, raw=False)
        with store.engine.connect() as conn:
            found[f"{key} levels"] = levels(conn, name, labels_json(labels), T0 + 10 * 86400 + 17)
    found["latest"] = store.latest_series()
    return found


@pytest.mark.parametrize("seed", [1, 2])
def test_blocks_read_exactly_as_rows_after_the_same_writes(
    seed: int, tmp_path: Path, pg_database: str
) -> None:
    rows, blocked = HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}"), HistoryStore(pg_database)
    for store in (rows, blocked):
        for batch, demo in _writes(seed):
            store.write(batch, demo=demo)
        store.rollup(T0)
    expected = _reads(rows)
    assert rows.count_samples() > 10_000
    assert _reads(blocked) == expected
    # Retention cutting through an hour (and through November): the same samples go.
    cut = T0 + 12 * 86400 + 1800 + 7
    removed = rows.prune(cut + 3 * 86400, raw_days=3, rollup_days=400)["samples"]
    assert blocked.prune(cut + 3 * 86400, raw_days=3, rollup_days=400)["samples"] == removed
    assert removed > 0
    assert _reads(blocked) == _reads(rows)
    rows.close()
    blocked.close()


def test_two_writers_filling_the_same_blocks_at_once_lose_nothing(pg_database: str) -> None:
    # Two daemons backfilling the same hours together (one the even minutes, one the odd):
    # every block is made by one and met by the other, some while the first has not committed.
    first, second = HistoryStore(pg_database), HistoryStore(pg_database)
    first.write([Sample("a.b", 0.0, T0)])
    second.write([Sample("a.b", 0.0, T0)])  # both know the series: the race is on the blocks

    def backfill(store: HistoryStore, parity: int) -> None:
        for day in range(6):
            start = T0 + day * 86400
            store.write(
                [Sample("a.b", float(ts), ts) for ts in range(start, start + 86400, 60)][parity::2]
            )

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(backfill, (first, second), (0, 1)))
    values = first.values("a.b", T0, T0 + 6 * 86400)
    assert values == [(ts, float(ts)) for ts in range(T0, T0 + 6 * 86400, 60)]
    first.close()
    second.close()


def test_the_samples_on_postgresql_are_blocks_of_an_hour(pg_database: str) -> None:
    store = HistoryStore(pg_database)
    store.write([Sample("a.b", float(i), T0 + 120 * i) for i in range(90)])  # three hours
    with store.engine.connect() as conn:
        columns = conn.execute(
            text(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = 'samples' ORDER BY ordinal_position"
            )
        ).all()
        stored = conn.execute(text("SELECT hour, cardinality(secs) FROM samples")).all()
    assert columns == [
        ("series_id", "integer"),
        ("hour", "bigint"),
        ("secs", "ARRAY"),
        ("vals", "ARRAY"),
        ("demo", "smallint"),
        ("demo_last", "smallint"),
    ]
    assert sorted(stored) == [(T0, 30), (T0 + 3600, 30), (T0 + 7200, 30)]
    store.close()


def test_a_store_of_rows_moves_into_blocks_and_back_with_every_sample(pg_database: str) -> None:
    engine = create_engine(pg_database)
    with engine.connect() as conn, conn.begin():
        command.upgrade(migrate._config(conn), "0011")  # a row a sample, by month
    old = [(ts, float(ts % 97)) for ts in range(T0 - 40 * 86400, T0 + 86400, 1800)]
    with engine.connect() as conn, conn.begin():
        conn.execute(text("INSERT INTO series (id, name, labels) VALUES (1, 'a.b', '')"))
        ensure(conn, months_between(old[0][0], old[-1][0]))
        conn.execute(
            text("INSERT INTO samples (series_id, ts, value, demo) VALUES (1, :ts, :v, :d)"),
            [{"ts": ts, "v": v, "d": 1 if ts < T0 else None} for ts, v in old],
        )
    store = HistoryStore(pg_database)  # the daemon's start upgrades it
    assert store.schema_version() == SCHEMA_VERSION
    assert store.values("a.b", 0, T0 + 86400) == old
    assert not store.latest()["a.b"].demo  # the newest sample was a real one
    store.close()
    with engine.connect() as conn, conn.begin():
        command.downgrade(migrate._config(conn), "0011")
    with engine.connect() as conn:
        back = conn.execute(text("SELECT ts, value FROM samples ORDER BY ts")).all()
    assert [tuple(r) for r in back] == old
    engine.dispose()
