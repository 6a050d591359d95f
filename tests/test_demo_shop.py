"""The demo shop: its five tables, realistic volumes and shares, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import sqlalchemy as sa

from monitor.config import DEFAULT_TABLE_PROBES
from monitor.demo.shop import (
    CUSTOMERS,
    SEO_PAGES,
    SHOP_METADATA,
    SITEMAP_LINKS,
    NotOurDatabase,
    ShopExistsError,
    ShopSummary,
    create_shop,
    demo_url,
    shop_exists,
)
from monitor.demo.trade import activity

NOW = datetime(2026, 11, 25, 11, 0, 0)
SCALE = 0.01
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TABLES = {"___xtr_customer", "___xtr_order", "___xtr_order_line", "__sitemap_p_link", "__seo_page"}

# A link serves a page when its aliases are set, its ids positive, it has items, and no other
# row already has its URL: the healthy share counts distinct URLs among the sound rows.
HEALTHY_SHARE_SQL = """
SELECT 100.0 * (SELECT COUNT(*) FROM (
    SELECT DISTINCT map_pg_alias, map_pg_id, map_marque_alias, map_marque_id,
           map_modele_alias, map_modele_id, map_type_alias, map_type_id
    FROM __sitemap_p_link
    WHERE map_pg_alias <> '' AND map_marque_alias <> '' AND map_modele_alias <> ''
      AND map_type_alias <> '' AND map_pg_id > 0 AND map_marque_id > 0 AND map_modele_id > 0
      AND map_type_id > 0 AND map_has_item > 0) AS healthy)
  / (SELECT COUNT(*) FROM __sitemap_p_link)
"""
OPTIMIZED_SHARE_SQL = """
SELECT 100.0 * SUM(CASE WHEN NOT noindex AND LENGTH(title) BETWEEN 10 AND 70
                         AND LENGTH(meta_description) BETWEEN 50 AND 160 THEN 1 ELSE 0 END)
  / COUNT(*)
FROM __seo_page
"""


class Shop(NamedTuple):
    url: str
    summary: ShopSummary
    seconds: float


def query(url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def scalar(url: str, sql: str, **params: Any) -> Any:
    return query(url, sql, **params)[0][0]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    url = demo_url(tmp_path_factory.mktemp("shop"))
    started = time.perf_counter()
    summary = create_shop(url, scale=SCALE, now=NOW, progress=False)
    return Shop(url, summary, time.perf_counter() - started)


@contextmanager
def fresh_pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped on exit."""
    name = f"vigie_demo_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(scope="module")
def pg_shop() -> Iterator[Shop]:
    with fresh_pg_database() as url:
        started = time.perf_counter()
        summary = create_shop(url, scale=0.005, now=NOW, progress=False)
        yield Shop(url, summary, time.perf_counter() - started)


# -- SQLite -------------------------------------------------------------------------------------


def test_it_declares_the_five_shop_tables() -> None:
    assert set(SHOP_METADATA.tables) == TABLES


