"""Charts: figures built with plotly, drawn by a components-v2 element with plotly.js's
scatter-and-bar bundle (static/), thinned on the server first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from dashboard.figures import download
from dashboard.period import DATES_KEY, RANGE_KEY, set_period
from dashboard.shell import catalog, settings
from monitor.csv_export import iso
from monitor.notifications.windows import over_metrics
from monitor.store import Point

_LINE = "#1f6feb"


# Streamlit's own st.plotly_chart ships the full Plotly bundle (4.7 MB), which cost a browser
# tab 1.5-2 s before its first chart; static/chart.js draws the same figures with plotly.js's
# scatter-and-bar bundle, served by Streamlit's static serving (.streamlit/config.toml).
_STATIC = Path(__file__).resolve().parent.parent / "static"
_PLOT = st.components.v2.component(
    "vigie_chart", js=(_STATIC / "chart.js").read_text(encoding="utf-8"), isolate_styles=False
)
_COLOURS = [_LINE, "#bf8700", "#8250df", "#1a7f37", "#cf222e", "#0a7ea4"]


def _draw(figure: go.Figure, *, key: str, zoomable: bool = False) -> None:
    # The legend above the plot, its room made by plotly (the margin grows with its lines);
    # static/chart.js writes the title as a line of the page above it.
    figure.update_layout(
        colorway=_COLOURS,
        margin={"l": 10, "r": 10, "t": 10, "b": 10, "autoexpand": True},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"},
        # A reader's zoom survives the page's refreshes, not a change of period.
        uirevision=f"{st.session_state.get(RANGE_KEY)}|{st.session_state.get(DATES_KEY)}",
    )
    figure.update_xaxes(automargin=True)
    # "714,336.5", not plotly's "714.3365k": the same figures as the tiles, never SI suffixes.
    figure.update_yaxes(automargin=True, tickformat=",~f")
    drawn = _PLOT(data=figure.to_json(), key=component_key(key), on_zoom_change=_zoomed)
    if zoomable:
        _offer_zoom(key, getattr(drawn, "zoom", None))


def _zoomed() -> None:
    """A chart was zoomed: its range comes with this run (`zoom`), nothing else to do."""


def _offer_zoom(key: str, zoom: object) -> None:
    """After a zoom on a time chart, a button that makes its days the period of every page;
    kept until used or another zoom, since a click reruns without the zoom."""
    kept = f"zoom-{key}"
    if isinstance(zoom, dict):
        try:
            first, last = (
                datetime.fromisoformat(str(zoom[e]).replace(" ", "T")).date()
                for e in ("start", "end")
            )
        except (KeyError, ValueError):
            return  # not a time axis
        st.session_state[kept] = (min(first, last), max(first, last))
    days = st.session_state.get(kept)
    if not days:
        return
    shown = " – ".join(dict.fromkeys(d.strftime("%d %b %Y") for d in days))
    if st.button(f"Show {shown} on every page", key=f"use-{kept}", icon=":material/zoom_in:"):
        del st.session_state[kept]
        set_period(*days)
        st.rerun(scope="app")


def component_key(key: str) -> str:
    """A component's key may not hold "__", which the seed's table names ("___xtr_customer")
    do: "-" and "_" are spelt "-m" and "-u", so two keys never meet."""
    return key.replace("-", "-m").replace("_", "-u")


def chart(
    series: Mapping[str, Sequence[Point]],
    *,
    title: str,
    unit: str,
    key: str,
    height: int = 300,
    legend: Mapping[str, str] | None = None,
) -> None:
    """A line per metric (SVG, never WebGL: a page may hold many), with the min-max band where
    points stand for several samples, and its data as CSV underneath. The legend says each
    metric's title (or `legend`'s words); the CSV keeps the names. Byte sizes are drawn in MB."""
    if not any(series.values()):  # an empty frame with axes from -1 to 6 says nothing
        st.info(f"{title}: nothing collected in this period.", icon=":material/timeline:")
        return
    cat = catalog()
    figure = go.Figure()
    for name, raw in series.items():
        points, unit = _in_megabytes(raw, unit) if cat.get(name).kind == "size" else (raw, unit)
        times = [datetime.fromtimestamp(p.ts, UTC) for p in points]
        shown = (legend or {}).get(name) or cat.title(name)
        if any(p.min != p.max for p in points):
            figure.add_trace(
                go.Scatter(
                    x=times + times[::-1],
                    y=[p.max for p in points] + [p.min for p in points][::-1],
                    fill="toself",
                    line={"width": 0},
                    fillcolor="rgba(31,111,235,0.15)",
                    hoverinfo="skip",
                    showlegend=False,
                    name=f"{shown} range",
                )
            )
        figure.add_trace(go.Scatter(x=times, y=[p.value for p in points], mode="lines", name=shown))
    _shade_windows(figure, series)
    figure.update_layout(
        title=title,
        height=height,
        yaxis_title=unit,
        xaxis_title="time (UTC)",
        showlegend=len(series) > 1,
        hovermode="x unified",
    )
    _draw(figure, key=f"chart-{key}", zoomable=True)
    rows: dict[int, dict[str, Any]] = {}
    for name, points in series.items():
        for p in points:
            rows.setdefault(p.ts, {"ts": iso(p.ts)})[name] = p.value
    download([rows[ts] for ts in sorted(rows)], ["ts", *series], name=key)


def _in_megabytes(points: Sequence[Point], unit: str) -> tuple[list[Point], str]:
    """A size's points in MB (an axis of 10,000,000 bytes reads as noise)."""
    if unit not in ("bytes", ""):
        return list(points), unit
    mb = 1024.0 * 1024.0
    return [p._replace(value=p.value / mb, min=p.min / mb, max=p.max / mb) for p in points], "MB"


