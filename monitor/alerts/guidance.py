"""Why each shipped rule matters and what to do about it: read by the advice (Insights) and by
the notifications, so a message and the dashboard give the same counsel. A rule of one's own
has none (the advice then says only that a threshold was crossed)."""

from __future__ import annotations

# Why each default rule matters and what to do about it (a rule of one's own gets the generic).
GUIDANCE: dict[str, tuple[str, str]] = {
    "disk_full": (
        "When the disk is full the database stops writing and orders are lost",
        "Free space (old logs, backups, the store's retention) or grow the disk",
    ),
    "memory_high": (
        "Out of memory, the system kills processes: the shop or its database can go down",
        "Find the process using the memory (Health page) and restart or resize it",
    ),
    "cpu_high": (
        "A saturated CPU slows every page and every query",
        "Look for a runaway job or a traffic spike in the access log",
    ),
    "slow_responses": (
        "Slow pages lose customers and search ranking",
        "Check the slowest URLs in the access log and the database's response time",
    ),
    "server_errors": (
        "Customers are seeing error pages instead of the shop",
        "Read the web server's and the application's error logs for the failing URLs",
    ),
    "database_down": (
        "Without its database the shop can neither show products nor take orders",
        "Check that PostgreSQL runs and accepts connections; see the Health page",
    ),
    "database_slow": (
        "Every page waits on the database",
        "Look for long-running queries or locks (pg_stat_activity) and for missing indexes",
    ),
    "table_inaccessible": (
        "Pages that read this table fail",
        "Check that the table exists and that Vigie's role may read it",
    ),
    "table_slow": (
        "Pages that read this table are slow",
        "Look for locks on it and run ANALYZE; see the Tables page",
    ),
    "table_slower_than_usual": (
        "Pages that read this table are many times slower than usual: often a dropped index "
        "or a new full scan",
        "Check the table's indexes against its probe and recent migrations; see the Tables page",
    ),
    "orders_stopped": (
        "No order for hours usually means checkout or payment is broken",
        "Place a test order and check the payment provider",
    ),
    "orders_below_usual": (
        "Fewer orders than a normal week at this hour often means checkout trouble",
        "Place a test order, check the error rate and the payment provider",
    ),
    "sitemap_unhealthy": (
        "Search engines are sent to pages that do not exist",
        "Fix or remove the sitemap links with empty aliases or no items",
    ),
    "probe_down": (
        "An external service the shop needs does not answer",
        "Check the service's status page and the network path to it",
    ),
    "host_down": (
        "Nothing is known of this machine any more: its shop traffic may be failing unseen",
        "Check that the machine is up and that its Vigie daemon runs (systemctl status vigie)",
    ),
}
