"""What every dashboard page shares; pages stay thin views over `monitor`.

`shell` is the page frame (settings, app.py's navigation, the demo line), `data` the store and
the cached reads, `period` the period control, `charts` the charts, `figures` CSV, tables,
tiles and words for times and severities, `access` who is there and what they may do. Imports
`monitor` and Streamlit; never SQL, never collection.
"""

from __future__ import annotations

# plotly and Streamlit import pandas lazily, from the thread of whichever session needs it first:
# two sessions doing that at once on a fresh server got a half-imported pandas ("has no attribute
# 'Series'"). Importing it here, under this package's own import lock, settles it first.
import pandas  # noqa: F401

from dashboard import access, area, hosts, reports
from dashboard.charts import (
    availability_bars,
    bar_chart,
    chart,
    component_key,
    forecast_chart,
)
from dashboard.data import forget_live, health_check, now, read, store
from dashboard.figures import (
    STATUS_COLOURS,
    ago,
    change_tiles,
    download,
    header,
    iso_or_none,
    severity_badge,
    severity_label,
    table,
    tile_columns,
    when,
)
from dashboard.links import chart_link
from dashboard.period import from_address, period, period_picker, to_address
from dashboard.shell import (
    DEMO_LINE,
    REFRESH_S,
    app_run,
    catalog,
    every,
    page,
    refresh_toggle,
    refreshed,
    settings,
)
from dashboard.words import said

__all__ = [
    "DEMO_LINE",
    "REFRESH_S",
    "STATUS_COLOURS",
    "access",
    "ago",
    "app_run",
    "area",
    "availability_bars",
    "bar_chart",
    "catalog",
    "change_tiles",
    "chart",
    "chart_link",
    "component_key",
    "download",
    "every",
    "forecast_chart",
    "forget_live",
    "from_address",
    "header",
    "health_check",
    "hosts",
    "iso_or_none",
    "now",
    "page",
    "period",
    "period_picker",
    "read",
    "refresh_toggle",
    "refreshed",
    "reports",
    "said",
    "settings",
    "severity_badge",
    "severity_label",
    "store",
    "table",
    "tile_columns",
    "to_address",
    "when",
]
