"""SEO: total pages, optimized pages and sitemap health, and their trends."""

from __future__ import annotations

import streamlit as st

import dashboard
from monitor import history, report

dashboard.page("SEO")
dashboard.store()
METRICS = [f"seo.{name}" for name in report.SEO]


@st.fragment(run_every=dashboard.REFRESH_S)
def live() -> None:
    rng = dashboard.period()
    st.caption(f"Now, and the change against the previous {rng.label}")
    for column, metric in zip(dashboard.tile_columns(len(METRICS)), METRICS, strict=True):
        with column:
            now = dashboard.read(history.change, metric, rng)
            dashboard.metric_tile(metric, now.value, now.previous)
    for metric in METRICS:
        dashboard.chart(
            {metric: dashboard.read(history.chart, metric, rng)},
            title=report.label(metric),
            unit=report.unit(metric),
            key=metric,
            height=260,
        )


live()
