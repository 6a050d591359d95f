"""SEO: total pages, optimized pages and sitemap health, and their trends."""

from __future__ import annotations

import streamlit as st

import dashboard
from monitor import history

dashboard.page("SEO")
dashboard.store()
CATALOG = dashboard.catalog()
METRICS = [m.name for m in CATALOG.in_area("seo") if m.name.count(".") == 1]


@st.fragment(run_every=dashboard.every(dashboard.REFRESH_S))
def live() -> None:
    dashboard.refreshed()
    rng = dashboard.period()
    st.caption(f"Now, and the change against the previous {rng.label}")
    dashboard.change_tiles(
        [dashboard.read(history.change, m, rng, CATALOG.get(m).summary) for m in METRICS]
    )
    for metric in METRICS:
        dashboard.chart(
            {metric: dashboard.read(history.chart, metric, rng)},
            title=CATALOG.title(metric),
            unit=CATALOG.axis(metric),
            key=metric,
            height=260,
        )


live()
