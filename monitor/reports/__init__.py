"""Reports for the people who do not open the dashboard: the period's trade, availability,
alerts, predictions, advice, table growth and SEO health against the previous period, as HTML
and PDF. Owns no table. May import the store, the config, the metrics, alerts, availability,
history and insights."""

from __future__ import annotations

from monitor.reports.content import Period, Report, build, period_of
from monitor.reports.render import charts, html, pdf

KINDS: dict[str, Period] = {"daily": "day", "weekly": "week"}

__all__ = ["KINDS", "Period", "Report", "build", "charts", "html", "pdf", "period_of"]
