"""The consolidated figures that the API and the dashboard show, read from the history store."""

from __future__ import annotations

import re
from typing import Any

from monitor.alerts import Alert
from monitor.config import SEVERITIES
from monitor.notifications.mutes import Mutes
from monitor.store import Latest

PERFORMANCE = (
    "responseTime",
    "uptime",
    "memoryUsage",
    "cpuUsage",
    "diskUsage",
    "requestsPerMinute",
    "errorRate",
)
BUSINESS = (
    "totalUsers",
    "activeUsers",
    "orders24h",
    "revenue24h",
    "averageBasket",
    "conversionRate",
)
SEO = ("totalPages", "optimizedPages", "sitemapHealth")
TABLE_FIGURES = ("accessible", "recordCount", "queryTime", "sizeBytes")


# Figures people read: counts are whole, money has cents, rates and times two decimals.
_COUNTS = {
    "minutesSinceLastOrder",
    "totalUsers",
    "activeUsers",
    "orders24h",
    "totalPages",
    "optimizedPages",
    "recordCount",
    "sizeBytes",
    "requestsPerMinute",
    "connections",
    "uptime",
}


def _value(latest: dict[str, Latest], name: str) -> float | int | None:
    found = latest.get(name)
    if found is None:
        return None
    if name.rsplit(".", 1)[-1] in _COUNTS:
        return round(found.value)
    return round(found.value, 2)


def area(latest: dict[str, Latest], prefix: str, names: tuple[str, ...]) -> dict[str, Any]:
    """`{name: newest value or None}` for the metrics `<prefix>.<name>`."""
    return {name: _value(latest, f"{prefix}.{name}") for name in names}


def metrics(latest: dict[str, Latest]) -> dict[str, dict[str, Any]]:
    """Performance, business and SEO figures; a figure never collected is None."""
    return {
        "performance": area(latest, "performance", PERFORMANCE),
        "business": area(latest, "business", BUSINESS),
        "seo": area(latest, "seo", SEO),
    }


def table(latest: dict[str, Latest], name: str) -> dict[str, Any]:
    """One critical table's newest figures (accessible as a boolean)."""
    figures = area(latest, f"database.{name}", TABLE_FIGURES)
    if figures["accessible"] is not None:
        figures["accessible"] = figures["accessible"] >= 1
    return figures


def database(latest: dict[str, Latest], tables: list[str], status: str) -> dict[str, Any]:
    """The seed's `system.database` block."""
    return {
        "status": status,
        "connections": _value(latest, "database.connections"),
        "responseTime": _value(latest, "database.responseTime"),
        "tableStatus": {
            name: {key: figures[key] for key in ("accessible", "recordCount")}
            for name in tables
            for figures in [table(latest, name)]
        },
    }


def alert(item: Alert, quiet: Mutes | None = None) -> dict[str, Any]:
    """An alert as the API shows it; `silenced` (and why) when `quiet` mutes its messages."""
    why = quiet.why(item.rule, item.subject, item.severity) if quiet else None
    return {
        "id": item.id,
        "rule": item.rule,
        "subject": item.subject,
        "metric": item.metric,
        "severity": item.severity,
        "state": item.state,
        "value": item.value,
        "threshold": item.threshold,
        "message": item.message,
        "openedAt": item.opened_at,
        "updatedAt": item.updated_at,
        "resolvedAt": item.resolved_at,
        "acknowledgedBy": item.acknowledged_by,
        "acknowledgedAt": item.acknowledged_at,
        "silenced": why is not None,
        "silencedBy": why,
    }


