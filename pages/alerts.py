"""Alerts: the open ones by priority (ops acknowledge them), the history with filters, the
silences and the notification log."""

from __future__ import annotations

import time

import streamlit as st

import dashboard
from monitor import report
from monitor.alerts import Alert, AlertBook, alerts_between, open_alerts
from monitor.config import SEVERITIES
from monitor.jobs.maintenance import NotAuthorized, acknowledge_alert
from monitor.notifications.history import LOG_COLUMNS, notification_log, silences_now

dashboard.page("Alerts")
settings = dashboard.settings()
store = dashboard.store()
KINDS = {rule.name: rule.baseline for rule in settings.alerts.effective()}
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


def _row(alert: Alert) -> dict[str, object]:
    shown = report.alert(alert)
    for key in ("openedAt", "resolvedAt", "acknowledgedAt"):
        shown[key] = dashboard.iso_or_none(shown[key])
    return shown


def _figure(alert: Alert, value: float | None) -> str:
    return report.alert_figure(alert.metric, value, KINDS.get(alert.rule, "value"))


def _acknowledge(alert: Alert, ops: tuple[str, str]) -> None:
    try:
        acknowledge_alert(
            AlertBook(store, []),
            alert.id,
            actor=ops[0],
            token=ops[1],
            settings=settings,
            now=time.time(),
        )
    except NotAuthorized as exc:  # the secret was changed since the page was drawn
        st.error(str(exc))
        return
    dashboard.forget_live()  # show the acknowledgement at once
    st.rerun()


@st.fragment(run_every=dashboard.REFRESH_S)
def active() -> None:
    opened = dashboard.read(open_alerts, live=True)
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
                acknowledged = (
                    f"; acknowledged by {alert.acknowledged_by} at "
                    f"{dashboard.when(alert.acknowledged_at)}"
                    if alert.acknowledged_by
                    else ""
                )
                st.caption(
                    f"{_figure(alert, alert.value)} (threshold {_figure(alert, alert.threshold)}),"
                    f" open since {dashboard.when(alert.opened_at)}{acknowledged}"
                )
            with right:
                if not alert.acknowledged_by and st.button(
                    "Acknowledge",
                    key=f"ack-{alert.id}",
                    disabled=ops is None,
                    help=None if ops else "Ops only: give your name and the ops secret",
                ):
                    assert ops is not None
                    _acknowledge(alert, ops)
    dashboard.download([_row(a) for a in opened], COLUMNS, name="alerts-open")


def past() -> None:
    rng = dashboard.period()
    st.subheader(f"History ({rng.label})")
    # A period ending now runs to this very second (now() is rounded down for the cache).
    until = None if rng.end >= dashboard.now() else rng.end
    found = dashboard.read(alerts_between, rng.start, until)
    severities = st.multiselect("Severity", list(reversed(SEVERITIES)), key="alert_severity")
    states = st.multiselect("State", ["open", "resolved"], key="alert_state")
    rules = st.multiselect("Rule", sorted({a.rule for a in found}), key="alert_rule")
    shown = [
        _row(a)
        for a in found
        if (not severities or a.severity in severities)
        and (not states or a.state in states)
        and (not rules or a.rule in rules)
    ]
    dashboard.table(shown, COLUMNS, name="alerts-history")


def notified() -> None:
    now = dashboard.now()
    in_force = [s for s in dashboard.read(silences_now, now) if s.ends_at > now]
    st.subheader(f"Silences ({len(in_force)} in force)")
    if not in_force:
        st.caption("No silence is in force: every alert is notified.")
    for silence in in_force:
        st.caption(
            f"{silence.rule} on {silence.subject} (up to {silence.max_severity}) until "
            f"{dashboard.when(silence.ends_at)}, by {silence.created_by}: {silence.comment}"
        )
    st.subheader("Notifications")
    log = dashboard.read(notification_log)
    if not log:
        st.caption("Nothing was sent yet (channels are set under [notify] in the configuration).")
        return
    shown = [
        {**row, "createdAt": dashboard.iso_or_none(row["createdAt"]),
         "sentAt": dashboard.iso_or_none(row["sentAt"])}
        for row in log
    ]  # fmt: skip
    dashboard.table(shown, LOG_COLUMNS, name="notifications")


active()
past()
notified()