def test_it_creates_the_five_tables(shop: Shop) -> None:
    engine = sa.create_engine(shop.url)
    try:
        assert set(sa.inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_it_writes_rows_in_proportion_to_the_scale(shop: Shop) -> None:
    counted = {table: scalar(shop.url, f"SELECT COUNT(*) FROM {table}") for table in TABLES}
    assert counted == shop.summary.by_table()
    assert shop.summary.customers == round(CUSTOMERS * SCALE)
    assert shop.summary.sitemap_links == round(SITEMAP_LINKS * SCALE)
    assert shop.summary.seo_pages == round(SEO_PAGES * SCALE)
    # ~150 orders a day over a year, 1 to 4 lines each.
    assert 400 <= shop.summary.orders <= 650
    assert 1.5 <= shop.summary.order_lines / shop.summary.orders <= 2.1


def test_it_takes_well_under_five_seconds_at_a_hundredth_of_the_scale(shop: Shop) -> None:
    assert shop.seconds < 5


def test_it_keeps_about_95_percent_of_sitemap_links_healthy(shop: Shop) -> None:
    assert 93 <= scalar(shop.url, HEALTHY_SHARE_SQL) <= 97


def test_it_optimizes_about_85_percent_of_seo_pages(shop: Shop) -> None:
    assert 80 <= scalar(shop.url, OPTIMIZED_SHARE_SQL) <= 90


def test_it_keeps_about_three_quarters_of_customers_active(shop: Shop) -> None:
    share = scalar(
        shop.url, "SELECT AVG(CASE WHEN cst_activ = '1' THEN 1.0 ELSE 0 END) FROM ___xtr_customer"
    )
    assert 0.70 <= share <= 0.82


def test_it_signs_customers_up_over_five_years(shop: Shop) -> None:
    first, last = query(
        shop.url, "SELECT MIN(cst_date_add), MAX(cst_date_add) FROM ___xtr_customer"
    )[0]
    assert str(NOW - timedelta(days=5 * 365)) <= first < str(NOW - timedelta(days=4 * 365))
    assert str(NOW - timedelta(days=30)) <= last <= str(NOW)


def test_it_places_orders_in_the_year_before_now(shop: Shop) -> None:
    first, last = query(shop.url, "SELECT MIN(ord_date), MAX(ord_date) FROM ___xtr_order")[0]
    assert str(NOW - timedelta(days=365)) <= first < str(NOW - timedelta(days=350))
    assert str(NOW - timedelta(days=10)) <= last < str(NOW)


def test_it_orders_more_by_day_than_by_night(shop: Shop) -> None:
    hours = query(
        shop.url,
        "SELECT CAST(strftime('%H', ord_date) AS INTEGER), COUNT(*) FROM ___xtr_order GROUP BY 1",
    )
    by_hour = dict(hours)
    night = sum(by_hour.get(h, 0) for h in range(1, 6))
    late_morning = sum(by_hour.get(h, 0) for h in range(9, 14))
    assert late_morning > 4 * night


def test_it_writes_order_totals_as_text_with_two_decimals(shop: Shop) -> None:
    money = re.compile(r"^\d+\.\d{2}$")
    rows = query(
        shop.url, "SELECT ord_total_ht, ord_total_ttc, ord_shipping_cost FROM ___xtr_order"
    )
    for ht, ttc, shipping in rows:
        assert money.match(ht) and money.match(ttc) and money.match(shipping)
        assert abs(float(ht) * 1.2 - float(ttc)) <= 0.01
    paid_basket = scalar(
        shop.url,
        "SELECT AVG(CAST(ord_total_ttc AS REAL)) FROM ___xtr_order WHERE ord_is_pay = '1'",
    )
    assert 95 <= paid_basket <= 145


def test_it_makes_order_totals_the_sum_of_their_lines(shop: Shop) -> None:
    rows = query(
        shop.url,
        "SELECT o.ord_total_ttc, o.ord_shipping_cost, "
        "SUM(l.orl_art_quantity * CAST(l.orl_art_price_sell_ttc AS REAL)), COUNT(*) "
        "FROM ___xtr_order o JOIN ___xtr_order_line l ON l.orl_ord_id = o.ord_id "
        "GROUP BY o.ord_id",
    )
    assert len(rows) == scalar(shop.url, "SELECT COUNT(*) FROM ___xtr_order")
    for ttc, shipping, goods, lines in rows:
        assert abs(float(ttc) - float(shipping) - goods) < 0.005
        assert 1 <= lines <= 4


def test_it_pays_about_85_percent_of_orders(shop: Shop) -> None:
    paid = scalar(
        shop.url, "SELECT AVG(CASE WHEN ord_is_pay = '1' THEN 1.0 ELSE 0 END) FROM ___xtr_order"
    )
    assert 0.78 <= paid <= 0.92
    assert (
        scalar(
            shop.url,
            "SELECT COUNT(*) FROM ___xtr_order WHERE ord_is_pay = '0' AND ord_date_pay IS NOT NULL",
        )
        == 0
    )


def test_it_sets_order_statuses_by_age(shop: Shop) -> None:
    statuses = dict(query(shop.url, "SELECT ord_ords_id, COUNT(*) FROM ___xtr_order GROUP BY 1"))
    assert set(statuses) <= {"1", "2", "3", "4", "5"}
    # A year of history: most orders were delivered, unpaid old ones were cancelled.
    assert statuses["4"] > statuses.get("5", 0) > statuses.get("1", 0)


def test_it_stores_sqlite_timestamps_as_text_to_the_second(shop: Shop) -> None:
    stamp = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
    for table, column in [
        ("___xtr_customer", "cst_date_add"),
        ("___xtr_order", "ord_date"),
        ("___xtr_order", "ord_date_pay"),
        ("__seo_page", "updated_at"),
    ]:
        rows = query(shop.url, f"SELECT typeof({column}), {column} FROM {table} "
                     f"WHERE {column} IS NOT NULL LIMIT 50")  # fmt: skip
        assert rows
        assert all(kind == "text" and stamp.match(value) for kind, value in rows)


def test_it_compares_stored_dates_with_bound_datetimes(shop: Shop) -> None:
    since = NOW - timedelta(days=30)
    dates = [row[0] for row in query(shop.url, "SELECT ord_date FROM ___xtr_order")]
    expected = sum(1 for d in dates if datetime.fromisoformat(d) >= since)
    orders = SHOP_METADATA.tables["___xtr_order"]
    engine = sa.create_engine(shop.url)
    try:
        with engine.connect() as conn:
            typed = conn.execute(
                sa.select(sa.func.count()).where(orders.c.ord_date >= since)
            ).scalar()
            untyped = conn.execute(
                sa.text("SELECT COUNT(*) FROM ___xtr_order WHERE ord_date >= :since"),
                {"since": since},
            ).scalar()
    finally:
        engine.dispose()
    assert typed == untyped == expected > 0


def test_it_reads_stored_timestamps_back_as_datetimes(shop: Shop) -> None:
    customers = SHOP_METADATA.tables["___xtr_customer"]
    engine = sa.create_engine(shop.url)
    try:
        with engine.connect() as conn:
            joined = conn.execute(sa.select(sa.func.min(customers.c.cst_date_add))).scalar()
    finally:
        engine.dispose()
    assert isinstance(joined, datetime)
    assert NOW - timedelta(days=5 * 365) <= joined < NOW


def test_it_builds_sitemap_links_from_slugs(shop: Shop) -> None:
    slug = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
    rows = query(
        shop.url,
        "SELECT map_pg_alias, map_marque_alias, map_modele_alias, map_type_alias "
        "FROM __sitemap_p_link WHERE map_pg_alias <> '' AND map_marque_alias <> ''",
    )
    assert all(slug.match(alias) for row in rows for alias in row)
    assert ("plaquette-de-frein", 402) in query(
        shop.url, "SELECT DISTINCT map_pg_alias, map_pg_id FROM __sitemap_p_link"
    )


def test_it_gives_each_seo_page_a_unique_product_url(shop: Shop) -> None:
    urls = [row[0] for row in query(shop.url, "SELECT url FROM __seo_page")]
    assert len(set(urls)) == len(urls)
    page = re.compile(
        r"^/pieces/[a-z0-9-]+-\d+/[a-z0-9-]+-\d+/[a-z0-9-]+-\d+/[a-z0-9-]+-\d+\.html$"
    )
    assert all(page.match(url) for url in urls)


def test_it_sets_the_sqlite_file_to_wal(shop: Shop) -> None:
    assert scalar(shop.url, "PRAGMA journal_mode") == "wal"


def test_it_serves_every_default_table_probe_from_an_index(shop: Shop) -> None:
    for table, sql in DEFAULT_TABLE_PROBES.items():
        assert isinstance(sql, str)
        plan = " | ".join(str(row[-1]) for row in query(shop.url, f"EXPLAIN QUERY PLAN {sql}"))
        # A sort of its own would mean a full scan: the probe reads the newest rows in order.
        assert "TEMP B-TREE" not in plan, (table, plan)


def test_it_refuses_to_create_the_shop_twice(shop: Shop) -> None:
    with pytest.raises(ShopExistsError) as refused:
        create_shop(shop.url, scale=0.001, now=NOW, progress=False)
    message = str(refused.value)
    assert "\n" not in message and "replace=True" in message
    assert scalar(shop.url, "SELECT COUNT(*) FROM ___xtr_customer") == shop.summary.customers


def test_it_replaces_the_shop_when_asked(tmp_path: Path) -> None:
    url = demo_url(tmp_path)
    create_shop(url, scale=0.002, now=NOW, progress=False)
    summary = create_shop(url, scale=0.001, now=NOW, progress=False, replace=True)
    assert scalar(url, "SELECT COUNT(*) FROM ___xtr_customer") == summary.customers == 59


def test_it_leaves_empty_shop_tables_it_did_not_make_alone(tmp_path: Path) -> None:
    url = demo_url(tmp_path)
    engine = sa.create_engine(url)
    SHOP_METADATA.create_all(engine)
    engine.dispose()
    with pytest.raises(NotOurDatabase):
        create_shop(url, scale=0.001, now=NOW, progress=False, replace=True)
    assert scalar(url, "SELECT COUNT(*) FROM __seo_page") == 0


def test_it_makes_the_same_shop_from_the_same_seed_and_clock(tmp_path: Path) -> None:
    def dump(url: str) -> list[list[tuple[Any, ...]]]:
        return [query(url, f"SELECT * FROM {table} ORDER BY 1") for table in sorted(TABLES)]

    first, second, other = (f"sqlite:///{tmp_path / name}.sqlite" for name in "abc")
    create_shop(first, scale=0.002, seed=7, now=NOW, progress=False)
    create_shop(second, scale=0.002, seed=7, now=NOW, progress=False)
    create_shop(other, scale=0.002, seed=8, now=NOW, progress=False)
    assert dump(first) == dump(second)
    assert dump(first) != dump(other)


def test_it_says_whether_the_shop_exists(tmp_path: Path) -> None:
    url = demo_url(tmp_path / "data")
    assert not shop_exists(url)
    assert not (tmp_path / "data").exists()  # asking does not create the file
    create_shop(url, scale=0.001, now=NOW, progress=False)
    assert shop_exists(url)


def test_it_does_not_count_empty_tables_as_a_shop(tmp_path: Path) -> None:
    url = demo_url(tmp_path)
    engine = sa.create_engine(url)
    SHOP_METADATA.create_all(engine)
    engine.dispose()
    assert not shop_exists(url)


def test_it_puts_the_demo_shop_in_the_data_folder() -> None:
    assert demo_url(Path("/var/lib/vigie")) == "sqlite:////var/lib/vigie/demo_shop.sqlite"
    assert demo_url(Path("data")) == "sqlite:///data/demo_shop.sqlite"


def test_it_rejects_a_scale_that_is_not_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="scale"):
        create_shop(demo_url(tmp_path), scale=0, progress=False)


