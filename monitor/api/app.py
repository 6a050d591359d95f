"""The API's routes and its command line (`python -m monitor.api`).

A thin view over `monitor`: it reads the history store, runs the health checks, and asks the
daemon for maintenance by queuing jobs. Every answer is `{"success", "data", "timestamp"}`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from monitor import health, report
from monitor.alerts import AlertBook
from monitor.api import models as m
from monitor.api.guard import MAINTENANCE_PATH, RequestGuard, actor, bearer, excerpt
from monitor.api.models import Envelope, envelope, iso
from monitor.api.prometheus import exposition
from monitor.config import Settings, load_settings
from monitor.errors import StoreError, VigieError, failure_kind, first_line
from monitor.insights import findings as insights
from monitor.jobs import JobQueue
from monitor.jobs.maintenance import (
    TASKS,
    NotAuthorized,
    Task,
    UnknownTask,
    audit_call,
    authorized,
    request_maintenance,
)
from monitor.store import HistoryStore, store_failure

log = logging.getLogger("vigie.api")
QUICK_TTL_S = 1.0  # a flood of load-balancer probes costs one check per second
QUICK_DEADLINE_S = 2.0  # past this a check that has not answered is an unhealthy answer
QUICK_MAX_AGE_S = 2 * QUICK_TTL_S  # an answer older than this is never served
DETAILED_TTL_S = 5.0
HEAVY_TTL_S = 60.0  # the seed's one-minute cache for metrics


class MaintenanceRequest(BaseModel):
    """Which maintenance tasks to run."""

    tasks: list[Task] = Field(
        min_length=1, max_length=len(TASKS), description=f"any of {', '.join(TASKS)}"
    )


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
        self.database = health.quick_database(settings)
        self._store: HistoryStore | None = None
        self._store_lock = threading.Lock()
        self.cache = TtlCache()
        self.quick_answer: tuple[float, bytes, int] | None = None
        self.quick_health: tuple[float, health.Health] | None = None
        self.quick_lock = asyncio.Lock()
        self.tasks: set[asyncio.Task[None]] = set()

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
                self._store = HistoryStore(self.settings.store_url, create=False, busy_timeout_s=2)
            return self._store

    def latest(self) -> dict[str, Any]:
        """The newest value of every series."""
        return self.store.latest()


_HANDLERS: list[tuple[type[Exception], Callable[..., JSONResponse]]] = []


def _handler(
    kind: type[Exception],
) -> Callable[[Callable[..., JSONResponse]], Callable[..., JSONResponse]]:
    def register(handle: Callable[..., JSONResponse]) -> Callable[..., JSONResponse]:
        _HANDLERS.append((kind, handle))
        return handle

    return register


class ErrorBody(BaseModel):
    """Every error: what went wrong and what to do, in one line."""

    success: bool = False
    error: str
    timestamp: str


class HealthBody(BaseModel):
    """A health answer: 200 healthy or degraded, 503 unhealthy, the same shape either way."""

    success: bool
    data: dict[str, Any]
    timestamp: str


_ERROR = {"model": ErrorBody}
_UNHEALTHY: dict[int | str, dict[str, Any]] = {503: {"model": HealthBody}}
# Documented for every endpoint, so clients (and the schema fuzz) know every answer's shape.
router = APIRouter(
    responses={404: _ERROR, 405: _ERROR, 413: _ERROR, 422: _ERROR, 500: _ERROR, 503: _ERROR}
)


async def _backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


BackendDep = Annotated[Backend, Depends(_backend)]


@_handler(StarletteHTTPException)
def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return JSONResponse(
        envelope(str(exc.detail), success=False),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


@_handler(RequestValidationError)
def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    where = ".".join(str(p) for p in first.get("loc", ()))
    if first.get("type") == "json_invalid":
        message, code = "the request body is not valid JSON", 400
    elif first.get("type") == "literal_error":
        given = excerpt(first.get("input"))
        message, code = f"{where}: {given!r} is not one of {', '.join(TASKS)}", 422
    else:
        # pydantic's message names the rule, not the input: nothing long is echoed back.
        message, code = f"{where}: {excerpt(first.get('msg'))}", 422
    if request.method == "POST" and request.url.path == MAINTENANCE_PATH:
        _audit_invalid(request, message)  # every maintenance call lands in the audit log
    return JSONResponse(envelope(message, success=False), status_code=code)


def _audit_invalid(request: Request, message: str) -> None:
    backend: Backend = request.app.state.backend
    try:
        audit_call(
            backend.store,
            actor=actor(request.scope),
            tasks=[],
            outcome="invalid",
            now=time.time(),
            detail=message[:300],
            burst=True,
        )
    except Exception as exc:  # the answer (400/422) matters more than its audit line
        log.warning("cannot audit an invalid maintenance call: %s", exc)


@_handler(StoreError)
def store_down(_request: Request, exc: StoreError) -> JSONResponse:
    return JSONResponse(envelope(str(exc), success=False), status_code=503)


@_handler(DBAPIError)
def store_failed(request: Request, exc: DBAPIError) -> JSONResponse:
    backend: Backend = request.app.state.backend
    failure = store_failure(backend.settings.store_url, exc)
    log.warning("%s", failure)
    return JSONResponse(envelope(str(failure), success=False), status_code=503)


@_handler(Exception)
def crashed(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        envelope(f"internal error: {type(exc).__name__}", success=False), status_code=500
    )


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


@router.get("/api/system/health/live", tags=["health"], response_model=Envelope[m.Live])
@router.head("/api/system/health/live", include_in_schema=False)
async def live() -> dict[str, Any]:
    """200 whenever this process works; depends on nothing outside it."""
    return envelope({"status": "alive"})


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


@router.get(
    "/api/system/health/quick",
    tags=["health"],
    responses={200: {"model": Envelope[m.HealthOut]}, **_UNHEALTHY},
)
@router.head("/api/system/health/quick", include_in_schema=False)
async def quick(request: Request) -> Response:
    """For load balancers: the database answers and the collector writes (cached 1 s)."""
    backend: Backend = request.app.state.backend  # no dependency resolution on the hot path
    # Balancers probe often and many at once: the answer is rendered at most once a second, in
    # a worker thread, while the event loop keeps serving the previous one from memory, but
    # never one older than QUICK_MAX_AGE_S: then the probe waits for a fresh check.
    cached = backend.quick_answer
    age = time.monotonic() - cached[0] if cached else None
    if age is None or age >= QUICK_MAX_AGE_S:
        await backend.refresh_quick()
        cached = backend.quick_answer
    elif age >= QUICK_TTL_S and not backend.quick_lock.locked():
        backend.tasks.add(task := asyncio.create_task(backend.refresh_quick()))
        task.add_done_callback(backend.tasks.discard)
    assert cached is not None
    return Response(cached[1], status_code=cached[2], media_type="application/json")


@router.get(
    "/api/system/health/detailed",
    tags=["health"],
    responses={200: {"model": Envelope[m.HealthOut]}, **_UNHEALTHY},
)
def detailed(
    backend: BackendDep, request: Request, accept: Annotated[str | None, Header()] = None
) -> JSONResponse:
    """Database, store, collector, memory, disk, network, services. Ask for
    `application/health+json` to get the IETF health-check format. With the ops token
    (`Authorization: Bearer …`) each failed check also says where it failed."""
    # Cached a few seconds: every call runs the probes, and anybody may call.
    result = backend.cache.get(
        "detailed",
        DETAILED_TTL_S,
        lambda: health.detailed(backend.database, backend.store, backend.settings, now=time.time()),
    )
    code = 503 if result.status == health.UNHEALTHY else 200
    # One URL, two formats, two audiences: caches must keep them apart.
    vary = {"Vary": "Accept, Authorization"}
    if accept and "application/health+json" in accept:
        return JSONResponse(
            result.to_health_json(now_iso=iso()),
            status_code=code,
            media_type="application/health+json",
            headers=vary,
        )
    private = authorized(backend.settings, bearer(request.headers))
    return JSONResponse(
        envelope(health_body(result, private=private)), status_code=code, headers=vary
    )


@router.get("/api/system/status", tags=["monitoring"], response_model=Envelope[m.Status])
def status(backend: BackendDep) -> dict[str, Any]:
    """Overall status and the active alerts."""
    active = AlertBook(backend.store, backend.settings.alerts.effective()).active()
    result = current_health(backend)
    return envelope(
        {
            "overall": result.status,
            "reasons": result.reasons,
            "alerts": [report.alert(a) for a in active],
        }
    )


@router.get("/api/system/alerts", tags=["monitoring"], response_model=Envelope[m.Alerts])
def alerts(backend: BackendDep) -> dict[str, Any]:
    """Active alerts by priority, critical first."""
    active = AlertBook(backend.store, backend.settings.alerts.effective()).active()
    return envelope({"count": len(active), "byPriority": report.alerts_by_priority(active)})


@router.get("/api/system/metrics", tags=["monitoring"], response_model=Envelope[m.Metrics])
def metrics(backend: BackendDep) -> dict[str, Any]:
    """Newest performance, business and SEO figures (cached one minute)."""
    return envelope(
        backend.cache.get("metrics", HEAVY_TTL_S, lambda: report.metrics(backend.latest()))
    )


def insights_report(backend: Backend) -> dict[str, Any]:
    """Trends, predicted issues, backtests, forecasts, anomalies, baselines, table growth and
    the ranked advice: the same content as the dashboard's Insights page."""
    return insights.report(backend.store, backend.settings, now=time.time())


