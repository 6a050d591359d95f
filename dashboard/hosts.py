"""The fleet on the pages: which hosts write the store, and the host picker of Health and
Overview (shown only where there are several: one machine reads as if figures had no host)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard.data import read
from dashboard.period import from_address, to_address
from dashboard.shell import catalog, settings
from monitor.alerts import Alert
from monitor.fleet import Fleet, Host, on_host, pick, unhosted
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
    # Kept under a key of its own, not the widget's: the choice outlives the page it was
    # made on (Streamlit drops a widget's state on pages that do not draw it).
    shown = pick(names, st.session_state.get(HOST_KEY), settings().host_name)
    chosen = st.segmented_control("Host", names, default=shown, required=True)
    st.session_state[HOST_KEY] = chosen if chosen in names else shown
    to_address(HOST_KEY)
    return str(st.session_state[HOST_KEY])


def in_words(alert: Alert) -> Alert:
    """The alert as the pages name it: with one host, its subject without the host."""
    return alert if several() else replace(alert, subject=unhosted(alert.subject))


def labels_for(metric: str, host: str | None) -> Labels:
    """The labels of `metric`'s series on `host` (none for the shop's own figures)."""
    return on_host((), host) if host is not None and catalog().per_host(metric) else ()
