"""The history store on real SQLite files and a real PostgreSQL database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from monitor.errors import StoreError
from monitor.samples import Note, Sample
from monitor.store import SCHEMA_VERSION, HistoryStore

T0 = 1_795_000_000 // 3600 * 3600  # an hour boundary


def test_it_reads_back_what_it_wrote(store: HistoryStore) -> None:
    store.write(
        [Sample("performance.cpuUsage", 12.5, T0), Sample("performance.cpuUsage", 20, T0 + 120)]
    )
    points = store.series("performance.cpuUsage", T0, T0 + 3600)
    assert [(p.ts, p.value) for p in points] == [(T0, 12.5), (T0 + 120, 20.0)]


def test_the_newest_write_of_a_second_wins(store: HistoryStore) -> None:
    store.write([Sample("a.b", 1, T0)])
    store.write([Sample("a.b", 2, T0)])
    assert store.count_samples() == 1
    assert store.series("a.b", T0 - 1, T0 + 1)[0].value == 2


def test_it_rolls_up_hours_and_reads_them_for_long_ranges(store: HistoryStore) -> None:
    store.write([Sample("a.b", float(v), T0 + 600 * v) for v in range(12)])  # two hours
    store.rollup(T0)
    points = store.series("a.b", T0 - 30 * 86400, T0 + 7200)
    assert [(p.ts, p.min, p.value, p.max) for p in points] == [
        (T0, 0.0, 2.5, 5.0),
        (T0 + 3600, 6.0, 8.5, 11.0),
    ]


def test_it_refreshes_a_rollup_hour_when_more_samples_arrive(store: HistoryStore) -> None:
    store.write([Sample("a.b", 1, T0)])
    store.rollup(T0)
    store.write([Sample("a.b", 3, T0 + 60)])
    store.rollup(T0 + 60)
    [point] = store.series("a.b", T0 - 30 * 86400, T0 + 3600)
    assert (point.min, point.value, point.max) == (1, 2, 3)


def test_it_gives_the_latest_value_of_every_series(store: HistoryStore) -> None:
    store.write(
        [
            Sample("a.b", 1, T0),
            Sample("a.b", 2, T0 + 60),
            Sample("p.up", 1, T0, (("probe", "home"),)),
        ]
    )
    store.write([Sample("c.d", 7, T0 - 60)], demo=True)
    latest = store.latest()
    assert latest["a.b"].value == 2 and latest["a.b"].ts == T0 + 60
    assert not latest["a.b"].demo
    assert latest['p.up{probe="home"}'].value == 1
    assert latest["c.d"].demo


def test_it_prunes_raw_samples_but_keeps_rollups(store: HistoryStore) -> None:
    old, new = T0 - 40 * 86400, T0
    store.write([Sample("a.b", 1, old), Sample("a.b", 2, new)])
    store.rollup(old)
    removed = store.prune(T0, raw_days=30, rollup_days=400)
    assert removed["samples"] == 1
    assert store.count_samples() == 1
    assert len(store.series("a.b", old - 3600, new + 1)) == 2  # the year view still has both


def test_it_stores_and_filters_notes(store: HistoryStore) -> None:
    store.write_notes(
        "business",
        [
            Note("business.x", "error", "boom", T0),
            Note("__seo_page", "recommendation", "analyse", T0 + 1),
        ],
    )
    assert [n.text for n in store.notes()] == ["analyse", "boom"]
    assert [n.text for n in store.notes(kinds=["error"])] == ["boom"]
    assert [n.text for n in store.notes(subject="__seo_page")] == ["analyse"]


def test_it_records_its_schema_version(store: HistoryStore) -> None:
    assert store.schema_version() == SCHEMA_VERSION


def test_it_refuses_a_store_from_a_newer_vigie(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite'}"
    HistoryStore(url).close()
    with sqlite3.connect(tmp_path / "h.sqlite") as db:
        db.execute("UPDATE alembic_version SET version_num = '0099'")
    with pytest.raises(StoreError, match="newer than this Vigie"):
        HistoryStore(url)


def test_a_store_from_before_alembic_is_stamped_at_its_version(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite'}"
    HistoryStore(url).close()
    with sqlite3.connect(tmp_path / "h.sqlite") as db:
        db.execute("DROP TABLE alembic_version")  # what a release before Alembic left
    migrated = HistoryStore(url)
    assert migrated.schema_version() == SCHEMA_VERSION
    with sqlite3.connect(tmp_path / "h.sqlite") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (f"{SCHEMA_VERSION:04d}",)
        ]
    migrated.close()


def test_it_uses_wal_and_waits_for_a_busy_writer(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    store = HistoryStore(f"sqlite:///{path}", busy_timeout_s=5)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    import threading

    threading.Timer(0.5, lambda: blocker.execute("COMMIT")).start()
    store.write([Sample("a.b", 1, T0)])  # waits for the lock instead of failing
    assert store.count_samples() == 1
    store.close()
    blocker.close()


def test_it_says_what_to_do_with_an_empty_store_when_asked_not_to_create(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="start the collector daemon"):
        HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}", create=False)


def test_it_explains_an_unreachable_store_without_the_password() -> None:
    with pytest.raises(StoreError) as caught:
        HistoryStore("postgresql+psycopg://vigie:hunter2@127.0.0.1:1/store")
    assert "hunter2" not in str(caught.value)
    assert "cannot open the history store" in str(caught.value)


def test_it_creates_the_data_folder_of_a_new_sqlite_store(tmp_path: Path) -> None:
    store = HistoryStore(f"sqlite:///{tmp_path / 'new' / 'data' / 'history.sqlite'}")
    assert (tmp_path / "new" / "data" / "history.sqlite").exists()
    store.close()


def test_it_rolls_up_only_the_series_asked_for(store: HistoryStore) -> None:
    store.write([Sample("a.b", 1, T0), Sample("c.d", 2, T0)])
    store.rollup(T0, [("a.b", ())])
    year = (T0 - 30 * 86400, T0 + 3600)
    assert [p.value for p in store.series("a.b", *year)] == [1]
    assert store.series("c.d", *year) == []


def test_a_reader_does_not_wait_for_a_busy_writer(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    HistoryStore(f"sqlite:///{path}").close()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        reader = HistoryStore(f"sqlite:///{path}", create=False, busy_timeout_s=1)
        assert reader.latest() == {}
        reader.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_reader_asks_for_the_daemon_to_upgrade_an_older_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite'}"
    HistoryStore(url).close()
    with sqlite3.connect(tmp_path / "h.sqlite") as db:
        db.execute("UPDATE alembic_version SET version_num = '0002'")
    with pytest.raises(StoreError, match="older Vigie"):
        HistoryStore(url, create=False)


def test_it_takes_the_write_lock_before_writing_anything(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    store = HistoryStore(f"sqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    # BEGIN IMMEDIATE holds the lock from the first statement on; a deferred BEGIN would not.
    with store._write(), pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("BEGIN IMMEDIATE")
    other.close()
    store.close()


def test_it_explains_a_data_folder_it_cannot_create(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the folder"):
        HistoryStore(f"sqlite:///{tmp_path / 'file' / 'history.sqlite'}")


V1_TABLES = {"vigie_meta", "series", "samples", "rollup_hourly", "notes", "alembic_version"}
V2_TABLES = V1_TABLES | {"jobs", "job_events", "alerts", "audit"}


def _drop_tables_but(db: sqlite3.Connection, keep: set[str]) -> None:
    """Leave a store of today's schema with only the tables an older version had."""
    names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for name in names:
        if name not in keep and not name.startswith("sqlite_"):
            db.execute(f"DROP TABLE {name}")