@router.get("/api/system/insights", tags=["monitoring"], response_model=Envelope[m.InsightsFull])
def get_insights(backend: BackendDep) -> dict[str, Any]:
    """Recommendations (and, with the insights module, trends and predicted issues)."""
    return envelope(backend.cache.get("insights", HEAVY_TTL_S, lambda: insights_report(backend)))


@router.get("/api/system/dashboard", tags=["monitoring"], response_model=Envelope[m.Dashboard])
def dashboard(backend: BackendDep) -> dict[str, Any]:
    """Everything at once, in the shape of the seed's example: the figures cached one minute,
    the status and the alerts as they are now."""

    def figures() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        latest = backend.latest()
        tables = report.database(latest, backend.settings.source.critical_tables, "")
        found = backend.cache.get("insights", HEAVY_TTL_S, lambda: insights_report(backend))
        seed = {k: found[k] for k in ("recommendations", "trends", "predictedIssues")}
        return report.metrics(latest), tables, seed

    metrics, database, insights = backend.cache.get("dashboard", HEAVY_TTL_S, figures)
    state = current_health(backend)
    database_state = next((c.status for c in state.checks if c.name == "database"), state.status)
    active = AlertBook(backend.store, backend.settings.alerts.effective()).active()
    performance = ("responseTime", "uptime", "memoryUsage", "requestsPerMinute", "errorRate")
    business = ("totalUsers", "activeUsers", "revenue24h", "conversionRate")
    return envelope(
        {
            "system": {
                "overall": state.status,
                "performance": {k: metrics["performance"][k] for k in performance},
                "database": {**database, "status": database_state},
                "alerts": [report.alert(a) for a in active],
            },
            "insights": insights,
            "metrics": {
                "business": {k: metrics["business"][k] for k in business},
                "seo": metrics["seo"],
            },
        }
    )


