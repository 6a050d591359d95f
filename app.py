"""Vigie's dashboard entry point (the full multi-page dashboard is its own issue)."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Vigie", page_icon="🛰️", layout="wide")
overview = st.Page("pages/overview.py", title="Overview", icon="🏠", default=True)
st.navigation([overview]).run()
