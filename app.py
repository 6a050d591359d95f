"""Vigie's dashboard: page config, the sign-in, the shared period, and the navigation (the
Access page for admins only)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import dashboard

dashboard.app_run()
# A file of our own: a material icon as favicon is fetched from fonts.gstatic.com, which a
# self-hosted dashboard on a closed network cannot reach (and should not tell about itself).
ICON = str(Path(__file__).resolve().parent / "static" / "favicon.png")
st.set_page_config(page_title="Vigie", page_icon=ICON, layout="wide")
if dashboard.access.closed() and dashboard.access.signed_in() is None:
    # Only the sign-in page exists for someone not signed in: a bookmark lands on it too.
    st.navigation(
        [st.Page(dashboard.access.sign_in_page, title="Sign in", icon=":material/login:")]
    ).run()
    st.stop()
pages = {
    "Watch": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/health.py", title="Health", icon=":material/monitor_heart:"),
        st.Page("pages/alerts.py", title="Alerts", icon=":material/notifications_active:"),
        st.Page("pages/availability.py", title="Availability", icon=":material/verified:"),
    ],
    "Figures": [
        st.Page("pages/tables.py", title="Tables", icon=":material/table_chart:"),
        st.Page("pages/business.py", title="Business", icon=":material/shopping_cart:"),
        st.Page("pages/seo.py", title="SEO", icon=":material/travel_explore:"),
        st.Page("pages/insights.py", title="Insights", icon=":material/insights:"),
    ],
    "Operate": [
        st.Page("pages/jobs.py", title="Jobs", icon=":material/settings:"),
        st.Page("pages/maintenance.py", title="Maintenance", icon=":material/build:"),
    ],
}
if dashboard.access.may("admin"):
    pages["Admin"] = [st.Page("pages/access.py", title="Access", icon=":material/key:")]
page = st.navigation(pages)
st.sidebar.title("Vigie")
dashboard.access.sidebar()
dashboard.period_picker()
dashboard.refresh_toggle()
page.run()
