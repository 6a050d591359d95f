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


def _written(key: str) -> str:
    return f"_address_{key}"


def from_address(key: str, allowed: Sequence[str]) -> None:
    """A choice taken from the page's address when it came from outside this session's own
    choices: a bookmark, a shared link, a link from a tile or an alert."""
    wanted = st.query_params.get(key)
    if wanted in allowed and wanted != st.session_state.get(_written(key)):
        st.session_state[key] = wanted
        st.session_state[_written(key)] = wanted


def to_address(key: str) -> None:
    """The session's choice written into the page's address, so the view can be bookmarked."""
    value = st.session_state.get(key)
    if value is not None and st.query_params.get(key) != str(value):
        st.query_params[key] = str(value)
    if value is not None:
        st.session_state[_written(key)] = str(value)


FROM, TO = "from", "to"


def address_of_dates(dates: Sequence[date]) -> dict[str, str]:
    """A custom period's days as the address writes them: from=2026-11-28&to=2026-11-30."""
    first, last = (dates[0], dates[-1]) if dates else _default_dates()
    return {FROM: first.isoformat(), TO: last.isoformat()}


def _dates_from_address() -> None:
    """A custom period's days from the address, when they came from outside the session."""
    try:
        wanted = (
            date.fromisoformat(st.query_params[FROM]),
            date.fromisoformat(st.query_params[TO]),
        )
    except (KeyError, ValueError):
        return  # none, or not days: the session's own (or last week's) stand
    if wanted[0] <= wanted[1] and wanted != st.session_state.get(_written(DATES_KEY)):
        st.session_state[DATES_KEY] = st.session_state[_written(DATES_KEY)] = wanted


def set_period(first: date, last: date) -> None:
    """Ask for a custom period (a chart's zoom); the next run of the app applies it."""
    st.session_state[PENDING_KEY] = (first, last)


PENDING_KEY = "period_pending"


def _apply_pending() -> None:
    pending = st.session_state.pop(PENDING_KEY, None)
    if pending:  # before the period's widgets are drawn, which then show it
        st.session_state[RANGE_KEY] = CUSTOM
        st.session_state[DATES_KEY] = pending


def _default_dates() -> tuple[date, date]:
    today = datetime.now(UTC).date()
    return today - timedelta(days=7), today


def period_picker() -> None:
    """The period control, in the sidebar of every page. Its value is kept under a key of its
    own, so it survives page switches (a widget's own state would be dropped), and in the
    page's address. Custom applies at once, over the last week until other dates are chosen;
    its days are in the address too."""
    _apply_pending()
    from_address(RANGE_KEY, [*PRESETS, CUSTOM])
    # The widgets show the kept choice (a link's or a zoom's too): their state is set, not
    # their default, which Streamlit reads once.
    _show(f"{RANGE_KEY}_widget", st.session_state.get(RANGE_KEY) or "24 h")
    st.sidebar.segmented_control(
        "Period",
        [*PRESETS, CUSTOM],
        key=f"{RANGE_KEY}_widget",
        required=True,
        on_change=keep,
        args=(f"{RANGE_KEY}_widget", RANGE_KEY),
    )
    to_address(RANGE_KEY)
    if st.session_state.get(RANGE_KEY) != CUSTOM:
        for key in (FROM, TO):
            if key in st.query_params:
                del st.query_params[key]
        return
    _dates_from_address()
    _show(f"{DATES_KEY}_widget", st.session_state.setdefault(DATES_KEY, _default_dates()))
    st.sidebar.date_input(
        "From – to",
        key=f"{DATES_KEY}_widget",
        max_value=datetime.now(UTC).date(),
        on_change=keep,
        args=(f"{DATES_KEY}_widget", DATES_KEY),
    )
    dates = st.session_state[DATES_KEY]
    if isinstance(dates, tuple | list) and len(dates) == 2:
        for key, value in address_of_dates(dates).items():
            if st.query_params.get(key) != value:
                st.query_params[key] = value
        st.session_state[_written(DATES_KEY)] = tuple(dates)


def _show(widget: str, value: object) -> None:
    if st.session_state.get(widget) != value:
        st.session_state[widget] = value


def period() -> TimeRange:
    """The chosen period (24 h when the page runs without app.py, as in a test)."""
    choice = st.session_state.get(RANGE_KEY) or "24 h"
    dates = st.session_state.get(DATES_KEY) or _default_dates()
    if choice == CUSTOM and isinstance(dates, tuple | list) and len(dates) == 2:
        return custom(dates[0], dates[1], now())
    return preset(choice if choice in PRESETS else "24 h", now())
