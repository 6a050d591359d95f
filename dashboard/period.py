"""The period control shared by every page, and the range it stands for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import streamlit as st

from dashboard.data import now
from monitor.timerange import CUSTOM, PRESETS, TimeRange, custom, preset

RANGE_KEY = "period"
DATES_KEY = "period_dates"


def keep(widget: str, saved: str) -> None:
    """Copy a widget's value to the session key that outlives the page (`on_change`)."""
    st.session_state[saved] = st.session_state[widget]


def from_address(key: str, allowed: Sequence[str]) -> None:
    """A choice taken from the page's address (a bookmark, a shared link) when this session
    has made none yet."""
    wanted = st.query_params.get(key)
    if key not in st.session_state and wanted in allowed:
        st.session_state[key] = wanted


def to_address(key: str) -> None:
    """The session's choice written into the page's address, so the view can be bookmarked."""
    value = st.session_state.get(key)
    if value is not None and st.query_params.get(key) != str(value):
        st.query_params[key] = str(value)


def _default_dates() -> tuple[date, date]:
    today = datetime.now(UTC).date()
    return today - timedelta(days=7), today


def period_picker() -> None:
    """The period control, in the sidebar of every page. Its value is kept under a key of its
    own, so it survives page switches (a widget's own state would be dropped), and in the
    page's address. Custom applies at once, over the last week until other dates are chosen."""
    from_address(RANGE_KEY, [*PRESETS, CUSTOM])
    st.sidebar.segmented_control(
        "Period",
        [*PRESETS, CUSTOM],
        default=st.session_state.get(RANGE_KEY, "24 h"),
        key=f"{RANGE_KEY}_widget",
        required=True,
        on_change=keep,
        args=(f"{RANGE_KEY}_widget", RANGE_KEY),
    )
    to_address(RANGE_KEY)
    if st.session_state.get(RANGE_KEY) == CUSTOM:
        st.session_state.setdefault(DATES_KEY, _default_dates())
        st.sidebar.date_input(
            "From – to",
            value=st.session_state[DATES_KEY],
            key=f"{DATES_KEY}_widget",
            max_value=datetime.now(UTC).date(),
            on_change=keep,
            args=(f"{DATES_KEY}_widget", DATES_KEY),
        )


def period() -> TimeRange:
    """The chosen period (24 h when the page runs without app.py, as in a test)."""
    choice = st.session_state.get(RANGE_KEY) or "24 h"
    dates = st.session_state.get(DATES_KEY) or _default_dates()
    if choice == CUSTOM and isinstance(dates, tuple | list) and len(dates) == 2:
        return custom(dates[0], dates[1], now())
    return preset(choice if choice in PRESETS else "24 h", now())
