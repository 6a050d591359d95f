"""The fleet on the pages: which hosts write the store, and the host picker of Health and
Overview (shown only where there are several: one machine reads as if figures had no host)."""

from __future__ import annotations

import streamlit as st

from dashboard.data import read
from dashboard.period import from_address, to_address
from dashboard.shell import catalog, settings
from monitor.fleet import Fleet, Host, on_host, pick
from monitor.samples import Labels
from monitor.store import HistoryStore

HOST_KEY = "host"


def _hosts(store: HistoryStore) -> list[Host]:
    return Fleet(store).hosts()


def hosts() -> list[Host]:
    """Every host that writes the store, by name (cached with the other reads)."""
    return read(_hosts, live=True)


def several() -> bool:
    return len(hosts()) > 1


def host_picker() -> str | None:
    """The host whose figures the page shows: picked by the person (kept in the address),
    else this machine, else the first; None with a single host (no picker then)."""
    names = [h.name for h in hosts()]
    if len(names) < 2:
        return None
    from_address(HOST_KEY, names)
    if st.session_state.get(HOST_KEY) not in names:
        st.session_state[HOST_KEY] = pick(names, None, settings().host_name)
    chosen = st.segmented_control("Host", names, key=HOST_KEY, required=True)
    to_address(HOST_KEY)
    return str(chosen) if chosen else pick(names, None, settings().host_name)


def labels_for(metric: str, host: str | None) -> Labels:
    """The labels of `metric`'s series on `host` (none for the shop's own figures)."""
    return on_host((), host) if host is not None and catalog().per_host(metric) else ()
