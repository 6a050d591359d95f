"""The metrics Vigie ships, declared once. The configuration's `[metrics."<name>"]` tables add
metrics and override these, key by key."""

from __future__ import annotations

from typing import Final, Literal

from monitor.metrics.model import Metric

_MS: Final = "ms"
_UP: Final[Literal["higher"]] = "higher"

SHIPPED: tuple[Metric, ...] = (
    # -- performance: this machine and its web server's access log ------------------------------
    Metric("performance.responseTime", "Response time", "performance", "duration", _MS, "lower",
           True, "Median time the web server took to answer, over the access log's window",
           summary="average"),
    Metric("performance.errorRate", "Server errors", "performance", "share", "", "lower", True,
           "Share of answers that were server errors (5xx)", summary="average"),
    Metric("performance.requestsPerMinute", "Requests per minute", "performance", "number",
           "req/min", "either", True, "Requests the web server answered per minute", decimals=0,
           summary="average"),
    Metric("performance.cpuUsage", "CPU usage", "performance", "share", "", "lower", True,
           "Share of the machine's CPU time in use", summary="average"),
    Metric("performance.memoryPercent", "Memory in use", "performance", "share", "", "lower",
           help="Share of the machine's memory in use", summary="average"),
    Metric("performance.memoryUsage", "Memory used", "performance", "size", "MB", "lower",
           help="Memory in use on the machine"),
    Metric("performance.diskUsage", "Disk usage", "performance", "share", "", "lower",
           help="Share of the data folder's disk in use"),
    Metric("performance.uptime", "Uptime", "performance", "duration", "s", _UP,
           help="Time since the machine started", decimals=0),
    Metric("performance.malformedLogLines", "Unreadable log lines", "performance", "count",
           "lines", "lower", help="Access log lines Vigie could not read, per window"),
    Metric("performance.probe.up", "Probe answers", "performance", "yes_no", "", _UP,
           help="Whether an HTTP probe got a good answer"),
    Metric("performance.probe.responseTime", "Probe response time", "performance", "duration",
           _MS, "lower", help="Time an HTTP probe took to get its answer", summary="average"),
    # -- business: the shop's own tables --------------------------------------------------------
    Metric("business.orders24h", "Orders in 24 h", "business", "count", "orders", _UP, True,
           "Orders placed in the 24 hours before the reading"),
    Metric("business.revenue24h", "Revenue in 24 h", "business", "money", "", _UP, True,
           "Total of the paid orders of the 24 hours before the reading"),
    Metric("business.averageBasket", "Average basket", "business", "money", "", _UP, True,
           "Average total of a paid order over the last 24 hours"),
    Metric("business.conversionRate", "Conversion rate", "business", "share", "", _UP, True,
           "Paid orders per visitor over the last 24 hours"),
    Metric("business.activeUsers", "Active customers", "business", "count", "customers", _UP,
           help="Customers whose account is active"),
    Metric("business.totalUsers", "Customers", "business", "count", "customers", _UP,
           help="Customer accounts in the shop"),
    Metric("business.paidOrders24h", "Paid orders in 24 h", "business", "count", "orders", _UP,
           help="Paid orders placed in the 24 hours before the reading"),
    Metric("business.visitors24h", "Visitors in 24 h", "business", "count", "visitors", _UP,
           help="Distinct visitors (not bots) in the access log over 24 hours"),
    Metric("business.ordersToday", "Orders today", "business", "count", "orders", _UP,
           help="Orders placed since midnight UTC"),
    Metric("business.revenueToday", "Revenue today", "business", "money", "", _UP,
           help="Total of the paid orders placed since midnight UTC"),
    Metric("business.minutesSinceLastOrder", "Time since the last order", "business",
           "duration", "min", "lower", help="Minutes since the newest order", decimals=0),
    # -- SEO: the sitemap and the pages' metadata -----------------------------------------------
    Metric("seo.totalPages", "Sitemap pages", "seo", "count", "pages", "either", True,
           "Links in the sitemap"),
    Metric("seo.optimizedPages", "Optimised pages", "seo", "count", "pages", _UP, True,
           "Indexed pages whose title and description have a good length"),
    Metric("seo.sitemapHealth", "Sitemap health", "seo", "share", "", _UP, True,
           "Share of sitemap links that lead to a real page"),
    # -- database: the shop's database and its critical tables ----------------------------------
    Metric("database.up", "Database reachable", "database", "yes_no", "", _UP,
           help="Whether the shop's database answered"),
    Metric("database.responseTime", "Database response time", "database", "duration", _MS,
           "lower", help="Time the shop's database took to answer SELECT 1", summary="average"),
    Metric("database.connections", "Database connections", "database", "count", "connections",
           help="Connections open on the shop's database"),
    Metric("database.*.accessible", "Readable", "database", "yes_no", "", _UP,
           help="Whether Vigie could read the table", subject="table"),
    Metric("database.*.recordCount", "Rows", "database", "count", "rows",
           help="Rows in the table", subject="table"),
    Metric("database.*.queryTime", "Read time", "database", "duration", _MS, "lower",
           help="Time the table's probe query took", subject="table"),
    Metric("database.*.sizeBytes", "Size", "database", "size", "bytes", "either",
           help="Space the table takes on disk", subject="table"),
    Metric("database.*.liveRows", "Live rows", "database", "count", "rows",
           help="Rows PostgreSQL counts as live", subject="table"),
    Metric("database.*.deadRows", "Dead rows", "database", "count", "rows", "lower",
           help="Deleted or updated rows waiting for VACUUM", subject="table"),
    Metric("database.*.seqScans", "Sequential scans", "database", "count", "scans", "lower",
           help="Full reads of the table since the statistics were reset", subject="table"),
    Metric("database.*.indexScans", "Index scans", "database", "count", "scans",
           help="Reads through an index since the statistics were reset", subject="table"),
    Metric("database.*.vacuumAge", "Since the last vacuum", "database", "duration", "s",
           "lower", help="Time since the table was last vacuumed", subject="table"),
    Metric("database.*.analyzeAge", "Since the last analyse", "database", "duration", "s",
           "lower", help="Time since the table's statistics were last gathered", subject="table"),
    # -- Vigie itself ---------------------------------------------------------------------------
    Metric("notifications.*.failing", "Channel failing", "notifications", "yes_no", "", "lower",
           help="Whether a notification channel keeps refusing messages", subject="channel"),
)  # fmt: skip
