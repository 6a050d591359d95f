"""SEO metrics: total pages, optimized pages and sitemap health %, each one SQL query in config."""

from __future__ import annotations

from datetime import datetime

from monitor.collectors.sql_metrics import collect_area
from monitor.samples import Collection
from monitor.sources import Sources


def collect(sources: Sources, now: datetime) -> Collection:
    """Every configured `seo.*` SQL metric."""
    return collect_area(sources, "seo", now)
