"""Alerts: the open ones by priority (ops acknowledge them), the history with filters, the
silences and the notification log."""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

import dashboard
from monitor import report
from monitor.access import NotAuthorized, Person
from monitor.alerts import Alert, AlertBook, alerts_between, open_alerts
from monitor.config import SEVERITIES
from monitor.errors import ConfigError
from monitor.jobs.maintenance import acknowledge_alert
from monitor.notifications import mutes, silences, windows
from monitor.notifications.history import LOG_COLUMNS, notification_log
from monitor.notifications.testing import send_test_as
from monitor.store import HistoryStore

dashboard.page("Alerts")
settings = dashboard.settings()
store = dashboard.store()
CATALOG = dashboard.catalog()
RULES = {rule.name: rule for rule in settings.alerts.effective()}
KINDS = {name: rule.baseline for name, rule in RULES.items()}
COLUMNS = [
    "id",
    "title",
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
    "silenced",
    "silencedBy",
]


def _quiet(reader: HistoryStore, now: float) -> mutes.Mutes:
    return mutes.read(reader, settings, now)


def _row(alert: Alert, quiet: mutes.Mutes | None = None) -> dict[str, object]:
    shown = report.alert(dashboard.hosts.in_words(alert), quiet, RULES, dashboard.catalog())
    for key in ("openedAt", "resolvedAt", "acknowledgedAt"):
        shown[key] = dashboard.iso_or_none(shown[key])
    return shown


def _figure(alert: Alert, value: float | None) -> str:
    return report.alert_figure(alert.metric, value, KINDS.get(alert.rule, "value"), CATALOG)


def _acknowledge(alert: Alert, person: Person) -> None:
    try:
        acknowledge_alert(AlertBook(store, []), alert.id, person=person, now=time.time())
    except NotAuthorized as exc:  # the role changed since the page was drawn
        st.error(str(exc))
        return
    dashboard.forget_live()  # show the acknowledgement at once
    st.rerun()


@dashboard.access.live(dashboard.REFRESH_S)
def active() -> None:
    dashboard.refreshed()
    opened = dashboard.read(open_alerts, live=True)
    quiet = dashboard.read(_quiet, dashboard.now(), live=True)
    st.subheader(f"Open alerts ({len(opened)})")
    if not opened:
        st.success("No alert is open.")
    person = dashboard.access.person()
    allowed = person.may("ops")
    for alert in opened:
        with st.container(border=True):
            left, right = st.columns([4, 1])
            with left:
                dashboard.severity_badge(alert.severity)
                titled = dashboard.hosts.in_words(alert)
                st.markdown(f"**{report.alert_title(titled, RULES.get(alert.rule), CATALOG)}**")
                st.caption(alert.message)
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
                hushed = quiet.why(alert.rule, alert.subject, alert.severity)
                if hushed:
                    st.caption(f":material/notifications_off: Not notified: {hushed}")
                dashboard.chart_link(alert.metric, f"Chart of {CATALOG.title(alert.metric)}")
            with right:
                if not alert.acknowledged_by and st.button(
                    "Acknowledge",
                    key=f"ack-{alert.id}",
                    disabled=not allowed,
                    help=None if allowed else dashboard.access.refusal("ops"),
                ):
                    _acknowledge(alert, person)
    dashboard.download([_row(a, quiet) for a in opened], COLUMNS, name="alerts-open")


def past() -> None:
    rng = dashboard.period()
    st.subheader(f"History ({rng.label})")
    # A period ending now runs to this very second (now() is rounded down for the cache).
    until = None if rng.end >= dashboard.now() else rng.end
    found = dashboard.read(alerts_between, rng.start, until)
    severities = st.multiselect("Severity", list(reversed(SEVERITIES)), key="alert_severity")
    states = st.multiselect("State", ["open", "resolved"], key="alert_state")
    rules = st.multiselect(
        "Rule", sorted({a.rule for a in found}), key="alert_rule", format_func=dashboard.said
    )
    shown = [
        _row(a)
        for a in found
        if (not severities or a.severity in severities)
        and (not states or a.state in states)
        and (not rules or a.rule in rules)
    ]
    dashboard.table(shown, COLUMNS, name="alerts-history")


def _silence_action(action: Callable[[], object]) -> None:
    try:
        action()
    except (NotAuthorized, silences.NoSuchSilence) as exc:
        st.error(str(exc))
        return
    st.cache_data.clear()  # the silence shows (or goes) at once
    st.rerun()


def _end_silence(silence_id: int, person: Person) -> None:
    _silence_action(lambda: silences.end(store, person, silence_id, now=time.time()))


def _silence_form(person: Person) -> None:
    with st.expander("Silence alerts during planned work", expanded=False):
        with st.form("silence", border=False):
            rule = st.text_input("Rules (a name or a glob)", value="*", max_chars=100)
            subject = st.text_input("Subjects (a name or a glob)", value="*", max_chars=300)
            minutes = st.number_input("For (minutes)", min_value=1, max_value=43_200, value=60)
            comment = st.text_input("Why", max_chars=500)
            sent = st.form_submit_button("Silence", disabled=not person.may("ops"))
        if sent:
            if not comment.strip():
                st.error("Say why: the silence is shown to everyone with its reason.")
                return
            _silence_action(lambda: silences.create(
                store, person, rule=rule, subject=subject, max_severity="critical",
                duration_s=int(minutes) * 60, comment=comment, now=time.time(),
            ))  # fmt: skip


def _windows(now: float) -> None:
    """The configured maintenance windows: those running, and the next week's."""
    if not settings.maintenance_windows:
        return
    coming = windows.between(settings.maintenance_windows, now, now + 7 * 86400)
    st.subheader(f"Maintenance windows ({sum(s.start <= now for s in coming)} running)")
    for span in coming[:20]:
        window = span.window
        running = "running, " if span.start <= now else ""
        st.caption(
            f"{window.name}: {running}{dashboard.when(span.start)} to {dashboard.when(span.end)}"
            f" — {window.rule} on {window.subject} (up to {window.max_severity})"
            + (f": {window.comment}" if window.comment else "")
        )


def _test_channels(person: Person) -> None:
    if not settings.notify.channels:
        return
    allowed = person.may("admin")
    if not st.button(
        "Send a test message to every channel",
        disabled=not allowed,
        help=None if allowed else dashboard.access.refusal("admin"),
    ):
        return
    try:
        answers = send_test_as(store, settings, person, now=time.time())
    except (NotAuthorized, ConfigError) as exc:
        st.error(str(exc))
        return
    for answer in answers:
        (st.success if answer.taken else st.error)(answer.line())


def notified() -> None:
    now = dashboard.now()
    in_force = [s for s in dashboard.read(silences.listing, now) if s.ends_at > now]
    st.subheader(f"Silences ({len(in_force)} in force)")
    if not in_force:
        st.caption("No silence is in force: every alert is notified.")
    person = dashboard.access.person()
    for silence in in_force:
        words, end = st.columns([5, 1])
        words.caption(
            # Patterns, which people type: shown as typed.
            f"`{silence.rule}` on `{silence.subject}` (up to {silence.max_severity}) until "
            f"{dashboard.when(silence.ends_at)}, by {silence.created_by}: {silence.comment}"
        )
        if end.button("End", key=f"end-silence-{silence.id}", disabled=not person.may("ops")):
            _end_silence(silence.id, person)
    _silence_form(person)
    _windows(now)
    st.subheader("Notifications")
    _test_channels(person)
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
