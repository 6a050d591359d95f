"""Availability: each part of the shop's availability over 24 h, 7, 30 and 90 days, then one
part at a time: its days as coloured bars, its incidents with their cause. Time in a
maintenance window is apart; time Vigie did not watch is "no data", never up."""

from __future__ import annotations

from typing import Any

import streamlit as st

import dashboard
from monitor.availability import PERIODS, as_dict, availability
from monitor.store import HistoryStore

dashboard.page("Availability")
settings = dashboard.settings()
dashboard.store()
WORDS = {"24h": "24 h", "7d": "7 days", "30d": "30 days", "90d": "90 days"}


def _report(store: HistoryStore, now: float, days: int) -> list[dict[str, Any]]:
    words = dashboard.catalog()
    found = availability(store, settings, now=now, days=days, words=words)
    return [as_dict(a, words) for a in found]


def _percent(value: float | None) -> str:
    return "no data" if value is None else f"{value:.3f} %".replace(".000 %", " %")


def _cause(alert: dict[str, Any] | None) -> str:
    return "" if alert is None else f"{alert['title']} ({alert['subject']})"


def _span(seconds: float | None) -> str:
    return "—" if seconds is None else dashboard.catalog().figure("performance.uptime", seconds)


@dashboard.access.live(dashboard.REFRESH_S)
def live() -> None:
    dashboard.refreshed()
    days = st.segmented_control(
        "Incidents of the last",
        [1, 7, 30, 90],
        default=30,
        format_func=lambda n: "24 h" if n == 1 else f"{n} days",
        key="availability_days",
        required=True,
    )
    found = dashboard.read(_report, dashboard.now(), int(days or 30))
    st.caption(
        "Up time against up and down time; time in a maintenance window is counted apart, "
        "and time Vigie was not watching is no data, never up."
    )
    rows = [
        {
            "component": c["title"],
            **{f"availability{k}": c["periods"][k]["availability"] for k in PERIODS},
            "incidents": len(c["incidents"]),
            "mttrSeconds": c["mttrSeconds"],
            "longestSeconds": c["longestSeconds"],
        }
        for c in found
    ]
    shown = [
        {
            **r,
            **{f"availability{k}": _percent(r[f"availability{k}"]) for k in PERIODS},
            "mttrSeconds": _span(r["mttrSeconds"]),
            "longestSeconds": _span(r["longestSeconds"]),
        }
        for r in rows
    ]
    columns = ["component", *(f"availability{k}" for k in PERIODS), "incidents"]
    dashboard.table(
        rows, [*columns, "mttrSeconds", "longestSeconds"], name="availability", shown=shown
    )
    titles = {c["component"]: c["title"] for c in found}
    picked = st.pills(
        "Component",
        list(titles),
        default=None if "availability_component" in st.session_state else next(iter(titles)),
        format_func=lambda key: titles[key],
        key="availability_component",
        required=True,
    )
    chosen = next((c for c in found if c["component"] == picked), None)
    if chosen is not None:
        one(chosen, int(days or 30))


def one(found: dict[str, Any], days: int) -> None:
    """One component: its figures per period, its 90 days, its incidents."""
    for column, key in zip(dashboard.tile_columns(4, "availability"), PERIODS, strict=True):
        figures = found["periods"][key]
        column.metric(
            WORDS[key],
            _percent(figures["availability"]),
            help=f"down {_span(figures['downSeconds'])}, maintenance "
            f"{_span(figures['maintenanceSeconds'])}, no data {_span(figures['noDataSeconds'])}",
        )
    dashboard.availability_bars(
        found["daily"], title=f"{found['title']}: the last 90 days", key=found["component"]
    )
    incidents = found["incidents"]
    label = "24 h" if days == 1 else f"{days} days"
    st.subheader(f"Incidents of the last {label} ({len(incidents)})")
    if not incidents:
        st.success("No downtime in this period.")
        return
    rows = [
        {
            "start": i["start"],
            "end": i["end"],
            "durationSeconds": i["durationSeconds"],
            "cause": ""
            if i["cause"] is None
            else f"{i['cause']['title']} ({i['cause']['subject']})",
        }
        for i in reversed(incidents)
    ]
    shown = [{**r, "durationSeconds": _span(r["durationSeconds"])} for r in rows]
    dashboard.table(
        rows, ["start", "end", "durationSeconds", "cause"], name="incidents", shown=shown
    )


live()
