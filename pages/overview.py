"""Overview: the 360° view. Status with why, headline figures against the previous period,
alerts by severity, and when each collector last wrote."""

from __future__ import annotations

import streamlit as st

import dashboard
from monitor import overview
from monitor.alerts import open_alerts
from monitor.fleet import Host
from monitor.notifications.channels import FAILING_RULE
from monitor.notifications.history import waiting_by_channel

dashboard.page("Overview")
AREAS = {"performance": "Performance", "business": "Business", "seo": "SEO"}
settings = dashboard.settings()
dashboard.store()
HOST = dashboard.hosts.host_picker()  # several hosts: whose machine figures the tiles show


@dashboard.access.live(dashboard.REFRESH_S)
def live() -> None:
    dashboard.refreshed()
    now = dashboard.now()
    rng = dashboard.period()
    active = dashboard.read(open_alerts, live=True)
    verdict = dashboard.health_check(detailed=False)
    state, reasons = verdict.status, verdict.reasons
    st.badge(state.upper(), color=dashboard.STATUS_COLOURS[state])  # type: ignore[arg-type]
    for reason in reasons[:6]:
        st.caption(reason)
    if not reasons:
        st.caption("Every check passes and no alert is open.")

    failing = [a.subject for a in active if a.rule == FAILING_RULE]
    if failing:
        waiting = dashboard.read(waiting_by_channel, live=True)
        for channel in failing:
            held = waiting.get(channel)
            st.error(
                f"Notifications to channel {channel} are failing"
                + (
                    f": {held.messages} message(s) wait, tried {held.attempts} times; "
                    f"its last answer: {held.answer or 'none'}"
                    if held
                    else ""
                )
                + ". Nothing is lost: they go when it takes them again.",
                icon=":material/notifications_off:",
            )

    collectors = dashboard.read(overview.freshness, settings, now)
    late = [f for f in collectors if f.late]
    if late:
        st.warning(
            "The collector daemon looks stopped or stuck: "
            + "; ".join(f"{f.collector} last wrote {dashboard.ago(f.age_s)}" for f in late)
            + ". Check that `python collector_daemon.py` runs."
        )

    # Open alerts before the figures: on a phone, what is wrong is the first thing read.
    st.subheader("Active alerts")
    counts = overview.alert_counts(active)
    columns = dashboard.tile_columns(4, "alerts")
    for column, (severity, count) in zip(columns, counts.items(), strict=True):
        column.metric(dashboard.severity_label(severity), count)

    st.subheader(f"Headline figures ({rng.label}, change against the previous {rng.label})")
    headlines = dashboard.read(
        overview.headlines, rng, overview.headline_metrics(dashboard.catalog()), HOST
    )
    for area, changes in headlines.items():
        on = f" of {HOST}" if HOST and area == "performance" else ""
        st.markdown(f"**{AREAS.get(area, area.capitalize())}{on}**")
        dashboard.change_tiles(changes)
    rows = [
        {"metric": c.metric, "value": c.value, "previous": c.previous, "changePercent": c.percent}
        for changes in headlines.values()
        for c in changes
    ]
    dashboard.download(rows, ["metric", "value", "previous", "changePercent"], name="headlines")

    fleet = dashboard.hosts.hosts()
    if len(fleet) > 1:
        hosts_table(fleet, now)

    st.subheader("Collectors")
    rows = [
        {
            "collector": f.collector,
            "lastWrite": dashboard.iso_or_none(f.last),
            "ageSeconds": None if f.age_s is None else round(f.age_s),
            "everySeconds": f.interval_s,
            "late": f.late,
        }
        for f in collectors
    ]
    # People read "3 min ago"; the CSV keeps the age in seconds.
    shown = [
        {**r, "ageSeconds": dashboard.ago(f.age_s)} for r, f in zip(rows, collectors, strict=True)
    ]
    dashboard.table(
        rows, ["collector", "lastWrite", "ageSeconds", "everySeconds", "late"],
        name="collectors", shown=shown,
    )  # fmt: skip

    st.subheader("Reports")
    st.caption(
        "The shop's trade, availability, alerts, predictions and advice, against the "
        "period before, as a PDF to read or pass on."
    )
    dashboard.reports.report_buttons()


def hosts_table(fleet: list[Host], now: float) -> None:
    """Each host of the fleet and when it last wrote its figures (a quiet one raises
    host_down)."""
    st.subheader("Hosts")
    quiet = [h.name for h in fleet if h.quiet(now)]
    if quiet:
        st.error(
            f"No figures from {', '.join(quiet)} for more than two of its intervals: check "
            "that the machine is up and its Vigie daemon runs.",
            icon=":material/dns:",
        )
    rows = [
        {
            "host": h.name,
            "lastWrite": dashboard.iso_or_none(h.last_write),
            "ageSeconds": round(h.age(now)),
            "everySeconds": h.interval_s,
            "quiet": h.quiet(now),
        }
        for h in fleet
    ]
    shown = [
        {**r, "ageSeconds": dashboard.ago(h.age(now))} for r, h in zip(rows, fleet, strict=True)
    ]
    dashboard.table(
        rows, ["host", "lastWrite", "ageSeconds", "everySeconds", "quiet"],
        name="hosts", shown=shown,
    )  # fmt: skip


live()
