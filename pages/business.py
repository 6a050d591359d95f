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
METRICS = dashboard.area.metrics_of("business")


@dashboard.access.live(dashboard.REFRESH_S)
def live() -> None:
    dashboard.refreshed()
    rng: TimeRange = dashboard.period()
    dashboard.area.tiles(METRICS, rng)

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
        dashboard.area.over_time(METRICS, "business_metric")


live()
