"""Insights: predicted issues first, then advice, forecasts with their band and anomalies,
trends, how accurate each forecast has been, the usual week, and table growth."""

from __future__ import annotations

import streamlit as st

import dashboard
from monitor import history
from monitor.insights import findings as insights
from monitor.timerange import preset

dashboard.page("Insights")
settings = dashboard.settings()
dashboard.store()
CATALOG = dashboard.catalog()


def _table(title: str, rows: list[dict[str, object]], columns: list[str], name: str) -> None:
    st.subheader(title)
    dashboard.table(rows, columns, name=name)


@dashboard.access.live(5 * dashboard.REFRESH_S)
def live() -> None:
    dashboard.refreshed(5 * dashboard.REFRESH_S)
    now = dashboard.now()
    found = dashboard.read(insights.report, settings, now=now)

    horizon = settings.insights.horizon_days
    st.subheader(f"Predicted issues (next {horizon:g} days)")
    issues = found["predictedIssues"]
    if issues:
        columns = ["metric", "severity", "threshold", "at", "inDays", "earliestDays"]
        columns += ["latestDays", "confidence", "backtested"]
        rows = [
            {
                **{k: i[k] for k in ("metric", "severity", "threshold", "inDays", "confidence")},
                "at": dashboard.iso_or_none(i["at"]),
                "earliestDays": i["intervalDays"][0],
                "latestDays": i["intervalDays"][1],
                "backtested": i["backtested"],
            }
            for i in issues
        ]
        shown = [
            {
                **row,
                "metric": CATALOG.title(row["metric"]),
                "threshold": CATALOG.figure(row["metric"], row["threshold"]),
                "at": dashboard.when(i["at"]),
                "latestDays": "—" if row["latestDays"] is None else row["latestDays"],
                "confidence": f"{row['confidence']:.0%}",
                "backtested": "yes" if row["backtested"] else "no: too little history",
            }
            for row, i in zip(rows, issues, strict=True)
        ]
        dashboard.table(rows, columns, name="predicted-issues", shown=shown)
    else:
        st.success(f"No metric is expected to cross an alert threshold within {horizon:g} days.")

    st.subheader("Recommendations")
    short = insights.in_short(len(found["advice"]), len(found["anomalies"]))
    if short:
        st.success(short)
    for advice in found["advice"]:
        with st.container(border=True):
            dashboard.severity_badge(advice["severity"])
            st.markdown(f"**{advice['what']}**")
            st.caption(f"{advice['why']}. {advice['action']}.")
    dashboard.download(found["advice"], ["severity", "what", "why", "action"], name="advice")

    st.subheader("Forecast")
    forecasts = {f["metric"]: f for f in found["forecasts"]}
    if forecasts:
        wanted = [i["metric"] for i in found["predictedIssues"] if i["metric"] in forecasts]
        metric = st.selectbox(
            "Metric",
            list(forecasts),
            format_func=CATALOG.title,
            index=list(forecasts).index(wanted[0]) if wanted else 0,
            key="forecast_metric",
        )
        if metric:
            dashboard.forecast_chart(
                dashboard.read(history.chart, metric, preset("7 d", now)),
                forecasts[metric],
                [a for a in found["anomalies"] if a["metric"] == metric],
                title=f"{CATALOG.title(metric)}: 7 days and the next 24 h "
                f"({forecasts[metric]['method']})",
                unit=CATALOG.axis(metric),
                key=f"forecast-{metric}",
            )
            tested = next((a for a in found["accuracy"] if a["metric"] == metric), None)
            if tested:
                st.caption(
                    f"Over the last {settings.insights.backtest_days:g} days of backtests, "
                    f"the 95 % band of the {tested['method']} forecast held "
                    f"{100 * tested['bandHeld']:.0f} % of the readings; the band shown is "
                    f"{tested['bandWidened']:g} times as wide, which held 95 % of them."
                )
    else:
        st.info("Forecasts need three days of history.")

    trends = found["trends"]
    _table(
        "Trends",
        [{"scope": area, "trend": t} for area, t in trends.items()]
        + [{"scope": CATALOG.title(m), "trend": t} for m, t in found["metricTrends"].items()],
        ["scope", "trend"],
        "trends",
    )
    st.subheader("Accuracy (backtest: mean absolute error over the next 24 h)")
    losers = [a["metric"] for a in found["accuracy"] if not a["modelBeatsBaseline"]]
    if losers:
        st.caption(
            "The trend model does not beat a baseline for "
            + ", ".join(CATALOG.title(m) for m in losers)
            + ": those forecasts use the better baseline and predict no issue."
        )
    columns = ["metric", "origins", "modelMae", "naiveMae", "seasonalNaiveMae", "method"]
    dashboard.table(
        found["accuracy"],
        [*columns, "modelBeatsBaseline"],
        name="accuracy",
        shown=[
            {
                **a,
                "metric": CATALOG.title(a["metric"]),
                **{
                    k: CATALOG.figure(a["metric"], a[k])
                    for k in ("modelMae", "naiveMae", "seasonalNaiveMae")
                },
                "modelBeatsBaseline": "yes" if a["modelBeatsBaseline"] else "no",
            }
            for a in found["accuracy"]
        ],
    )
    st.subheader("Against the same hour of previous weeks")
    dashboard.table(
        found["baselines"],
        ["metric", "current", "usual", "weeks", "deviationPercent", "sentence"],
        name="baselines",
        shown=[
            {
                **b,
                "metric": CATALOG.title(b["metric"]),
                "current": CATALOG.figure(b["metric"], b["current"]),
                "usual": CATALOG.figure(b["metric"], b["usual"]),
            }
            for b in found["baselines"]
        ],
    )
    _table(
        "Table growth (30 days)",
        found["tableGrowth"],
        ["table", "rows", "rowsPerDay", "rowsThen", "sizeBytes", "bytesThen", "sentence"],
        "table-growth",
    )
    anomalies = [
        {"metric": a["metric"], "at": dashboard.iso_or_none(a["ts"]), "value": a["value"]}
        for a in found["anomalies"]
    ]
    days = settings.insights.history_days
    st.subheader(f"Anomalies (last {days:g} days)")
    dashboard.table(
        anomalies,
        ["metric", "at", "value"],
        name="anomalies",
        shown=[
            {
                "metric": CATALOG.title(a["metric"]),
                "at": dashboard.when(a["ts"]),
                "value": CATALOG.figure(a["metric"], a["value"]),
            }
            for a in found["anomalies"]
        ],
    )


live()
