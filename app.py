"""Vigie's dashboard: page config, the shared period and ops controls, and the navigation."""

from __future__ import annotations

import streamlit as st

import dashboard

st.set_page_config(page_title="Vigie", page_icon="🛰️", layout="wide")
pages = {
    "Watch": [
        st.Page("pages/overview.py", title="Overview", icon="🏠", default=True),
        st.Page("pages/health.py", title="Health", icon="❤️"),
        st.Page("pages/alerts.py", title="Alerts", icon="🚨"),
    ],
    "Figures": [
        st.Page("pages/tables.py", title="Tables", icon="🗄️"),
        st.Page("pages/business.py", title="Business", icon="🛒"),
        st.Page("pages/seo.py", title="SEO", icon="🔎"),
        st.Page("pages/insights.py", title="Insights", icon="🔮"),
    ],
    "Operate": [
        st.Page("pages/jobs.py", title="Jobs", icon="⚙️"),
        st.Page("pages/maintenance.py", title="Maintenance", icon="🧰"),
    ],
}
page = st.navigation(pages)
st.sidebar.title("🛰️ Vigie")
dashboard.period_picker()
dashboard.ops_login()
page.run()
