"""The consolidated figures that the API and the dashboard show, read from the history store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from monitor.alerts import Alert
from monitor.config import SEVERITIES, AlertRule
from monitor.metrics import Catalog, shipped
from monitor.notifications.mutes import Mutes
from monitor.store import Latest

# The seed's figures of each area, first and in this order; the registry's others follow.
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
SEED = {"performance": PERFORMANCE, "business": BUSINESS, "seo": SEO}


def _value(latest: dict[str, Latest], name: str, cat: Catalog) -> float | int | None:
    found = latest.get(name)
    if found is None:
        return None
    places = cat.get(name).places
    return round(found.value) if places == 0 else round(found.value, places)


def area_names(cat: Catalog, area: str) -> list[str]:
    """The short names an area shows in the API: the seed's, then every other metric the
    registry declares there (one added in the configuration among them)."""
    seed = SEED.get(area, ())
    more = [
        m.name.split(".", 1)[1]
        for m in cat.in_area(area)
        if m.name.count(".") == 1 and m.name.split(".", 1)[1] not in seed
    ]
    return [*seed, *more]


def area(
    latest: dict[str, Latest], prefix: str, names: Sequence[str], cat: Catalog | None = None
) -> dict[str, Any]:
    """`{name: newest value or None}` for the metrics `<prefix>.<name>`."""
    cat = cat or shipped()
    return {name: _value(latest, f"{prefix}.{name}", cat) for name in names}


def metrics(latest: dict[str, Latest], cat: Catalog | None = None) -> dict[str, dict[str, Any]]:
    """Performance, business and SEO figures; a figure never collected is None."""
    cat = cat or shipped()
    return {name: area(latest, name, area_names(cat, name), cat) for name in SEED}


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
        "connections": _value(latest, "database.connections", shipped()),
        "responseTime": _value(latest, "database.responseTime", shipped()),
        "tableStatus": {
            name: {key: figures[key] for key in ("accessible", "recordCount")}
            for name in tables
            for figures in [table(latest, name)]
        },
    }


def alert_title(item: Alert, rule: AlertRule | None = None, cat: Catalog | None = None) -> str:
    """An alert in the registry's words: "Disk usage 91.2 % (above 85 %)"; a family's with its
    subject: "orders: Read time 2,400 ms (above 2,000 ms)"."""
    cat = cat or shipped()
    baseline = rule.baseline if rule else "value"
    side = "below" if rule and rule.when == "below" else "above"
    what = cat.about(item.metric, item.subject)
    if cat.get(item.metric).kind == "yes_no":
        return f"{what}: {cat.figure(item.metric, item.value)}"
    now = alert_figure(item.metric, item.value, baseline, cat)
    limit = alert_figure(item.metric, item.threshold, baseline, cat)
    return f"{what} {now} ({side} {limit})"


def alert(
    item: Alert,
    quiet: Mutes | None = None,
    rules: Mapping[str, AlertRule] | None = None,
    cat: Catalog | None = None,
) -> dict[str, Any]:
    """An alert as the API shows it: `title` in the registry's words, `silenced` (and why)
    when `quiet` mutes its messages."""
    why = quiet.why(item.rule, item.subject, item.severity) if quiet else None
    return {
        "id": item.id,
        "title": alert_title(item, (rules or {}).get(item.rule), cat),
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
    active: list[Alert],
    quiet: Mutes | None = None,
    rules: Mapping[str, AlertRule] | None = None,
    cat: Catalog | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Active alerts grouped by severity, most severe first."""
    return {
        severity: [alert(a, quiet, rules, cat) for a in active if a.severity == severity]
        for severity in reversed(SEVERITIES)
    }


def alert_figure(
    metric: str, value: float | None, baseline: str = "value", cat: Catalog | None = None
) -> str:
    """An alert's value or threshold in its rule's terms: the metric's unit for a plain rule,
    "× its usual" for a `recent` rule, a percent off the usual hour for a `seasonal` one."""
    if value is None:
        return "—"
    if baseline == "recent":
        return f"{value:,.1f} × its usual"
    if baseline == "seasonal":
        return f"{value:+.0f} % against the usual for the hour"
    return (cat or shipped()).figure(metric, value)
