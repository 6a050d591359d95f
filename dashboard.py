"""What every dashboard page shares: settings and store access, the period, charts, CSV
downloads, severity colours and the ops gate. Pages stay thin views over `monitor`."""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn, TypeVar

# plotly and Streamlit import pandas lazily, from the thread of whichever session needs it first:
# two sessions doing that at once on a fresh server got a half-imported pandas ("has no attribute
# 'Series'"). Importing it here, under this module's own import lock, settles it first.
import pandas  # noqa: F401
import plotly.graph_objects as go
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from monitor import health, report
from monitor.config import OpsConfig, Settings, SourceConfig, load_settings
from monitor.csv_export import iso, to_csv
from monitor.errors import StoreCorrupt, VigieError, first_line
from monitor.history import Change
from monitor.sources.database import SourceDatabase
from monitor.store import HistoryStore, Point, store_failure
from monitor.timerange import CUSTOM, PRESETS, TimeRange, custom, preset

REFRESH_S = 30  # live pages re-read the store this often
RANGE_KEY = "period"
DATES_KEY = "period_dates"
OPS_NAME_KEY = "ops_name"
OPS_TOKEN_KEY = "ops_token"
SEVERITY_COLOURS = {"critical": "red", "error": "orange", "warning": "yellow", "info": "blue"}
STATUS_COLOURS = {"healthy": "green", "degraded": "orange", "unhealthy": "red"}

_LINE = "#1f6feb"
T = TypeVar("T")


_APP = Path(__file__).resolve().parent / "app.py"
DEMO_LINE = (
    "Demo: these figures come from Vigie's simulated shop. Set source.url in the "
    "configuration to watch your own."
)
_THROUGH_APP = "through_app"


def app_run() -> None:
    """Called first by app.py: this session's page runs go through it."""
    st.session_state[_THROUGH_APP] = True


def page(title: str) -> None:
    """A page's title, and the guarantee that the page runs inside app.py.

    Streamlit runs an app that has a pages/ folder as an old-style multipage app until some
    session has called st.navigation: after a restart, visitors arriving on a bookmark
    (/business) got the bare page file, without the period, the Ops box or the navigation.
    Such a run starts over through app.py, onto the page asked for."""
    context = get_script_run_ctx()
    bare = context is not None and Path(context.main_script_path).resolve() == _APP
    if bare and not st.session_state.get(_THROUGH_APP):
        PagesManager.uses_pages_directory = False
        st.rerun()
    st.title(title)
    if settings().demo_enabled:
        st.caption(DEMO_LINE)


@st.cache_resource(show_spinner=False, ttl=60)  # a revoked ops secret stops working within 1 min
def _load_settings() -> Settings:
    settings = load_settings()
    secret = _secret_ops_token()
    if secret:  # .streamlit/secrets.toml wins over the config file
        return settings.model_copy(update={"ops": OpsConfig(token=secret)})
    return settings


def _secret_ops_token() -> str:
    try:
        return str(st.secrets.get("ops_token", "") or "")
    except Exception:  # no secrets.toml at all: the config's ops.token applies
        return ""


def settings() -> Settings:
    """The configuration, or a page that says what to fix."""
    try:
        return _load_settings()
    except VigieError as exc:
        st.error(f"Vigie's configuration is wrong: {exc}")
        st.stop()
        raise


@st.cache_resource(show_spinner=False, ttl=3600)
def _open_store(url: str) -> HistoryStore:
    return HistoryStore(url, create=False, busy_timeout_s=2)


def _store_lost(exc: SQLAlchemyError) -> NoReturn:
    # A store deleted, locked or down while the server runs: open it afresh next time.
    _open_store.clear()
    failure = store_failure(settings().store_url, exc)
    if isinstance(failure, StoreCorrupt):
        st.error(str(failure))
    else:
        st.warning(
            f"The history store cannot be read: {first_line(exc)}. Check that the collector "
            "daemon runs and that the store is reachable; this page retries on its own."
            + _unwritable()
        )
    st.stop()
    raise AssertionError("st.stop() returned")


def store() -> HistoryStore:
    """The history store; a missing, empty, older or lost store explains itself and stops
    the page."""
    try:
        found = _open_store(settings().store_url)
        if not found.has_samples():
            st.info(
                "The history store exists but the collector has not written to it yet. "
                "Start it with `make run` or `python collector_daemon.py`: the first figures "
                "appear within two minutes."
            )
            st.stop()
        return found
    except VigieError as exc:
        st.warning(f"{exc}.{_unwritable()}")
        st.stop()
        raise
    except SQLAlchemyError as exc:
        _store_lost(exc)


def _unwritable() -> str:
    cause = health.store_unwritable(settings().store_url)
    return f" Critical: store_unwritable, {cause}." if cause else ""


def _call(function: Callable[..., Any], url: str, args: tuple[Any, ...], kwargs: Any) -> Any:
    return function(_open_store(url), *args, **dict(kwargs))


