"""The reports on the dashboard: yesterday's and last week's, as PDF, made when the button is
pressed (on a thread of their own: the page does not wait for them)."""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from dashboard.shell import settings
from monitor.metrics import catalog
from monitor.reports import KINDS, build, charts, pdf
from monitor.store import HistoryStore

TITLES = {"daily": "Yesterday's report", "weekly": "Last week's report"}


def _made(kind: str) -> Callable[[], bytes]:
    found = settings()  # read here: the button's thread has no page around it

    def make() -> bytes:
        store = HistoryStore(found.store_url, create=False, host=found.host_name)
        try:
            words = catalog(found)
            report = build(
                store, found, name=kind, period=KINDS[kind], now=time.time(), words=words
            )
            return pdf(report, words, charts(report, words))
        finally:
            store.close()

    return make


def report_buttons() -> None:
    """A download button for each report, as PDF."""
    for column, kind in zip(st.columns(len(TITLES)), TITLES, strict=True):
        column.download_button(
            f"{TITLES[kind]} (PDF)",
            data=_made(kind),
            file_name=f"vigie-{kind}-report.pdf",
            mime="application/pdf",
            icon=":material/summarize:",
            key=f"report-{kind}",
        )
