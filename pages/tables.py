"""Tables: the shop's critical tables at a glance, and one table's history."""

from __future__ import annotations

import streamlit as st

import dashboard
from monitor import history, overview

dashboard.page("Tables")
settings = dashboard.settings()
dashboard.store()
names = settings.source.critical_tables
CATALOG = dashboard.catalog()
FIGURES = ("recordCount", "queryTime", "sizeBytes")
STATISTICS = ("deadRows", "seqScans", "indexScans", "vacuumAge")


@dashboard.access.live(dashboard.REFRESH_S)
def live() -> None:
    dashboard.refreshed()
    now = dashboard.now()
    rng = dashboard.period()
    rows = dashboard.read(overview.tables, names, rng, now)
    st.subheader(f"Critical tables (growth over {rng.label})")
    # People read titles and units; the CSV keeps the names and the numbers.
    shown = [
        {
            **r,
            "accessible": CATALOG.figure("database.*.accessible", r["accessible"]),
            "recordCount": CATALOG.figure("database.*.recordCount", r["recordCount"]),
            "growth": CATALOG.change("database.*.recordCount", r["growth"]),
            "queryTime": CATALOG.figure("database.*.queryTime", r["queryTime"]),
            "sizeBytes": CATALOG.figure("database.*.sizeBytes", r["sizeBytes"]),
            "recommendations": r["recommendations"] or "—",
        }
        for r in rows
    ]
    columns = ["table", "accessible", "recordCount", "growth", "queryTime", "sizeBytes"]
    clicked = dashboard.table(
        rows, [*columns, "recommendations"], name="tables", shown=shown, pick=True
    )

    # The first table with figures, rather than one the daemon could not read.
    first = next((i for i, r in enumerate(rows) if r["recordCount"] is not None), 0)
    dashboard.from_address("table", names)
    # A row clicked in the table opens its history below (once: the selectbox may move on).
    if clicked is not None and st.session_state.get("table_clicked") != clicked:
        st.session_state["table"] = rows[clicked]["table"]
    st.session_state["table_clicked"] = clicked
    picked = st.selectbox(
        "History of one table",
        names,
        index=None if "table" in st.session_state else first,
        key="table",
        format_func=CATALOG.table,
    )
    dashboard.to_address("table")
    if picked:
        st.caption(f"Its name in the shop's database: `{picked}`")
        for figure in FIGURES + STATISTICS:
            metric = f"database.{picked}.{figure}"
            points = dashboard.read(history.chart, metric, rng)
            if figure in STATISTICS and not points:
                continue  # PostgreSQL's statistics: nothing to say on SQLite
            dashboard.chart(
                {metric: points},
                title=CATALOG.title(metric),
                unit=CATALOG.axis(metric),
                key=f"{picked}-{figure}",
                height=250,
            )


live()
