"""Overview placeholder: the newest value of every metric, read from the history store."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from monitor.config import load_settings
from monitor.errors import VigieError
from monitor.store import HistoryStore

st.title("Vigie")


@st.cache_data(ttl=30, max_entries=4)
def _latest(store_url: str) -> dict[str, tuple[float, int]]:
    store = HistoryStore(store_url, create=False)
    try:
        return {k: (v.value, v.ts) for k, v in store.latest().items()}
    finally:
        store.close()


try:
    values = _latest(load_settings().store_url)
except VigieError as exc:
    st.warning(f"{exc}. Start the collector with `make run` or `python collector_daemon.py`.")
    st.stop()

if not values:
    st.info("The collector has not written anything yet: it fills the store within two minutes.")
    st.stop()

st.dataframe(
    [
        {"metric": k, "value": v, "at": datetime.fromtimestamp(ts, UTC).isoformat()}
        for k, (v, ts) in values.items()
    ],
)
