"""Links from a figure to its chart: a tile, an alert or a table row opens the page that charts
its metric, with the metric (or table) chosen and the period kept, all in the page's address
so the view can be bookmarked and shared."""

from __future__ import annotations

import streamlit as st

from dashboard.period import DATES_KEY, RANGE_KEY, address_of_dates
from dashboard.shell import catalog

# (page file, the address key its chart's choice is kept under) by area.
CHART_PAGES = {
    "performance": ("pages/health.py", "health_metric"),
    "business": ("pages/business.py", "business_metric"),
    "seo": ("pages/seo.py", "seo_metric"),
}
TABLES_PAGE = ("pages/tables.py", "table")


def chart_address(metric: str) -> tuple[str, dict[str, str]] | None:
    """The page that charts `metric` and the address that opens it on that chart; None for a
    metric no page charts."""
    declared = catalog().get(metric)
    table = declared.subject_of(metric) if declared.subject == "table" else ""
    if table:
        page, choice = TABLES_PAGE[0], {TABLES_PAGE[1]: table}
    elif declared.area in CHART_PAGES and metric.count(".") == 1:
        page, key = CHART_PAGES[declared.area]
        choice = {key: metric}
    else:
        return None
    period = st.session_state.get(RANGE_KEY)
    if period:
        choice[RANGE_KEY] = str(period)
        dates = st.session_state.get(DATES_KEY)
        if period == "Custom" and dates:
            choice |= address_of_dates(dates)
    return page, choice


def chart_link(metric: str, label: str = "Chart") -> None:
    """A small link to `metric`'s chart, where a page charts it."""
    found = chart_address(metric)
    if found is not None:
        page, query = found
        st.page_link(page, label=label, icon=":material/show_chart:", query_params=query)