MAX_SHADES = 200  # beyond that a year of nightly windows is grey noise, and slow to draw
MAX_LABELS = 12


def _shade_windows(figure: go.Figure, series: Mapping[str, Sequence[Point]]) -> None:
    """Grey bands where a maintenance window covering these metrics ran: a gap or a spike
    there was planned. One layout update (plotly's add_vrect per band is quadratic)."""
    stamps = [p.ts for points in series.values() for p in points]
    bands: list[list[Any]] = []  # [start, end, names], overlapping spans merged
    for span in over_metrics(settings(), series, min(stamps), max(stamps) + 1):
        if bands and span.start <= bands[-1][1]:
            bands[-1][1] = max(bands[-1][1], span.end)
            bands[-1][2].add(span.window.name)
        else:
            bands.append([span.start, span.end, {span.window.name}])
    bands = bands[-MAX_SHADES:]
    if not bands:
        return
    edges = [(datetime.fromtimestamp(a, UTC), datetime.fromtimestamp(b, UTC)) for a, b, _ in bands]
    figure.update_layout(
        shapes=[
            {"type": "rect", "xref": "x", "yref": "paper", "x0": x0, "x1": x1, "y0": 0, "y1": 1,
             "fillcolor": "#8c959f", "opacity": 0.18, "line": {"width": 0}, "layer": "below"}
            for x0, x1 in edges
        ],
        annotations=[
            {"x": x0, "xref": "x", "y": 1, "yref": "paper", "xanchor": "left", "yanchor": "top",
             "showarrow": False, "font": {"size": 10},
             "text": "maintenance: " + ", ".join(sorted(names))}
            for (x0, _), (_, _, names) in zip(edges, bands, strict=True)
        ]
        if len(bands) <= MAX_LABELS
        else [],
    )  # fmt: skip


def bar_chart(rows: Sequence[Mapping[str, Any]], x: str, metric: str, *, title: str) -> None:
    """One figure as bars (a day's orders), with the unit on its axis."""
    figure = go.Figure(
        go.Bar(x=[r[x] for r in rows], y=[r.get(metric) for r in rows], marker_color=_LINE)
    )
    figure.update_layout(
        title=title,
        height=300,
        yaxis_title=catalog().axis(metric),
        xaxis_title=f"{x} (UTC)",
    )
    _draw(figure, key=f"bars-{metric}-{x}")


def _day_colour(availability: float | None) -> str:
    if availability is None:
        return "#d0d7de"  # no data: grey, never green
    if availability >= 99.9:
        return "#1a7f37"
    return "#bf8700" if availability >= 99 else "#cf222e"


def availability_bars(days: Sequence[Mapping[str, Any]], *, title: str, key: str) -> None:
    """Each day's availability as a bar coloured by it: green from 99.9 %, amber from 99 %,
    red below, grey (full height, marked "no data") for a day without a reading."""
    values = [d["availability"] for d in days]
    figure = go.Figure(
        go.Bar(
            x=[d["day"] for d in days],
            y=[100 if v is None else max(v, 0.5) for v in values],
            marker_color=[_day_colour(v) for v in values],
            hovertext=["no data" if v is None else f"{v:.3f} %" for v in values],
            hoverinfo="x+text",
        )
    )
    lowest = min((v for v in values if v is not None), default=100.0)
    figure.update_layout(
        title=title,
        height=220,
        yaxis={"title": "available (%)", "range": [min(99.0, max(0.0, lowest - 1)), 100]},
        xaxis_title="day (UTC)",
        bargap=0.15,
    )
    _draw(figure, key=key)


def forecast_chart(
    past: Sequence[Point],
    predicted: Mapping[str, Any],
    anomalies: Sequence[Mapping[str, Any]],
    *,
    title: str,
    unit: str,
    key: str,
) -> None:
    """History, the forecast with its 95 % band, and the anomalies marked; CSV underneath."""
    ahead = predicted["points"]
    times = [datetime.fromtimestamp(p["ts"], UTC) for p in ahead]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=[datetime.fromtimestamp(p.ts, UTC) for p in past],
            y=[p.value for p in past],
            mode="lines",
            name="history",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=times + times[::-1],
            y=[p["high"] for p in ahead] + [p["low"] for p in ahead][::-1],
            fill="toself",
            line={"width": 0},
            fillcolor="rgba(191,135,0,0.2)",
            hoverinfo="skip",
            name="95 % band",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=times,
            y=[p["value"] for p in ahead],
            mode="lines",
            name="forecast",
            line={"dash": "dash"},
        )
    )
    if anomalies:
        figure.add_trace(
            go.Scatter(
                x=[datetime.fromtimestamp(a["ts"], UTC) for a in anomalies],
                y=[a["value"] for a in anomalies],
                mode="markers",
                marker={"color": "#d1242f", "size": 9, "symbol": "x"},
                name="anomaly",
            )
        )
    figure.update_layout(
        title=title,
        height=340,
        yaxis_title=unit,
        xaxis_title="time (UTC)",
        hovermode="x unified",
    )
    _draw(figure, key=f"chart-{key}")
    metric = predicted["metric"]  # the CSV's column is the metric's name, as every export's
    rows = [{"ts": iso(p.ts), "kind": "history", metric: p.value} for p in past] + [
        {
            "ts": iso(p["ts"]),
            "kind": "forecast",
            metric: p["value"],
            "low": p["low"],
            "high": p["high"],
        }
        for p in ahead
    ]
    download(rows, ["ts", "kind", metric, "low", "high"], name=key)
