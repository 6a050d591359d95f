"""The defaults that fit the seed shop's schema: environment names, the metrics' SQL, the
critical tables and their probes. Another shop's schema is a configuration change, not an edit
here."""

from __future__ import annotations

CONFIG_ENV = "MONITOR_CONFIG"
SOURCE_ENV = "MONITOR_SOURCE_DB"
STORE_ENV = "MONITOR_STORE"

DEFAULT_CRITICAL_TABLES = [
    "___xtr_customer",
    "___xtr_order",
    "___xtr_order_line",
    "__sitemap_p_link",
    "__seo_page",
]
# What people call the shop's tables; any other table is named from its name ("xtr stock").
DEFAULT_TABLE_TITLES = {
    "___xtr_customer": "Customers",
    "___xtr_order": "Orders",
    "___xtr_order_line": "Order lines",
    "__sitemap_p_link": "Sitemap links",
    "__seo_page": "SEO pages",
}

# The URL of a sitemap link is built from every alias and id; a row "serves a real page" when all
# its aliases are filled in, all its ids are positive, it has items, and no other row has its URL.
_SITEMAP_VALID = " AND ".join(
    [f"COALESCE(map_{part}_alias, '') <> ''" for part in ("pg", "marque", "modele", "type")]
    + [f"map_{part}_id > 0" for part in ("pg", "marque", "modele", "type")]
    + ["map_has_item > 0"]
)

# Each metric is one SQL query returning one number. `:since`, `:now` and `:today` are bound to
# the collection time minus 24 h, the collection time and its day's midnight (naive UTC).
# A metric's SQL is one query, or one per database kind ({"sqlite": …, "postgresql": …}) where
# the dialects differ (date arithmetic).
MetricSQL = str | dict[str, str]

DEFAULT_METRIC_SQL: dict[str, MetricSQL] = {
    "business.totalUsers": "SELECT COUNT(*) FROM ___xtr_customer",
    "business.activeUsers": "SELECT COUNT(*) FROM ___xtr_customer WHERE cst_activ = '1'",
    "business.orders24h": (
        "SELECT COUNT(*) FROM ___xtr_order WHERE ord_date >= :since AND ord_date < :now"
    ),
    "business.paidOrders24h": (
        "SELECT COUNT(*) FROM ___xtr_order "
        "WHERE ord_date >= :since AND ord_date < :now AND ord_is_pay = '1'"
    ),
    "business.revenue24h": (
        "SELECT COALESCE(SUM(CAST(ord_total_ttc AS NUMERIC)), 0) FROM ___xtr_order "
        "WHERE ord_date >= :since AND ord_date < :now AND ord_is_pay = '1'"
    ),
    "business.averageBasket": (
        "SELECT SUM(CAST(ord_total_ttc AS NUMERIC)) / NULLIF(COUNT(*), 0) FROM ___xtr_order "
        "WHERE ord_date >= :since AND ord_date < :now AND ord_is_pay = '1'"
    ),
    # The day's figures so far (from midnight UTC): a day's last reading is that day's count,
    # and their steps give the orders of each hour.
    "business.ordersToday": (
        "SELECT COUNT(*) FROM ___xtr_order WHERE ord_date >= :today AND ord_date < :now"
    ),
    "business.revenueToday": (
        "SELECT COALESCE(SUM(CAST(ord_total_ttc AS NUMERIC)), 0) FROM ___xtr_order "
        "WHERE ord_date >= :today AND ord_date < :now AND ord_is_pay = '1'"
    ),
    "business.minutesSinceLastOrder": {
        "sqlite": "SELECT (JULIANDAY(:now) - JULIANDAY(MAX(ord_date))) * 1440 "
        "FROM ___xtr_order WHERE ord_date < :now",
        "postgresql": "SELECT EXTRACT(EPOCH FROM (:now - MAX(ord_date))) / 60 "
        "FROM ___xtr_order WHERE ord_date < :now",
    },
    "seo.totalPages": "SELECT COUNT(*) FROM __sitemap_p_link",
    "seo.optimizedPages": (
        "SELECT COUNT(*) FROM __seo_page WHERE NOT noindex "
        "AND LENGTH(title) BETWEEN 10 AND 70 AND LENGTH(meta_description) BETWEEN 50 AND 160"
    ),
    "seo.sitemapHealth": (
        "SELECT 100.0 * (SELECT COUNT(*) FROM (SELECT DISTINCT map_pg_alias, map_pg_id, "
        "map_marque_alias, map_marque_id, map_modele_alias, map_modele_id, map_type_alias, "
        f"map_type_id FROM __sitemap_p_link WHERE {_SITEMAP_VALID}) AS healthy) "
        "/ NULLIF((SELECT COUNT(*) FROM __sitemap_p_link), 0)"
    ),
}

# The query timed as `database.<table>.queryTime`: the newest rows, read the way the shop's pages
# read them, so a missing or dropped index shows as a slower read. One query, or one per database
# kind like a metric's. A critical table without one reads any row (`SELECT 1 … LIMIT 1`).
DEFAULT_TABLE_PROBES: dict[str, MetricSQL] = {
    "___xtr_customer": "SELECT cst_id FROM ___xtr_customer ORDER BY cst_date_add DESC LIMIT 10",
    "___xtr_order": "SELECT ord_id FROM ___xtr_order ORDER BY ord_date DESC LIMIT 10",
    "___xtr_order_line": ("SELECT orl_id FROM ___xtr_order_line ORDER BY orl_ord_id DESC LIMIT 10"),
    "__sitemap_p_link": "SELECT map_id FROM __sitemap_p_link ORDER BY map_id DESC LIMIT 10",
    "__seo_page": "SELECT page_id FROM __seo_page ORDER BY updated_at DESC LIMIT 10",
}

SQL_METRIC_AREAS = ("business", "seo", "database")
MAX_METRIC_NAME = 120  # the store's series.name holds 200; table names are part of some names
