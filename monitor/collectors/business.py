"""Business metrics: users, orders, revenue, basket (SQL from config) and conversion (+ access log).

| metric | unit | source |
|---|---|---|
| business.totalUsers, .activeUsers | customers | SQL |
| business.orders24h, .paidOrders24h | orders in the 24 h before the run | SQL |
| business.revenue24h, .averageBasket | € (paid orders) | SQL |
| business.visitors24h | distinct non-bot IPs in 24 h | access log |
| business.conversionRate | % paid orders / visitors | both |
"""

from __future__ import annotations

from datetime import datetime

from monitor.collectors.sql_metrics import collect_area
from monitor.samples import Collection
from monitor.sources import Sources

PAID_ORDERS = "business.paidOrders24h"


def collect(sources: Sources, now: datetime) -> Collection:
    """The configured business SQL, then visitors and conversion from the access log."""
    result = collect_area(sources, "business", now)
    if sources.access_log is None:
        return result
    try:
        traffic = sources.access_log.read(now.timestamp())
    except OSError as exc:
        result.fail("business.conversionRate", f"cannot read the access log: {exc}")
        return result
    result.add("business.visitors24h", traffic.visitors_24h)
    paid = next((s.value for s in result.samples if s.name == PAID_ORDERS), None)
    if paid is None:
        result.fail("business.conversionRate", f"needs {PAID_ORDERS}, which has no value")
    elif traffic.visitors_24h:
        result.add("business.conversionRate", 100.0 * paid / traffic.visitors_24h)
    return result
