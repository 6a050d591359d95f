"""Business: orders, revenue, basket, conversion and active users over time, against the
previous period; by day and by hour of the day."""

from __future__ import annotations

import streamlit as st

import dashboard
from monitor import history
from monitor.timerange import TimeRange

dashboard.page("Business")
dashboard.store()
CATALOG = dashboard.catalog()
# Counted since midnight: a day's last reading is the day's own, their steps each hour's.
DAY_ORDERS = "business.ordersToday"
DAY_FIGURES = (DAY_ORDERS, "business.revenueToday")
# Every business figure the registry knows, headline figures first (one added in the
# configuration among them).
METRICS = sorted(
    (m.name for m in CATALOG.in_area("business") if m.name.count(".") == 1),
    key=lambda name: not CATALOG.get(name).headline,
)


def _shifted(points: list[history.Point], seconds: float) -> list[history.Point]:
    # Moved forward to line up with this period; a plain line, without its min-max band.
    return [p._replace(ts=int(p.ts + seconds), min=p.value, max=p.value) for p in points]


@st.fragment(run_every=dashboard.every(dashboard.REFRESH_S))
def live() -> None:
    dashboard.refreshed()
    rng: TimeRange = dashboard.period()
    before = rng.previous()
    st.caption(f"Now, and the change against the previous {rng.label}")
    dashboard.change_tiles(
        [dashboard.read(history.change, m, rng, CATALOG.get(m).summary) for m in METRICS]
    )

    view = st.segmented_control(
        "View", ["Over time", "By day", "By hour"], default="Over time", key="business_view"
    )
    if view == "By day":
        rows = dashboard.read(history.by_day, METRICS, rng)
        if not rows:
            st.info(f"No business figures were collected in {rng.label}.")
            return
        # A day's last "orders today" is that day's orders: counted in the day, not 24 h back.
        dashboard.bar_chart(rows, "day", DAY_ORDERS, title="Orders per day (UTC)")
        dashboard.table(rows, ["day", *METRICS], name="business-by-day")
    elif view == "By hour":
        profile = dashboard.read(history.hour_profile, DAY_FIGURES, rng)
        if all(row[DAY_ORDERS] is None for row in profile):
            st.info(f"No orders were counted by the hour in {rng.label}.")
            return
        dashboard.bar_chart(
            profile,
            "hour",
            DAY_ORDERS,
            title=f"Orders per hour of the day, on average ({rng.label})",
        )
        dashboard.table(profile, ["hour", *DAY_FIGURES], name="business-by-hour")
    else:
        # One chart at a time: five plotly charts take a browser 2.5-3 s to draw on a small
        # machine (bench/dashboard_bench.py), one well under a second.
        dashboard.from_address("business_metric", METRICS)
        metric = st.pills(
            "Figure",
            METRICS,
            default=None if "business_metric" in st.session_state else METRICS[0],
            format_func=CATALOG.title,
            key="business_metric",
            required=True,
        )
        dashboard.to_address("business_metric")
        if metric:
            current = dashboard.read(history.chart, metric, rng)
            previous = _shifted(dashboard.read(history.chart, metric, before), rng.seconds)
            # The CSV says the previous period's times are moved forward by one period.
            shifted = f"{metric} (previous period, times + {rng.label})"
            dashboard.chart(
                {metric: current, shifted: previous},
                title=f"{CATALOG.title(metric)}, against the previous {rng.label}",
                unit=CATALOG.axis(metric),
                legend={metric: "this period", shifted: "previous period"},
                key=metric,
            )


live()
