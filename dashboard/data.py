"""What pages read: the store (opened once, explained when it cannot be), cached reads of
`monitor` functions, and the health check."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.shell import REFRESH_S, settings
from monitor import health
from monitor.demo import progress
from monitor.errors import StoreCorrupt, VigieError, first_line
from monitor.sources.database import SourceDatabase
from monitor.store import HistoryStore, store_failure

T = TypeVar("T")


@st.cache_resource(show_spinner=False, ttl=3600)
def _open_store(url: str, host: str) -> HistoryStore:
    return HistoryStore(url, create=False, busy_timeout_s=2, host=host)


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
    the page; so does the demo while the daemon is still building it."""
    _while_building()
    try:
        found = _open_store(settings().store_url, settings().host_name)
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


def _while_building() -> None:
    """While the daemon builds the demo (the shop, then its history), the page says how far it
    got, rather than that the collector looks stopped, and shows itself once it is done."""
    if not settings().demo_enabled:
        return
    building = progress.read(settings().data_dir)
    if building is None:
        return

    @st.fragment(run_every=2)
    def watch() -> None:
        now = progress.read(settings().data_dir)
        if now is None:
            st.rerun(scope="app")  # built: the page itself
        assert now is not None
        st.info(f"{now.sentence()}. The figures appear here as soon as it is done.")
        st.progress(now.percent / 100)

    watch()
    st.stop()


def _unwritable() -> str:
    cause = health.store_unwritable(settings().store_url)
    return f" Critical: store_unwritable, {cause}." if cause else ""


def _call(function: Callable[..., Any], url: str, args: tuple[Any, ...], kwargs: Any) -> Any:
    return function(_open_store(url, settings().host_name), *args, **dict(kwargs))


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
    return health.quick_database(settings())


@st.cache_data(ttl=5, show_spinner=False)
def health_check(*, detailed: bool) -> health.Health:
    """The quick or the detailed health check (the API's), at most once every 5 s."""
    found = settings()
    database = _database(found.source_url)
    check = health.detailed if detailed else health.quick
    return check(database, _open_store(found.store_url, found.host_name), found, now=time.time())
