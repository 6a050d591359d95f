"""The consolidated figures that the API and the dashboard show, read from the history store."""

from __future__ import annotations

from typing import Any

from monitor.alerts import Alert
from monitor.config import SEVERITIES
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


def _value(latest: dict[str, Latest], name: str) -> float | None:
    found = latest.get(name)
    return found.value if found is not None else None


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
            name: {
                "accessible": table(latest, name)["accessible"],
                "recordCount": table(latest, name)["recordCount"],
            }
            for name in tables
        },
    }


def alert(item: Alert) -> dict[str, Any]:
    """An alert as the API shows it."""
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
    }


def alerts_by_priority(active: list[Alert]) -> dict[str, list[dict[str, Any]]]:
    """Active alerts grouped by severity, most severe first."""
    return {
        severity: [alert(a) for a in active if a.severity == severity]
        for severity in reversed(SEVERITIES)
    }
