"""Insights: predicted issues first, then trends, comparisons with previous weeks and advice."""

from __future__ import annotations

import time

import streamlit as st

import dashboard
from monitor import insights

st.title("Insights")
settings = dashboard.settings()
dashboard.store()


@st.fragment(run_every=5 * dashboard.REFRESH_S)
def live() -> None:
    summary = dashboard.read(insights.summarize, settings.alerts.effective(), now=dashboard.now())
    st.subheader("Predicted issues")
    issues = summary["predictedIssues"]
    if issues:
        rows = [
            {
                "metric": i["metric"],
                "severity": i["severity"],
                "threshold": i["threshold"],
                "at": dashboard.iso_or_none(i["at"]),
                "inDays": i["inDays"],
                "confidence": i["confidence"],
            }
            for i in issues
        ]
        dashboard.table(
            rows,
            ["metric", "severity", "threshold", "at", "inDays", "confidence"],
            name="predicted",
        )
    else:
        st.success("No metric is expected to cross an alert threshold within 7 days.")
    st.subheader("Trends")
    dashboard.table(
        [{"area": a, "trend": t} for a, t in summary["trends"].items()],
        ["area", "trend"],
        name="trends",
    )
    st.subheader("Against the same hour of previous weeks")
    dashboard.table(
        [
            {
                "metric": b.metric,
                "current": b.current,
                "usual": b.usual,
                "weeks": b.weeks,
                "deviationPercent": round(b.deviation_percent, 1),
            }
            for b in summary["baselines"]
        ],
        ["metric", "current", "usual", "weeks", "deviationPercent"],
        name="baselines",
    )
    st.caption(f"Computed {dashboard.when(time.time())}.")


live()