def alerts_by_priority(
    active: list[Alert], quiet: Mutes | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Active alerts grouped by severity, most severe first."""
    return {
        severity: [alert(a, quiet) for a in active if a.severity == severity]
        for severity in reversed(SEVERITIES)
    }


# Every figure's unit, by the last part of its metric name.
UNITS = {
    "responseTime": "ms",
    "queryTime": "ms",
    "uptime": "s",
    "memoryUsage": "MB",
    "cpuUsage": "%",
    "diskUsage": "%",
    "requestsPerMinute": "req/min",
    "errorRate": "%",
    "memoryPercent": "%",
    "totalUsers": "customers",
    "activeUsers": "customers",
    "orders24h": "orders",
    "minutesSinceLastOrder": "min",
    "revenue24h": "€",
    "averageBasket": "€",
    "conversionRate": "%",
    "totalPages": "pages",
    "optimizedPages": "pages",
    "sitemapHealth": "%",
    "recordCount": "rows",
    "sizeBytes": "bytes",
    "connections": "connections",
    "accessible": "",
}
_MONEY = {"revenue24h", "averageBasket"}
# Figures that are 1 or 0: a table can be read, a probe or a database is up, a channel fails.
YES_NO = {"accessible", "up", "failing"}


_LOWER_IS_BETTER = {
    "responseTime",
    "queryTime",
    "errorRate",
    "cpuUsage",
    "memoryUsage",
    "diskUsage",
}


def lower_is_better(metric: str) -> bool:
    """Whether a rise of this metric is bad news (response time, error rate, usage)."""
    return metric.rsplit(".", 1)[-1] in _LOWER_IS_BETTER


def label(metric: str) -> str:
    """A metric's name for people: `business.orders24h` → "Orders 24h"."""
    words = re.sub(
        r"(?<=[a-z0-9])(?=[A-Z])|(?<=[a-z])(?=[0-9])", " ", metric.rsplit(".", 1)[-1]
    ).lower()
    words = re.sub(r"\bcpu\b", "CPU", words)
    return words[:1].upper() + words[1:]


def unit(metric: str) -> str:
    """The unit of a metric (`business.revenue24h` → "€"), "" if it has none."""
    return UNITS.get(metric.rsplit(".", 1)[-1], "")


def bounds(metric: str) -> tuple[float, float | None]:
    """The values a metric can take: a share is within 0-100 %, every other figure (counts,
    times, sizes, money) is at least 0."""
    return (0.0, 100.0) if unit(metric) == "%" else (0.0, None)


def human(metric: str, value: float | None, *, counted_noun: bool = True) -> str:
    """A figure as people read it: 59,137 customers; 15,420.50 €; 2.35 %; 1.2 GB. Without
    `counted_noun`, a count is a bare number (its label already says "orders")."""
    if value is None:
        return "—"
    short = metric.rsplit(".", 1)[-1]
    if short == "sizeBytes":
        size = float(value)
        for suffix in ("bytes", "KB", "MB", "GB", "TB"):
            if abs(size) < 1024 or suffix == "TB":
                return f"{size:,.0f} {suffix}" if suffix == "bytes" else f"{size:,.1f} {suffix}"
            size /= 1024
    if short == "uptime":
        days, rest = divmod(int(value), 86400)
        return f"{days} d {rest // 3600} h" if days else f"{rest // 3600} h {rest % 3600 // 60} min"
    if short in YES_NO:
        return "yes" if value >= 1 else "no"
    if short in _MONEY:
        return f"{value:,.2f} €"
    text = f"{round(value):,}" if short in _COUNTS else f"{value:,.2f}"
    suffix = unit(metric)
    if not counted_noun and suffix.isalpha() and suffix not in ("ms", "s", "MB", "min"):
        return text
    return f"{text} {suffix}".strip()


def alert_figure(metric: str, value: float | None, baseline: str = "value") -> str:
    """An alert's value or threshold in its rule's terms: the metric's unit for a plain rule,
    "× its usual" for a `recent` rule, a percent off the usual hour for a `seasonal` one."""
    if value is None:
        return "—"
    if baseline == "recent":
        return f"{value:,.1f} × its usual"
    if baseline == "seasonal":
        return f"{value:+.0f} % against the usual for the hour"
    return human(metric, value)
