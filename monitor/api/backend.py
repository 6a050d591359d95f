"""What the API reads and how long it keeps answers: the store (opened when first needed), the
monitored database with short timeouts, and the quick health check rendered once a second."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from monitor import health
from monitor.api.models import envelope
from monitor.config import Settings
from monitor.errors import failure_kind, first_line
from monitor.fleet import Fleet, for_host, pick
from monitor.metrics import catalog
from monitor.store import HistoryStore

log = logging.getLogger("vigie.api")
T = TypeVar("T")
QUICK_TTL_S = 1.0  # a flood of load-balancer probes costs one check per second
QUICK_DEADLINE_S = 2.0  # past this a check that has not answered is an unhealthy answer
QUICK_MAX_AGE_S = 2 * QUICK_TTL_S  # an answer older than this is never served
DETAILED_TTL_S = 5.0
HEAVY_TTL_S = 60.0  # the seed's one-minute cache for metrics
METRICS_TTL_S = 1.0  # /metrics: many scrapers at once cost one rendering a second


class TtlCache:
    """Answers kept for a few seconds, computed once however many callers ask at once; one
    slow answer (a dashboard behind a slow database) does not hold up the others."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._values: dict[str, tuple[float, Any]] = {}

    def get(self, key: str, ttl: float, compute: Callable[[], Any]) -> Any:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            hit = self._values.get(key)
            if hit is not None and time.monotonic() - hit[0] < ttl:
                return hit[1]
            value = compute()
            self._values[key] = (time.monotonic(), value)
            return value


class Backend:
    """What the API reads: the store (opened when first needed) and the monitored database."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.catalog = catalog(settings)
        self.database = health.quick_database(settings)
        self._store: HistoryStore | None = None
        self._store_lock = threading.Lock()
        self.cache = TtlCache()
        self.quick_answer: tuple[float, bytes, int] | None = None
        self.quick_health: tuple[float, health.Health] | None = None
        self.quick_lock = asyncio.Lock()
        self.tasks: set[asyncio.Task[None]] = set()
        self._fresh: dict[str, tuple[float, Any]] = {}
        self._fresh_locks: dict[str, asyncio.Lock] = {}

    async def fresh(self, key: str, ttl: float, compute: Callable[[], T]) -> T:
        """`compute`'s answer, kept `ttl` seconds and served from memory on the event loop;
        computed in a worker thread by one caller at a time when it is due, while the others
        get the previous answer (never one older than twice `ttl`)."""
        kept = self._fresh.get(key)
        lock = self._fresh_locks.get(key) or self._fresh_locks.setdefault(key, asyncio.Lock())
        if kept is not None:
            age = time.monotonic() - kept[0]
            if age < ttl or (age < 2 * ttl and lock.locked()):
                return cast(T, kept[1])
        async with lock:
            kept = self._fresh.get(key)
            if kept is not None and time.monotonic() - kept[0] < ttl:
                return cast(T, kept[1])
            value = await run_in_threadpool(compute)
            self._fresh[key] = (time.monotonic(), value)
            return value

    async def refresh_quick(self) -> None:
        """Run the quick check again (one at a time) and keep its rendered answer; a check that
        does not finish within QUICK_DEADLINE_S is itself an unhealthy answer."""
        async with self.quick_lock:
            if self.quick_answer and time.monotonic() - self.quick_answer[0] < QUICK_TTL_S:
                return
            try:
                body, code = await asyncio.wait_for(
                    run_in_threadpool(_quick_answer, self), QUICK_DEADLINE_S
                )
            except TimeoutError:
                body, code = (
                    _unhealthy(f"the health check did not finish in {QUICK_DEADLINE_S:g} s"),
                    503,
                )
            self.quick_answer = (time.monotonic(), body, code)

    @property
    def store(self) -> HistoryStore:
        """The history store, opened by the first request that needs it (the API may start
        before the daemon has created it). A short busy timeout: a request answers 503 rather
        than waiting half a minute behind a writer."""
        with self._store_lock:
            if self._store is None:
                self._store = HistoryStore(
                    self.settings.store_url,
                    create=False,
                    busy_timeout_s=2,
                    host=self.settings.host_name,
                )
            return self._store

    def latest(self, host: str | None = None) -> dict[str, Any]:
        """The newest value of every series, one host's machine figures under their names
        without the host: `host`'s, else this machine's if it is one of the fleet, else the
        first host's (see monitor.fleet.pick)."""
        store = self.store
        shown = pick(Fleet(store).names(), host, self.settings.host_name)
        return for_host(store.latest_series(), shown)


def health_body(result: health.Health, *, private: bool = False) -> dict[str, Any]:
    """A health answer. Anybody gets each check's kind of failure (`reason`); an ops caller
    (`private`) also gets the full line (`detail`), which may name the database's host."""
    return {
        "status": result.status,
        "reasons": result.reasons,
        "checks": [
            {
                "name": c.name,
                "status": c.status,
                "responseTime": c.response_time_ms,
                **({"reason": c.reason} if c.reason else {}),
                **({"detail": c.detail} if private and c.detail else {}),
                **c.details,
            }
            for c in result.checks
        ],
    }


def _unhealthy(reason: str) -> bytes:
    result = health.overall([health.Check("health", health.UNHEALTHY, reason=reason)])
    return bytes(JSONResponse(envelope(health_body(result))).body)


def _quick_health(backend: Backend) -> health.Health:
    try:
        result = health.quick(backend.database, backend.store, backend.settings, now=time.time())
    except Exception as exc:  # a missing, locked or corrupt store: unhealthy, with the reason
        log.warning("quick health check failed: %s", first_line(exc))
        unread = health.Check(
            "collector",
            health.UNHEALTHY,
            reason=f"history store {failure_kind(exc)}",
            detail=first_line(exc),
        )
        # A read-only folder can stop the reading too: say so if it is the cause.
        result = health.overall([health.check_store(backend.settings.store_url), unread])
    backend.quick_health = (time.monotonic(), result)
    return result


def _quick_answer(backend: Backend) -> tuple[bytes, int]:
    result = _quick_health(backend)
    code = 503 if result.status == health.UNHEALTHY else 200
    return bytes(JSONResponse(envelope(health_body(result))).body), code


def current_health(backend: Backend) -> health.Health:
    """The quick check's answer if under QUICK_MAX_AGE_S old, else a new one (in this thread):
    /status and the dashboard agree with /health/quick and add no load of their own."""
    cached = backend.quick_health
    if cached is not None and time.monotonic() - cached[0] < QUICK_MAX_AGE_S:
        return cached[1]
    return _quick_health(backend)
