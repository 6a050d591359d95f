"""PostgreSQL-specific table health: counts from statistics, locks, recommendations."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from monitor.collectors import database_health
from monitor.config import Thresholds
from monitor.sources import Sources
from tests.reference_shop import EXPECTED_COUNTS, NOW, fill_reference_shop


@pytest.fixture
def pg_shop(pg_database: str) -> str:
    fill_reference_shop(pg_database)
    return pg_database


def _counts(settings) -> tuple[dict[str, float], list]:
    sources = Sources.from_settings(settings)
    try:
        collection = database_health.collect(sources, NOW)
    finally:
        sources.close()
    return {s.name: s.value for s in collection.samples}, collection.notes


def test_it_counts_large_tables_from_statistics_not_count(pg_shop: str, settings_for) -> None:
    engine = create_engine(pg_shop, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        # Pretend the planner saw five million rows and the activity counters were reset:
        # a count(*) would say 8, the statistics say 5,000,000.
        conn.execute(
            text("SELECT pg_stat_reset_single_table_counters('__sitemap_p_link'::regclass)")
        )
        conn.execute(
            text("UPDATE pg_class SET reltuples = 5000000 WHERE oid = '__sitemap_p_link'::regclass")
        )
    engine.dispose()
    got, _ = _counts(settings_for(pg_shop, source={"url": pg_shop, "exact_count_below": 100000}))
    assert got["database.__sitemap_p_link.recordCount"] == 5_000_000
    assert got["database.___xtr_customer.recordCount"] == 5  # small: exact count


def test_it_counts_exactly_and_advises_analyze_when_never_analysed(
    pg_shop: str, settings_for
) -> None:
    engine = create_engine(pg_shop, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_stat_reset_single_table_counters('__seo_page'::regclass)"))
        conn.execute(text("UPDATE pg_class SET reltuples = -1 WHERE oid = '__seo_page'::regclass"))
    engine.dispose()
    got, notes = _counts(settings_for(pg_shop, source={"url": pg_shop, "exact_count_below": 1}))
    assert got["database.__seo_page.recordCount"] == 8
    assert any(n.subject == "__seo_page" and "ANALYZE" in n.text for n in notes)


def test_it_skips_a_table_held_by_an_exclusive_lock_without_waiting(
    pg_shop: str, settings_for
) -> None:
    locker = create_engine(pg_shop)
    with locker.connect() as conn:
        conn.execute(text("LOCK TABLE __sitemap_p_link IN ACCESS EXCLUSIVE MODE"))
        start = time.monotonic()
        got, notes = _counts(settings_for(pg_shop))
        elapsed = time.monotonic() - start
        conn.rollback()
    locker.dispose()
    assert "database.__sitemap_p_link.recordCount" not in got
    assert "database.__sitemap_p_link.accessible" not in got
    assert got["database.___xtr_order.recordCount"] == EXPECTED_COUNTS["___xtr_order"]
    skipped = [n for n in notes if n.kind == "skipped"]
    assert [n.subject for n in skipped] == ["__sitemap_p_link"]
    assert elapsed < 3  # well under the 5 s statement timeout: it did not queue behind the lock


def test_it_recommends_vacuum_and_an_index_from_statistics() -> None:
    advice = database_health.recommendations(
        count=50_000,
        query_ms=3,
        thresholds=Thresholds(),
        reltuples=50_000,
        live=50_000,
        dead=20_000,
        seq_scan=900,
        idx_scan=10,
    )
    assert any("VACUUM" in a for a in advice)
    assert any("index" in a for a in advice)
    assert (
        database_health.recommendations(
            count=50_000,
            query_ms=3,
            thresholds=Thresholds(),
            reltuples=50_000,
            live=50_000,
            dead=100,
            seq_scan=5,
            idx_scan=900,
        )
        == []
    )


def test_it_runs_queries_read_only(pg_shop: str, settings_for) -> None:
    sources = Sources.from_settings(settings_for(pg_shop))
    from monitor.errors import SourceError

    with sources.database.connect() as conn, pytest.raises(SourceError, match="read-only"):
        sources.database.query(conn, "DELETE FROM ___xtr_customer")
    sources.close()


def test_it_stops_a_slow_probe_at_the_statement_timeout(pg_shop: str, settings_for) -> None:
    settings = settings_for(
        pg_shop,
        source={
            "url": pg_shop,
            "statement_timeout_ms": 300,
            "critical_tables": ["___xtr_order", "__seo_page"],
            "table_probes": {"___xtr_order": "SELECT pg_sleep(5)"},
        },
    )
    sources = Sources.from_settings(settings)
    start = time.monotonic()
    try:
        collection = database_health.collect(sources, NOW)
    finally:
        sources.close()
    elapsed = time.monotonic() - start
    got = {s.name: s.value for s in collection.samples}
    assert elapsed < 3
    assert got["database.___xtr_order.accessible"] == 0
    assert "statement timeout" in collection.failures[0].text
    assert got["database.__seo_page.recordCount"] == EXPECTED_COUNTS["__seo_page"]


def test_it_trusts_the_planner_when_activity_counters_were_reset(
    pg_shop: str, settings_for
) -> None:
    insert = (
        "INSERT INTO __sitemap_p_link (map_id, map_pg_alias, map_pg_id, map_marque_alias, "
        "map_marque_id, map_has_item) SELECT i, 'a', 1, 'b', 1, 1 FROM generate_series({}) AS i"
    )
    engine = create_engine(pg_shop, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        # autovacuum's own ANALYZE would race with the figures set below.
        conn.execute(text("ALTER TABLE __sitemap_p_link SET (autovacuum_enabled = false)"))
        conn.execute(text(insert.format("100, 200099")))
        conn.execute(text("ANALYZE __sitemap_p_link"))
        # Tell a planner figure apart from a count(*) (200,018): double what ANALYZE saw.
        conn.execute(
            text(
                "UPDATE pg_class SET reltuples = 2 * reltuples "
                "WHERE oid = '__sitemap_p_link'::regclass"
            )
        )
        conn.execute(
            text("SELECT pg_stat_reset_single_table_counters('__sitemap_p_link'::regclass)")
        )
        conn.execute(text(insert.format("300000, 300009")))
        conn.execute(text("SELECT pg_stat_force_next_flush()"))
    engine.dispose()
    got, _ = _counts(settings_for(pg_shop))
    assert got["database.__sitemap_p_link.recordCount"] == pytest.approx(400_016, rel=0.01)


def test_it_skips_a_table_whose_exclusive_lock_is_still_queued(pg_shop: str, settings_for) -> None:
    # A reader holds the table; an ALTER queues for its exclusive lock; everyone after the
    # ALTER queues too. Vigie must give up after its lock timeout, not join the queue.
    import threading

    reader, alterer = create_engine(pg_shop), create_engine(pg_shop)
    with reader.connect() as holding:
        holding.execute(text("SELECT 1 FROM ___xtr_customer LIMIT 1"))
        queued = threading.Thread(target=_alter, args=(alterer,), daemon=True)
        queued.start()
        time.sleep(0.5)
        start = time.monotonic()
        got, notes = _counts(settings_for(pg_shop))
        elapsed = time.monotonic() - start
        holding.rollback()
    queued.join(10)
    reader.dispose()
    alterer.dispose()
    assert "database.___xtr_customer.recordCount" not in got
    assert got["database.___xtr_order.recordCount"] == EXPECTED_COUNTS["___xtr_order"]
    assert [n.subject for n in notes if n.kind == "skipped"] == ["___xtr_customer"]
    assert elapsed < 3


def _alter(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE ___xtr_customer ADD COLUMN vigie_probe INTEGER"))


def test_it_keeps_the_tables_statistics_as_metrics(pg_shop: str, settings_for) -> None:
    engine = create_engine(pg_shop, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(
            text(
                "DELETE FROM ___xtr_order WHERE ord_id IN (SELECT ord_id FROM ___xtr_order LIMIT 2)"
            )
        )
        conn.execute(text("ANALYZE ___xtr_order"))
    engine.dispose()
    time.sleep(0.7)  # the statistics collector reports a moment later
    got, _ = _counts(settings_for(pg_shop))
    assert got["database.___xtr_order.deadRows"] == 2
    engine = create_engine(pg_shop)
    with engine.connect() as conn:
        live = conn.scalar(
            text("SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = '___xtr_order'")
        )
    engine.dispose()
    assert got["database.___xtr_order.liveRows"] == live
    assert 0 <= got["database.___xtr_order.analyzeAge"] < 60
    assert "database.___xtr_order.seqScans" in got and "database.___xtr_order.indexScans" in got


def test_it_advises_on_unused_and_duplicate_indexes_without_touching_them(
    pg_shop: str, settings_for
) -> None:
    engine = create_engine(pg_shop, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("CREATE INDEX ix_order_total ON ___xtr_order (ord_total_ttc)"))
        conn.execute(text("CREATE INDEX ix_order_date_a ON ___xtr_order (ord_date)"))
        conn.execute(text("CREATE INDEX ix_order_date_b ON ___xtr_order (ord_date)"))
        conn.execute(text("SELECT pg_stat_reset()"))
    settings = settings_for(pg_shop, thresholds={"unused_index_min_bytes": 0})
    _, notes = _counts(settings)
    said = [n.text for n in notes if n.subject == "___xtr_order" and n.kind == "recommendation"]
    assert any(
        t.startswith("Index ix_order_total on ___xtr_order (")
        and "`DROP INDEX CONCURRENTLY ix_order_total;`" in t
        for t in said
    ), said
    # The shop already indexes ord_date: both copies duplicate it, and it is the one kept.
    for copy in ("ix_order_date_a", "ix_order_date_b"):
        assert any(f"{copy} on ___xtr_order duplicates ix____xtr_order_ord_date" in t for t in said)
    assert not any(
        t.startswith("Index ix____xtr_order_ord_date on ___xtr_order duplicates") for t in said
    )
    # The primary key is never advised away, used or not.
    assert not any("pkey" in t for t in said)
    with engine.connect() as conn:  # advice only: every index is still there
        names = set(
            conn.scalars(text("SELECT indexname FROM pg_indexes WHERE tablename = '___xtr_order'"))
        )
    engine.dispose()
    assert {"ix_order_total", "ix_order_date_a", "ix_order_date_b"} <= names
