"""An area's figures (machine and site, business, SEO): its tiles against the previous period,
then one chart at a time, the figure chosen from pills, a tile's link or the page's address."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dashboard.charts import chart
from dashboard.data import read
from dashboard.figures import change_tiles
from dashboard.hosts import labels_for
from dashboard.period import from_address, period, to_address
from dashboard.shell import catalog
from monitor import history
from monitor.timerange import TimeRange


def metrics_of(area: str) -> list[str]:
    """Every single metric the registry knows in `area` (one added in the configuration
    among them), headline figures first."""
    cat = catalog()
    names = [m.name for m in cat.in_area(area) if m.name.count(".") == 1]
    return sorted(names, key=lambda name: not cat.get(name).headline)


def tiles(metrics: Sequence[str], rng: TimeRange, host: str | None = None) -> None:
    st.caption(f"Now, and the change against the previous {rng.label}")
    cat = catalog()
    change_tiles(
        [read(history.change, m, rng, cat.get(m).summary, labels_for(m, host)) for m in metrics]
    )


def _shifted(points: list[history.Point], seconds: float) -> list[history.Point]:
    # Moved forward to line up with this period; a plain line, without its min-max band.
    return [p._replace(ts=int(p.ts + seconds), min=p.value, max=p.value) for p in points]


def over_time(metrics: Sequence[str], key: str, host: str | None = None) -> None:
    """One figure's chart against the previous period. One chart at a time: five plotly charts
    take a browser 2.5-3 s to draw on a small machine (bench/dashboard_bench.py), one well
    under a second."""
    if not metrics:
        return
    cat = catalog()
    rng = period()
    from_address(key, metrics)
    metric = st.pills(
        "Figure",
        metrics,
        default=None if key in st.session_state else metrics[0],
        format_func=cat.title,
        key=key,
        required=True,
    )
    to_address(key)
    if not metric:
        return
    labels = labels_for(metric, host)
    current = read(history.chart, metric, rng, labels)
    previous = _shifted(read(history.chart, metric, rng.previous(), labels), rng.seconds)
    # The CSV says the previous period's times are moved forward by one period.
    shifted = f"{metric} (previous period, times + {rng.label})"
    chart(
        {metric: current, shifted: previous},
        title=f"{cat.title(metric)}{f' on {host}' if host else ''}, against the previous "
        f"{rng.label}",
        unit=cat.axis(metric),
        legend={metric: "this period", shifted: "previous period"},
        key=metric,
    )
