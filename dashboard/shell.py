"""The frame of every page: the settings, the guarantee that a page runs inside app.py, and
the line that says the demo runs."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from monitor.config import OpsConfig, Settings, load_settings
from monitor.errors import VigieError
from monitor.metrics import Catalog
from monitor.metrics import catalog as catalog_for

REFRESH_S = 30  # live pages re-read the store this often
PAUSE_KEY = "refresh_paused"


_APP = Path(__file__).resolve().parent.parent / "app.py"
_PHONE_CSS = (
    "<style>" + (_APP.parent / "static" / "phone.css").read_text(encoding="utf-8") + "</style>"
)
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
    from dashboard import access  # access reads the store, which needs this module first

    if access.closed() and access.signed_in() is None:
        # Not signed in (any more), even on a page run without app.py: to the sign-in.
        st.session_state.pop(_THROUGH_APP, None)
        PagesManager.uses_pages_directory = False
        st.rerun()
    st.html(_PHONE_CSS)  # a style alone takes no room on the page
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


def every(seconds: float = REFRESH_S) -> float | None:
    """How often a live part of a page re-reads: never while its reader paused the refresh."""
    return None if st.session_state.get(PAUSE_KEY) else seconds


def refreshed(seconds: float = REFRESH_S) -> None:
    """The line that says when the figures below were read, and whether they will be again."""
    at = time.strftime("%H:%M:%S", time.gmtime())
    again = "refresh paused" if st.session_state.get(PAUSE_KEY) else f"again every {seconds:g} s"
    st.caption(f":material/update: Read at {at} UTC · {again}")


def refresh_toggle() -> None:
    """The sidebar switch that keeps the figures still while someone reads them."""
    st.sidebar.toggle(
        "Pause the refresh", key=PAUSE_KEY, help="Keep the figures still while you read them"
    )


_CATALOGS: dict[int, tuple[Settings, Catalog]] = {}


def catalog() -> Catalog:
    """The metrics' registry for these settings: words, units, the locale's figures."""
    current = settings()
    kept = _CATALOGS.get(id(current))
    if kept is None or kept[0] is not current:
        _CATALOGS.clear()  # the settings were reloaded: the old registry is for old settings
        kept = _CATALOGS[id(current)] = (current, catalog_for(current))
    return kept[1]


def settings() -> Settings:
    """The configuration, or a page that says what to fix."""
    try:
        return _load_settings()
    except VigieError as exc:
        st.error(f"Vigie's configuration is wrong: {exc}")
        st.stop()
        raise
