"""Alerts: the open ones by priority (ops acknowledge them), and the history with filters."""

from __future__ import annotations

import time

import streamlit as st

import dashboard
from monitor import report
from monitor.alerts import AlertBook
from monitor.config import SEVERITIES

st.title("Alerts")
settings = dashboard.settings()
store = dashboard.store()
book = AlertBook(store, settings.alerts.effective())
COLUMNS = [
    "id",
    "rule",
    "subject",
    "metric",
    "severity",
    "state",
    "value",
    "threshold",
    "message",
    "openedAt",
    "resolvedAt",
    "acknowledgedBy",
    "acknowledgedAt",
]


def _row(alert: dict[str, object]) -> dict[str, object]:
    return {
        **alert,
        **{
            k: dashboard.iso_or_none(alert[k]) for k in ("openedAt", "resolvedAt", "acknowledgedAt")
        },
    }


@st.fragment(run_every=dashboard.REFRESH_S)
def active() -> None:
    opened = book.active()
    st.subheader(f"Open alerts ({len(opened)})")
    if not opened:
        st.success("No alert is open.")
    ops = dashboard.ops()
    for alert in opened:
        with st.container(border=True):
            left, right = st.columns([4, 1])
            with left:
                dashboard.severity_badge(alert.severity)
                st.markdown(f"**{alert.message}** — {alert.subject}")
                st.caption(
                    f"{report.human(alert.metric, alert.value)} (threshold "
                    f"{report.human(alert.metric, alert.threshold)}), open since "
                    f"{dashboard.when(alert.opened_at)}"
                    + (
                        f"; acknowledged by {alert.acknowledged_by} at "
                        f"{dashboard.when(alert.acknowledged_at)}"
                        if alert.acknowledged_by
                        else ""
                    )
                )
            with right:
                if not alert.acknowledged_by and st.button(
                    "Acknowledge",
                    key=f"ack-{alert.id}",
                    disabled=ops is None,
                    help=None if ops else "Ops only: give your name and the ops secret",
                ):
                    assert ops is not None
                    book.acknowledge(alert.id, ops[0], now=time.time())
                    st.rerun()
    dashboard.download([_row(report.alert(a)) for a in opened], COLUMNS, name="alerts-open")


def past() -> None:
    rng = dashboard.period()
    st.subheader(f"History ({rng.label})")
    found = [report.alert(a) for a in book.history(since=rng.start, limit=2000)]
    severities = st.multiselect("Severity", list(reversed(SEVERITIES)), key="alert_severity")
    states = st.multiselect("State", ["open", "resolved"], key="alert_state")
    rules = st.multiselect("Rule", sorted({a["rule"] for a in found}), key="alert_rule")
    shown = [
        _row(a)
        for a in found
        if (not severities or a["severity"] in severities)
        and (not states or a["state"] in states)
        and (not rules or a["rule"] in rules)
    ]
    dashboard.table(shown, COLUMNS, name="alerts-history")


active()
past()
