"""SEO: total pages, optimized pages and sitemap health against the previous period, and
one's chart."""

from __future__ import annotations

import dashboard

dashboard.page("SEO")
dashboard.store()
METRICS = dashboard.area.metrics_of("seo")


@dashboard.access.live(dashboard.REFRESH_S)
def live() -> None:
    dashboard.refreshed()
    dashboard.area.tiles(METRICS, dashboard.period())
    dashboard.area.over_time(METRICS, "seo_metric")


live()
