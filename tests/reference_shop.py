"""The reference shop: known rows, the exact values every default metric must give, a known log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, insert, text

# The instant every known-rows test collects at.
NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


def _naive(delta: timedelta) -> datetime:
    return (NOW + delta).replace(tzinfo=None)


# -- the reference shop: known rows, and the exact values every default metric must give -------

CUSTOMERS = [
    {
        "cst_id": i,
        "cst_mail": f"c{i}@example.fr",
        "cst_name": "Martin",
        "cst_fname": "Léa",
        "cst_city": "Lyon",
        "cst_zip_code": "69001",
        "cst_country": "FR",
        "cst_activ": "1" if i <= 3 else "0",
        "cst_date_add": _naive(timedelta(days=-10 * i)),
    }
    for i in range(1, 6)
]
# (id, customer, offset from NOW, total ttc, paid)
_ORDERS = [
    (1, 1, timedelta(hours=-1), "100.00", "1"),
    (2, 2, timedelta(hours=-2), "50.50", "1"),
    (3, 3, timedelta(hours=-3), "20.00", "0"),
    (4, 1, timedelta(hours=-25), "999.99", "1"),  # older than 24 h
    (5, 2, timedelta(hours=1), "10.00", "1"),  # after the collection
    (6, 4, timedelta(hours=-23, minutes=-59), "0.01", "1"),
    (7, 5, timedelta(hours=-24), "7.00", "1"),  # exactly at :since: counted
    (8, 5, timedelta(0), "3.00", "1"),  # exactly at :now: not yet
]
ORDERS = [
    {
        "ord_id": oid,
        "ord_cst_id": cst,
        "ord_date": _naive(delta),
        "ord_total_ht": "0",
        "ord_total_ttc": ttc,
        "ord_shipping_cost": "0",
        "ord_is_pay": paid,
        "ord_date_pay": _naive(delta) if paid == "1" else None,
        "ord_ords_id": "2",
        "ord_info": "{}",
    }
    for oid, cst, delta, ttc, paid in _ORDERS
]
_URL = ("plaquette", 1, "renault", 2, "clio", 3, "dci", 4)
# (pg alias, pg id, marque alias, marque id, modele alias, modele id, type alias, type id, items)
_LINKS = [
    (*_URL, 5),  # healthy
    (*_URL, 5),  # duplicate URL of the first
    ("disque", 7, "peugeot", 8, "208", 9, "hdi", 10, 1),  # healthy
    ("", 7, "peugeot", 8, "208", 9, "hdi", 11, 1),  # empty alias
    ("disque", 0, "peugeot", 8, "208", 9, "hdi", 12, 1),  # id 0
    ("disque", 7, "peugeot", 8, "208", 9, "hdi", 13, 0),  # no items
    ("disque", 7, None, 8, "208", 9, "hdi", 14, 1),  # missing alias
    ("filtre", 3, "citroen", 4, "c3", 5, "vti", 6, 2),  # healthy
    ("filtre", 3, "citroen", 4, "c3", 5, "", 7, 2),  # empty type alias
    ("filtre", 3, "citroen", 4, "c3", 0, "vti", 8, 2),  # model id 0
]
LINKS = [
    dict(
        zip(
            [
                "map_pg_alias",
                "map_pg_id",
                "map_marque_alias",
                "map_marque_id",
                "map_modele_alias",
                "map_modele_id",
                "map_type_alias",
                "map_type_id",
                "map_has_item",
            ],
            row,
            strict=True,
        ),
        map_id=i,
    )
    for i, row in enumerate(_LINKS, start=1)
]
# (title length, meta description length, noindex)
_PAGES = [
    (20, 100, False),
    (20, 100, True),
    (9, 100, False),
    (71, 100, False),
    (20, 49, False),
    (20, 161, False),
    (10, 50, False),
    (70, 160, False),
]
PAGES = [
    {
        "page_id": i,
        "url": f"/page-{i}.html",
        "title": "t" * t,
        "meta_description": "m" * m,
        "noindex": noindex,
        "updated_at": _naive(timedelta(days=-1)),
    }
    for i, (t, m, noindex) in enumerate(_PAGES, start=1)
]

EXPECTED = {
    "business.totalUsers": 5,
    "business.activeUsers": 3,
    "business.orders24h": 5,
    "business.paidOrders24h": 4,
    "business.revenue24h": 157.51,
    "business.averageBasket": 39.3775,
    "business.minutesSinceLastOrder": 60.0,  # order 1, an hour ago (order 8 is at :now)
    "business.ordersToday": 3,  # orders 1-3 since midnight; 6 and 7 were yesterday
    "business.revenueToday": 150.5,  # orders 1 and 2 paid
    "seo.totalPages": 10,
    "seo.optimizedPages": 3,
    "seo.sitemapHealth": 30.0,
}
EXPECTED_COUNTS = {
    "___xtr_customer": 5,
    "___xtr_order": 8,
    "___xtr_order_line": 0,
    "__sitemap_p_link": 10,
    "__seo_page": 8,
}


def log_line(ip: str, at: datetime, status: int, seconds: float, agent: str = "Mozilla/5.0") -> str:
    stamp = at.strftime("%d/%b/%Y:%H:%M:%S +0000")
    return f'{ip} - - [{stamp}] "GET /p.html HTTP/1.1" {status} 512 "-" "{agent}" {seconds:.3f}\n'


# In the 120 s window: 100, 300 (a 500) and 200 ms; 2 requests in the last minute.
ACCESS_LOG = "".join(
    [
        log_line("198.51.100.1", NOW - timedelta(hours=30), 200, 0.1),  # older than 24 h
        log_line("198.51.100.2", NOW - timedelta(hours=5), 200, 0.1),
        log_line("198.51.100.3", NOW - timedelta(hours=2), 200, 0.1),
        log_line("198.51.100.9", NOW - timedelta(hours=1), 200, 0.1, "Googlebot/2.1"),
        log_line("198.51.100.4", NOW - timedelta(seconds=200), 200, 5.0),
        log_line("198.51.100.4", NOW - timedelta(seconds=90), 200, 0.2),
        "this line is not in the combined format\n",
        log_line("198.51.100.5", NOW - timedelta(seconds=50), 500, 0.3),
        log_line("198.51.100.2", NOW - timedelta(seconds=30), 200, 0.1),
    ]
)
EXPECTED_TRAFFIC = {
    "performance.responseTime": 200.0,
    "performance.requestsPerMinute": 2,
    "performance.errorRate": 100 / 3,
    "business.visitors24h": 4,
    "business.conversionRate": 100.0,
}


def fill_reference_shop(url: str) -> None:
    """Create the shop schema at `url` and insert the known rows."""
    from monitor.demo.shop import SHOP_METADATA

    engine = create_engine(url)
    SHOP_METADATA.create_all(engine)
    tables = SHOP_METADATA.tables
    with engine.begin() as conn:
        conn.execute(insert(tables["___xtr_customer"]), CUSTOMERS)
        conn.execute(insert(tables["___xtr_order"]), ORDERS)
        conn.execute(insert(tables["__sitemap_p_link"]), LINKS)
        conn.execute(insert(tables["__seo_page"]), PAGES)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()