def test_it_follows_a_daily_rhythm_averaging_one_over_a_week() -> None:
    monday = datetime(2026, 11, 23)
    week = [activity(monday + timedelta(minutes=m)) for m in range(7 * 24 * 60)]
    assert sum(week) / len(week) == pytest.approx(1.0, abs=0.01)
    noon, three, nine_pm = (activity(monday.replace(hour=h)) for h in (12, 3, 21))
    assert three < 0.2 < 1.2 < noon < nine_pm


# -- PostgreSQL -----------------------------------------------------------------------------------


def test_it_creates_the_shop_on_postgresql(pg_shop: Shop) -> None:
    counted = {table: scalar(pg_shop.url, f"SELECT COUNT(*) FROM {table}") for table in TABLES}
    assert counted == pg_shop.summary.by_table()
    assert pg_shop.summary.customers == round(CUSTOMERS * 0.005)
    assert pg_shop.summary.sitemap_links == round(SITEMAP_LINKS * 0.005)
    assert pg_shop.summary.seo_pages == round(SEO_PAGES * 0.005)
    assert 180 <= pg_shop.summary.orders <= 340


def test_it_keeps_the_same_shares_on_postgresql(pg_shop: Shop) -> None:
    assert 93 <= scalar(pg_shop.url, HEALTHY_SHARE_SQL) <= 97
    assert 78 <= scalar(pg_shop.url, OPTIMIZED_SHARE_SQL) <= 92
    first, last = query(pg_shop.url, "SELECT MIN(ord_date), MAX(ord_date) FROM ___xtr_order")[0]
    assert NOW - timedelta(days=365) <= first and last < NOW