@st.cache_data(ttl=REFRESH_S / 2, max_entries=512, show_spinner=False)
def _read(
    _function: Callable[..., Any], name: str, url: str, args: tuple[Any, ...], kwargs: Any
) -> Any:
    return _call(_function, url, args, kwargs)


@st.cache_data(ttl=2, max_entries=64, show_spinner=False)
def _read_live(
    _function: Callable[..., Any], name: str, url: str, args: tuple[Any, ...], kwargs: Any
) -> Any:
    return _call(_function, url, args, kwargs)


def read(function: Callable[..., T], *args: Any, live: bool = False, **kwargs: Any) -> T:
    """`function(store, *args, **kwargs)`, cached per arguments for 15 s (2 s with `live`, for
    job progress): every page's reads go through here, so a refresh or a second visitor costs
    nothing, and a store lost mid-session is a warning, not a traceback."""
    name = f"{function.__module__}.{function.__qualname__}"
    cached = _read_live if live else _read
    try:
        result: T = cached(
            function, name, settings().store_url, args, tuple(sorted(kwargs.items()))
        )
    except SQLAlchemyError as exc:
        _store_lost(exc)
    return result


def forget_live() -> None:
    """Drop the 2-second reads, so what a person just did shows on the next run."""
    _read_live.clear()


def now() -> float:
    """The present, rounded down to 15 s so cached reads are shared between reruns."""
    return float(int(time.time()) // 15 * 15)


@st.cache_resource(show_spinner=False)
def _database(url: str) -> SourceDatabase:
    # Short timeouts, as the API's: a page waits a second for a dead database, not a minute.
    config = settings().source.model_dump() | {"connect_timeout_s": 1, "statement_timeout_ms": 1000}
    return SourceDatabase(url, SourceConfig.model_validate(config))


@st.cache_data(ttl=5, show_spinner=False)
def health_check(*, detailed: bool) -> health.Health:
    """The quick or the detailed health check (the API's), at most once every 5 s."""
    found = settings()
    database = _database(found.source_url)
    check = health.detailed if detailed else health.quick
    return check(database, _open_store(found.store_url), found, now=time.time())


# -- the period ---------------------------------------------------------------------------------


def _keep(widget: str, saved: str) -> None:
    st.session_state[saved] = st.session_state[widget]


def period_picker() -> None:
    """The period control, in the sidebar of every page. Its value is kept under a key of its
    own, so it survives page switches (a widget's own state would be dropped)."""
    st.sidebar.segmented_control(
        "Period",
        [*PRESETS, CUSTOM],
        default=st.session_state.get(RANGE_KEY, "24 h"),
        key=f"{RANGE_KEY}_widget",
        required=True,
        on_change=_keep,
        args=(f"{RANGE_KEY}_widget", RANGE_KEY),
    )
    if st.session_state.get(RANGE_KEY) == CUSTOM:
        today = datetime.now(UTC).date()
        st.sidebar.date_input(
            "From – to",
            value=st.session_state.get(DATES_KEY, (today - timedelta(days=7), today)),
            key=f"{DATES_KEY}_widget",
            max_value=today,
            on_change=_keep,
            args=(f"{DATES_KEY}_widget", DATES_KEY),
        )


def period() -> TimeRange:
    """The chosen period (24 h when the page runs without app.py, as in a test)."""
    choice = st.session_state.get(RANGE_KEY) or "24 h"
    dates = st.session_state.get(DATES_KEY)
    if choice == CUSTOM and isinstance(dates, tuple | list) and len(dates) == 2:
        return custom(dates[0], dates[1], now())
    return preset(choice if choice in PRESETS else "24 h", now())


# -- showing figures ----------------------------------------------------------------------------


# Streamlit's own st.plotly_chart ships the full Plotly bundle (4.7 MB), which cost a browser
# tab 1.5-2 s before its first chart; static/chart.js draws the same figures with plotly.js's
# scatter-and-bar bundle, served by Streamlit's static serving (.streamlit/config.toml).
_STATIC = Path(__file__).resolve().parent / "static"
_PLOT = st.components.v2.component(
    "vigie_chart", js=(_STATIC / "chart.js").read_text(encoding="utf-8"), isolate_styles=False
)
_COLOURS = [_LINE, "#bf8700", "#8250df", "#1a7f37", "#cf222e", "#0a7ea4"]


def _draw(figure: go.Figure, *, key: str) -> None:
    # The title top left, the legend under it: long series names never squeeze the plot.
    figure.update_layout(
        colorway=_COLOURS,
        margin={"l": 10, "r": 10, "t": 64, "b": 10},
        title={"x": 0, "xanchor": "left", "xref": "paper"},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"},
        # A reader's zoom survives the page's refreshes, not a change of period.
        uirevision=f"{st.session_state.get(RANGE_KEY)}|{st.session_state.get(DATES_KEY)}",
    )
    figure.update_xaxes(automargin=True)
    # "714,336.5", not plotly's "714.3365k": the same figures as the tiles, never SI suffixes.
    figure.update_yaxes(automargin=True, tickformat=",~f")
    _PLOT(data=figure.to_json(), key=component_key(key), height=int(figure.layout.height or 300))


def component_key(key: str) -> str:
    """A component's key may not hold "__", which the seed's table names ("___xtr_customer")
    do: "-" and "_" are spelt "-m" and "-u", so two keys never meet."""
    return key.replace("-", "-m").replace("_", "-u")


def chart(
    series: Mapping[str, Sequence[Point]], *, title: str, unit: str, key: str, height: int = 300
) -> None:
    """A line per metric (SVG, never WebGL: a page may hold many), with the min-max band where
    points stand for several samples, and its data as CSV underneath."""
    if not any(series.values()):  # an empty frame with axes from -1 to 6 says nothing
        st.info(f"{title}: nothing collected in this period.", icon=":material/timeline:")
        return
    figure = go.Figure()
    for name, points in series.items():
        times = [datetime.fromtimestamp(p.ts, UTC) for p in points]
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
                    name=f"{name} range",
                )
            )
        figure.add_trace(go.Scatter(x=times, y=[p.value for p in points], mode="lines", name=name))
    figure.update_layout(
        title=title,
        height=height,
        yaxis_title=unit,
        xaxis_title="time (UTC)",
        showlegend=len(series) > 1,
        hovermode="x unified",
    )
    _draw(figure, key=f"chart-{key}")
    rows: dict[int, dict[str, Any]] = {}
    for name, points in series.items():
        for p in points:
            rows.setdefault(p.ts, {"ts": iso(p.ts)})[name] = p.value
    download([rows[ts] for ts in sorted(rows)], ["ts", *series], name=key)