def test_it_upgrades_a_version_1_store_and_keeps_its_history(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    url = f"sqlite:///{path}"
    store = HistoryStore(url)
    store.write([Sample("a.b", 1, T0)])
    store.close()
    with sqlite3.connect(path) as db:  # what the first release wrote: no job tables
        _drop_tables_but(db, V1_TABLES)
        db.execute("UPDATE vigie_meta SET value = '1' WHERE key = 'schema_version'")
        db.execute("DROP TABLE alembic_version")
    upgraded = HistoryStore(url)
    assert upgraded.schema_version() == SCHEMA_VERSION
    assert upgraded.count_samples() == 1
    from monitor.jobs import JobQueue

    assert JobQueue(upgraded).enqueue("cleanup", now=T0, requested_by="ops:test") == 1
    upgraded.close()


def test_it_upgrades_a_version_2_store_with_demo_rollups_and_counted_audits(
    tmp_path: Path,
) -> None:
    from monitor.audit import entries, record

    path = tmp_path / "h.sqlite"
    url = f"sqlite:///{path}"
    store = HistoryStore(url)
    store.write([Sample("a.b", 1, T0)], demo=True)
    store.close()
    with sqlite3.connect(path) as db:  # what version 2 wrote
        _drop_tables_but(db, V2_TABLES)
        db.execute("ALTER TABLE rollup_hourly DROP COLUMN demo")
        db.execute("ALTER TABLE audit DROP COLUMN times")
        db.execute("DROP INDEX uq_jobs_waiting_coalesce")  # version 6's
        db.execute("ALTER TABLE jobs DROP COLUMN coalesce_key")
        db.execute("UPDATE vigie_meta SET value = '2' WHERE key = 'schema_version'")
        db.execute("DROP TABLE alembic_version")
    upgraded = HistoryStore(url)
    assert upgraded.schema_version() == SCHEMA_VERSION and upgraded.count_samples() == 1
    upgraded.rollup(T0)
    with upgraded.writing() as conn:
        for _ in range(2):
            record(conn, actor="a", action="m", target="-", outcome="refused", now=T0, burst=True)
    assert [e.times for e in entries(upgraded)] == [2]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT demo FROM rollup_hourly").fetchall() == [(1,)]
    assert upgraded.forget_demo()["samples"] == 1  # its demo history is known as such
    upgraded.close()


def test_optimisation_gives_the_space_of_pruned_samples_back(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    store = HistoryStore(f"sqlite:///{path}")
    store.write([Sample(f"m.{i % 20}", 1.0, T0 + 60 * i) for i in range(100_000)])
    store.optimize()
    full = path.stat().st_size
    store.prune(T0 + 60 * 100_000, raw_days=1, rollup_days=400)
    freed = store.optimize()["bytes_freed"]
    assert path.stat().st_size < full / 5
    assert freed >= full - path.stat().st_size - 4096
    store.close()


def test_daemons_starting_together_create_a_postgresql_store_once(pg_database: str) -> None:
    import threading

    errors: list[BaseException] = []
    opened: list[HistoryStore] = []
    start = threading.Barrier(4)

    def open_store() -> None:
        start.wait()
        try:
            opened.append(HistoryStore(pg_database))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and len(opened) == 4
    assert {s.schema_version() for s in opened} == {SCHEMA_VERSION}
    for store in opened:
        store.close()


def test_it_prunes_old_resolved_alerts_audit_lines_and_orphan_events(store: HistoryStore) -> None:
    from sqlalchemy import insert

    from monitor.alerts.tables import alerts_table
    from monitor.audit import audit_table
    from monitor.jobs.tables import job_events_table

    old, recent = T0 - 500 * 86400, T0 - 86400
    with store.writing() as conn:
        for when, state in ((old, "resolved"), (recent, "resolved"), (old, "open")):
            conn.execute(
                insert(alerts_table).values(
                    rule="r",
                    subject=f"{when}{state}",
                    metric="m",
                    labels="",
                    severity="warning",
                    peak_severity="warning",
                    state=state,
                    message="x",
                    opened_at=when,
                    updated_at=when,
                    resolved_at=when if state == "resolved" else None,
                )
            )
        conn.execute(
            insert(audit_table),
            [
                {"ts": t, "actor": "a", "action": "x", "target": "t", "outcome": "done"}
                for t in (old, recent)
            ],
        )
        conn.execute(insert(job_events_table).values(job_id=999, ts=recent, event="started"))
    from monitor.config import Settings
    from monitor.jobs import JobQueue
    from monitor.jobs.maintenance import cleanup

    # Each concern prunes its own tables; the hourly clean-up runs them all.
    removed = cleanup(store, JobQueue(store), Settings(), now=T0, progress=lambda *_: None)
    assert (removed["alerts"], removed["audit"], removed["job_events"]) == (1, 1, 1)


def test_hourly_rollups_keep_the_demo_mark(store: HistoryStore) -> None:
    store.write([Sample("a.b", 1.0, T0)], demo=True)
    store.write([Sample("c.d", 2.0, T0)])
    store.rollup(T0)
    store.prune(T0 + 40 * 86400, raw_days=30, rollup_days=400)  # the raw samples are gone
    with store.engine.connect() as conn:
        marks: dict[str, int | None] = dict(
            conn.execute(
                text(
                    "SELECT s.name, r.demo FROM rollup_hourly r JOIN series s ON s.id = r.series_id"
                )
            ).all()
        )
    assert marks == {"a.b": 1, "c.d": None}


def test_a_real_shop_starts_on_a_clean_history(store: HistoryStore) -> None:
    store.mark_demo()
    store.write([Sample("business.orders24h", 50.0, T0)], demo=True)
    store.write([Sample("business.orders24h", 51.0, T0 + 60)])  # collected from the demo shop
    store.rollup(T0)
    dropped = store.forget_demo()
    assert dropped["samples"] == 2 and dropped["rollup_hourly"] == 1
    assert store.count_samples() == 0 and store.series_names() == []
    store.write([Sample("business.orders24h", 7.0, T0 + 180)])  # the real shop's own
    assert store.latest()["business.orders24h"].value == 7.0
    assert store.forget_demo() == {}  # once only: the history is the shop's now
    assert store.count_samples() == 1
