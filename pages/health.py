"""Health: every check of the detailed health check, with its status, time and figures; the
machine and site figures against the previous period, and one's chart."""

from __future__ import annotations

import streamlit as st

import dashboard

dashboard.page("Health")
dashboard.store()
METRICS = dashboard.area.metrics_of("performance")
# With several hosts, whose machine figures the page shows (none: one host, no picker).
HOST = dashboard.hosts.host_picker()


def _detail(key: str, value: object) -> str:
    """A check's figure for people: units, thousands, times."""
    if key == "lastCollection" and isinstance(value, int | float):
        return dashboard.when(value)
    if key == "hosts" and isinstance(value, list):
        return ", ".join(f"{h['host']} {dashboard.ago(h['ageSeconds'])}" for h in value)
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    if isinstance(value, int | float) and not isinstance(value, bool):
        unit = {"percent": " %", "usedMb": " MB", "ageSeconds": " s", "limitSeconds": " s"}
        return f"{value:,.1f}{unit[key]}" if key in unit else f"{value:,}"
    return str(value)


@dashboard.access.live(dashboard.REFRESH_S)
def live() -> None:
    dashboard.refreshed()
    result = dashboard.health_check(detailed=True)
    st.badge(result.status.upper(), color=dashboard.STATUS_COLOURS[result.status])  # type: ignore[arg-type]
    for reason in result.reasons:
        st.caption(reason)
    rows = []
    for check in result.checks:
        with st.container(border=True):
            name, state, took = st.columns([2, 1, 1])
            name.markdown(f"**{check.name}**")
            with state:
                st.badge(check.status, color=dashboard.STATUS_COLOURS[check.status])  # type: ignore[arg-type]
            took.markdown(
                "—" if check.response_time_ms is None else f"{check.response_time_ms:,.1f} ms"
            )
            if check.reason:
                st.caption(check.reason)
            if check.detail and dashboard.access.may("ops"):  # where it failed: ops' business
                st.caption(check.detail)
            # One machine: its name is noise; several: which host is late is the point.
            shown = {
                k: v
                for k, v in check.details.items()
                if dashboard.hosts.several() or k not in ("host", "hosts")
            }
            if shown:
                st.caption(
                    " · ".join(f"{dashboard.header(k)}: {_detail(k, v)}" for k, v in shown.items())
                )
        rows.append(
            {
                "check": check.name,
                "status": check.status,
                "responseTimeMs": check.response_time_ms,
                "reason": check.reason,
                **{
                    k: dashboard.iso_or_none(v) if k == "lastCollection" else v
                    for k, v in check.details.items()
                    if not isinstance(v, list | dict)
                },
            }
        )
    columns = list(dict.fromkeys(k for row in rows for k in row))
    dashboard.download(rows, columns, name="health")


@dashboard.access.live(dashboard.REFRESH_S)
def figures() -> None:
    st.subheader("Machine and site figures" + (f" of {HOST}" if HOST else ""))
    dashboard.area.tiles(METRICS, dashboard.period(), HOST)
    dashboard.area.over_time(METRICS, "health_metric", HOST)


live()
figures()