def bar_chart(rows: Sequence[Mapping[str, Any]], x: str, metric: str, *, title: str) -> None:
    """One figure as bars (a day's orders), with the unit on its axis."""
    figure = go.Figure(
        go.Bar(x=[r[x] for r in rows], y=[r.get(metric) for r in rows], marker_color=_LINE)
    )
    figure.update_layout(
        title=title,
        height=300,
        yaxis_title=report.unit(metric),
        xaxis_title=f"{x} (UTC)",
    )
    _draw(figure, key=f"bars-{metric}-{x}")


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


def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    name: str,
    shown: Sequence[Mapping[str, Any]] | None = None,
) -> None:
    """A table and its CSV; `shown`, if given, is what people read (formatted figures) while
    the CSV keeps the numbers."""
    display = rows if shown is None else shown
    st.dataframe([{c: r.get(c) for c in columns} for r in display], hide_index=True)
    download(rows, columns, name=name)


TILES_PER_ROW = 4  # a fifth of the page's width cuts "15,420.50 €" short


def change_tiles(changes: Sequence[Change]) -> None:
    """Headline figures with their change against the previous period (green when better), at
    most four to a row, every tile the same width. A count's noun goes in the label, so the
    figure itself stays short."""
    rows = range(0, len(changes), TILES_PER_ROW)
    columns = [column for _ in rows for column in st.columns(TILES_PER_ROW)]
    for column, change in zip(columns, changes, strict=False):
        noun, name = report.unit(change.metric), report.label(change.metric)
        column.metric(
            f"{name} ({noun})" if noun.isalpha() and noun not in ("ms", "s", "MB") else name,
            report.human(change.metric, change.value, counted_noun=False),
            None if change.percent is None else f"{change.percent:+.1f} %",
            delta_color="inverse" if report.lower_is_better(change.metric) else "normal",
            border=True,
        )


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


# -- the ops gate -------------------------------------------------------------------------------


def ops_login() -> None:
    """Name and ops secret, in the sidebar of every page (kept like the period)."""
    with st.sidebar.expander("Ops", icon=":material/lock:"):
        st.text_input(
            "Your name",
            value=st.session_state.get(OPS_NAME_KEY, ""),
            key=f"{OPS_NAME_KEY}_widget",
            max_chars=60,
            on_change=_keep,
            args=(f"{OPS_NAME_KEY}_widget", OPS_NAME_KEY),
        )
        st.text_input(
            "Ops secret",
            value=st.session_state.get(OPS_TOKEN_KEY, ""),
            key=f"{OPS_TOKEN_KEY}_widget",
            type="password",
            on_change=_keep,
            args=(f"{OPS_TOKEN_KEY}_widget", OPS_TOKEN_KEY),
        )
        if ops() is not None:
            st.success("Ops actions unlocked")
        elif not settings().ops.token:
            st.caption("No ops secret is set: add `ops_token` to .streamlit/secrets.toml.")


def ops() -> tuple[str, str] | None:
    """(actor, secret) when the person gave the right ops secret and their name, else None:
    ops-only buttons are disabled then. The domain functions check the secret again."""
    expected = settings().ops.token
    given = str(st.session_state.get(OPS_TOKEN_KEY) or "")
    name = str(st.session_state.get(OPS_NAME_KEY) or "").strip()
    if not expected or not given or not name:
        return None
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return None
    return f"dashboard:{name}", given


def iso_or_none(ts: object) -> str | None:
    """An epoch second as ISO 8601 (for tables and CSV), None stays None."""
    return iso(float(ts)) if isinstance(ts, int | float) else None