@router.get(
    "/api/system/performance/{table}", tags=["monitoring"], response_model=Envelope[m.TableOut]
)
def performance(table: str, backend: BackendDep) -> dict[str, Any]:
    """One critical table's figures and recommendations; only configured tables."""
    if table not in backend.settings.source.critical_tables:
        raise HTTPException(
            404,
            f"{excerpt(table)!r} is not a monitored table; monitored: "
            f"{', '.join(backend.settings.source.critical_tables)}",
        )
    notes = backend.store.notes(
        subject=table,
        kinds=["recommendation", "skipped", "error"],
        since=time.time() - 3600,
        limit=20,
    )
    return envelope(
        {
            "table": table,
            **report.table(backend.latest(), table),
            "notes": [{"kind": n.kind, "text": n.text, "at": iso(n.ts)} for n in notes],
        }
    )


def _token(request: Request) -> str | None:
    """The ops token; the request guard already refused a call without the right one."""
    return bearer(request.headers)


@router.post(
    MAINTENANCE_PATH,
    status_code=202,
    tags=["maintenance"],
    response_model=Envelope[m.Queued],
    responses={400: _ERROR, 401: _ERROR, 403: _ERROR},
    openapi_extra={"security": [{"opsToken": []}]},
)
def maintenance(
    body: MaintenanceRequest,
    backend: BackendDep,
    request: Request,
    token: Annotated[str | None, Depends(_token)],
) -> dict[str, Any]:
    """Queue maintenance (ops only: `Authorization: Bearer <ops token>`). The token is checked
    before the body is read; a body over 64 KiB is refused (413) unread."""
    try:
        ids = request_maintenance(
            JobQueue(backend.store),
            body.tasks,
            actor=actor(request.scope),
            token=token,
            settings=backend.settings,
            now=time.time(),
        )
    except NotAuthorized as exc:  # audited as refused by request_maintenance
        raise HTTPException(403, str(exc)) from None
    except UnknownTask as exc:  # audited as invalid
        raise HTTPException(422, str(exc)) from None
    return envelope({"jobs": ids})


