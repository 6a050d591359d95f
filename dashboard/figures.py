"""Figures for people: CSV downloads, tables, change tiles, severities and times in words."""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from dashboard.links import chart_link
from dashboard.shell import catalog
from dashboard.words import cell
from monitor.csv_export import iso, to_csv
from monitor.history import Change

SEVERITY_COLOURS = {"critical": "red", "error": "orange", "warning": "yellow", "info": "blue"}
STATUS_COLOURS = {
    "healthy": "green",
    "maintenance": "blue",
    "degraded": "orange",
    "unhealthy": "red",
}


def download(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], *, name: str) -> None:
    """A CSV download of exactly what is shown."""
    st.download_button(
        "Download CSV",
        to_csv(rows, columns),
        file_name=f"vigie-{name}.csv",
        mime="text/csv",
        key=f"csv-{name}",
        icon=":material/download:",
        on_click="ignore",
    )


# Column headers people read; the CSV keeps the keys (scripts rely on them).
HEADERS = {
    "id": "#",
    "recordCount": "Rows",
    "sizeBytes": "Size",
    "queryTime": "Read time",
    "accessible": "Readable",
    "recommendations": "Advice",
    "lastWrite": "Last written",
    "everySeconds": "Every (s)",
    "changePercent": "Change (%)",
    "responseTimeMs": "Response time (ms)",
    "inDays": "In (days)",
    "earliestDays": "Earliest (days)",
    "latestDays": "Latest (days)",
    "modelMae": "Model error",
    "naiveMae": "Naive error",
    "seasonalNaiveMae": "Same-hour error",
    "modelBeatsBaseline": "Model better",
    "usedMb": "Used",
    "ageSeconds": "Age",
    "limitSeconds": "Late after",
    "interfacesUp": "Interfaces up",
    "url": "Address",
    "availability24h": "Last 24 h",
    "availability7d": "7 days",
    "availability30d": "30 days",
    "availability90d": "90 days",
    "mttrSeconds": "Mean time to recover",
    "longestSeconds": "Longest",
    "durationSeconds": "Lasted",
}


def header(key: str) -> str:
    """A column's header in words: a metric's title, or the key's words ("openedAt" → "Opened
    at")."""
    if key in HEADERS:
        return HEADERS[key]
    if "." in key:
        return catalog().title(key)
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", key).lower()
    return words[:1].upper() + words[1:]


def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    name: str,
    shown: Sequence[Mapping[str, Any]] | None = None,
    pick: bool = False,
) -> int | None:
    """A table under headers and identifiers in words, and its CSV under the keys; `shown`, if
    given, is what people read (formatted figures) while the CSV keeps the numbers. With
    `pick`, a row can be clicked: the index of the one picked is returned."""
    display = rows if shown is None else shown
    data = [{header(c): cell(c, r.get(c), r) for c in columns} for r in display]
    if not pick:
        st.dataframe(data, hide_index=True)
        download(rows, columns, name=name)
        return None
    event = st.dataframe(
        data, hide_index=True, on_select="rerun", selection_mode="single-row", key=f"pick-{name}"
    )
    download(rows, columns, name=name)
    picked = event.selection.rows if event else []
    return picked[0] if picked else None


TILES_PER_ROW = 4  # a fifth of the page's width cuts "15,420.50 €" short


def tile_columns(count: int, name: str) -> list[Any]:
    """A row of `count` tiles, which static/phone.css pairs up on a phone."""
    with st.container(key=f"vigie-tiles-{zlib.crc32(name.encode()):x}"):
        return list(st.columns(count))


def change_tiles(changes: Sequence[Change]) -> None:
    """Headline figures with their change against the previous period (green when better), at
    most four to a row, every tile the same width. A count's title says what it counts
    ("Orders in 24 h"), so the figure itself stays short; no change is grey, never green."""
    cat = catalog()
    rows = range(0, len(changes), TILES_PER_ROW)
    names = "|".join(c.metric for c in changes)
    columns = [c for row in rows for c in tile_columns(TILES_PER_ROW, f"{names}#{row}")]
    for column, change in zip(columns, changes, strict=False):
        flat = change.percent is not None and abs(change.percent) < 0.05
        tile = column.container(border=True, gap="small")
        tile.metric(
            f"{cat.title(change.metric)} · {change.summary}",
            cat.figure(change.metric, change.value, noun=False),
            None if change.percent is None else ("0 %" if flat else f"{change.percent:+.1f} %"),
            delta_color="off"
            if flat
            else ("inverse" if cat.get(change.metric).lower_is_better() else "normal"),
            help=cat.get(change.metric).help or None,
        )
        with tile:
            chart_link(change.metric)


def severity_label(severity: str) -> str:
    """A severity in its colour, for labels and text."""
    return f":{SEVERITY_COLOURS.get(severity, 'gray')}[■] {severity}"


def severity_badge(severity: str) -> None:
    st.badge(severity, color=SEVERITY_COLOURS.get(severity, "gray"))  # type: ignore[arg-type]


def when(ts: float | None) -> str:
    """An instant as people read it, in UTC."""
    if ts is None or (isinstance(ts, float) and math.isnan(ts)):
        return "—"
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def ago(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h ago"
    return f"{seconds / 86400:.1f} days ago"


def iso_or_none(ts: object) -> str | None:
    """An epoch second as ISO 8601 (for tables and CSV), None stays None."""
    return iso(float(ts)) if isinstance(ts, int | float) else None
