"""The period control shared by every page, and the range it stands for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from dashboard.data import now
from monitor.timerange import CUSTOM, PRESETS, TimeRange, custom, preset

RANGE_KEY = "period"
DATES_KEY = "period_dates"


def keep(widget: str, saved: str) -> None:
    """Copy a widget's value to the session key that outlives the page (`on_change`)."""
    st.session_state[saved] = st.session_state[widget]


def period_picker() -> None:
    """The period control, in the sidebar of every page. Its value is kept under a key of its
    own, so it survives page switches (a widget's own state would be dropped)."""
    st.sidebar.segmented_control(
        "Period",
        [*PRESETS, CUSTOM],
        default=st.session_state.get(RANGE_KEY, "24 h"),
        key=f"{RANGE_KEY}_widget",
        required=True,
        on_change=keep,
        args=(f"{RANGE_KEY}_widget", RANGE_KEY),
    )
    if st.session_state.get(RANGE_KEY) == CUSTOM:
        today = datetime.now(UTC).date()
        st.sidebar.date_input(
            "From – to",
            value=st.session_state.get(DATES_KEY, (today - timedelta(days=7), today)),
            key=f"{DATES_KEY}_widget",
            max_value=today,
            on_change=keep,
            args=(f"{DATES_KEY}_widget", DATES_KEY),
        )


def period() -> TimeRange:
    """The chosen period (24 h when the page runs without app.py, as in a test)."""
    choice = st.session_state.get(RANGE_KEY) or "24 h"
    dates = st.session_state.get(DATES_KEY)
    if choice == CUSTOM and isinstance(dates, tuple | list) and len(dates) == 2:
        return custom(dates[0], dates[1], now())
    return preset(choice if choice in PRESETS else "24 h", now())