@router.get("/api/system/jobs/{job_id}", tags=["maintenance"], response_model=Envelope[m.JobOut])
def job(job_id: Annotated[int, Path(ge=1, le=2**62)], backend: BackendDep) -> dict[str, Any]:
    """A job's state, progress, outcome and events."""
    queue = JobQueue(backend.store)
    found = queue.get(job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id} (unknown, or trimmed by retention)")
    return envelope(
        {
            "id": found.id,
            "queue": found.queue,
            "type": found.type,
            "state": found.state,
            "attempts": found.attempts,
            "progress": found.progress,
            "maxAttempts": found.max_attempts,
            "error": found.error,
            "result": json.loads(found.result) if found.result else None,
            "requestedBy": found.requested_by,
            "createdAt": iso(found.created_at),
            "startedAt": iso(found.started_at) if found.started_at else None,
            "finishedAt": iso(found.finished_at) if found.finished_at else None,
            "durationMs": found.duration_ms,
            "events": [
                {"event": e.event, "at": iso(e.ts), "detail": e.detail}
                for e in queue.events(job_id)
            ],
        }
    )


@router.get("/metrics", tags=["monitoring"], response_class=PlainTextResponse)
def prometheus(backend: BackendDep) -> Response:
    """The newest value of every metric in the Prometheus text format."""
    body, content_type = exposition(backend.store.latest_series())
    return Response(body, media_type=content_type)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API over the configured store and database."""
    # Swagger UI from the package's own files, not a CDN a shop's closed network cannot reach.
    app = FastAPIOffline(
        title="Vigie",
        version="0.1.0",
        description="Monitoring of an online shop: health, metrics, alerts, jobs.",
    )
    backend = Backend(settings or load_settings())
    app.state.backend = backend
    for kind, handle in _HANDLERS:
        app.add_exception_handler(kind, handle)
    app.include_router(router)
    app.add_middleware(
        RequestGuard,
        settings=backend.settings,
        store=lambda: backend.store,
        routes=app.router.routes,
    )
    _document_security(app)
    return app


def _document_security(app: FastAPI) -> None:
    """The ops token in the schema, for the maintenance endpoint's `security`."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes["opsToken"] = {"type": "http", "scheme": "bearer"}
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    """Serve the API; exit 2 with one line for a setting to fix."""
    parser = argparse.ArgumentParser(prog="python -m monitor.api", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--config", help="TOML config file (default: $MONITOR_CONFIG)")
    args = parser.parse_args(argv)
    try:
        app = create_app(load_settings(args.config))
    except VigieError as exc:
        print(f"vigie: {exc}")
        return 2
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="warning")
    return 0
