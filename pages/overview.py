"""Overview placeholder: the newest value of every metric, read from the history store."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from monitor.config import load_settings
from monitor.errors import VigieError
from monitor.store import HistoryStore

st.title("Vigie")


@st.cache_data(ttl=30)
def _latest() -> dict[str, tuple[float, int]]:
    settings = load_settings()
    store = HistoryStore(settings.store_url, create=False)
    try:
        return {k: (v.value, v.ts) for k, v in store.latest().items()}
    finally:
        store.close()


try:
    values = _latest()
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