def test_it_uses_timestamp_and_boolean_columns_on_postgresql(pg_shop: Shop) -> None:
    types = dict(
        query(
            pg_shop.url,
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE column_name IN ('ord_date', 'ord_date_pay', 'cst_date_add', 'noindex')",
        )
    )
    assert types == {
        "ord_date": "timestamp without time zone",
        "ord_date_pay": "timestamp without time zone",
        "cst_date_add": "timestamp without time zone",
        "noindex": "boolean",
    }


def test_it_indexes_the_columns_the_probes_order_by_on_postgresql(pg_shop: Shop) -> None:
    indexed = {
        (table, column.strip('"'))
        for table, definition in query(
            pg_shop.url, "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        )
        if (column := definition.rsplit("(", 1)[1].rstrip(")"))
    }
    for table, sql in DEFAULT_TABLE_PROBES.items():
        assert isinstance(sql, str)
        ordered_by = sql.split("ORDER BY ")[1].split()[0]
        assert (table, ordered_by) in indexed, (table, ordered_by)


def test_it_analyzes_the_tables_on_postgresql(pg_shop: Shop) -> None:
    estimated = scalar(pg_shop.url, "SELECT reltuples FROM pg_class WHERE relname = '__seo_page'")
    assert estimated == pg_shop.summary.seo_pages


def test_it_refuses_to_create_the_shop_twice_on_postgresql(pg_shop: Shop) -> None:
    with pytest.raises(ShopExistsError, match="replace=True"):
        create_shop(pg_shop.url, scale=0.001, now=NOW, progress=False)
    assert shop_exists(pg_shop.url)


def test_it_replaces_the_shop_on_postgresql() -> None:
    with fresh_pg_database() as url:
        assert not shop_exists(url)
        create_shop(url, scale=0.002, now=NOW, progress=False)
        summary = create_shop(url, scale=0.001, now=NOW, progress=False, replace=True)
        assert scalar(url, "SELECT COUNT(*) FROM ___xtr_order_line") == summary.order_lines
        assert summary.customers == 59
