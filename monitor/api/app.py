"""The API's routes and its command line (`python -m monitor.api`).

A thin view over `monitor`: it reads the history store, runs the health checks, and asks the
daemon for maintenance by queuing jobs. Every answer is `{"success", "data", "timestamp"}`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from typing import Annotated, Any

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, Field

from monitor import health, report
from monitor.access import NotAuthorized
from monitor.alerts import AlertBook
from monitor.api import models as m
from monitor.api.access import MAINTENANCE_PATH, Doorman, caller, needed
from monitor.api.availability import router as availability_router
from monitor.api.backend import (
    DETAILED_TTL_S,
    HEAVY_TTL_S,
    METRICS_TTL_S,
    QUICK_MAX_AGE_S,
    QUICK_TTL_S,
    Backend,
    current_health,
    health_body,
)
from monitor.api.errors import HANDLERS
from monitor.api.fleet import HOST_NAME
from monitor.api.fleet import router as fleet_router
from monitor.api.guard import RequestGuard, excerpt
from monitor.api.history import router as history_router
from monitor.api.models import Envelope, ErrorBody, HealthBody, envelope, iso
from monitor.api.people import router as people_router
from monitor.api.prometheus import exposition, state_of
from monitor.api.silences import router as silences_router
from monitor.api.status_page import router as status_router
from monitor.config import AlertRule, Settings, load_settings
from monitor.errors import VigieError
from monitor.fleet import Fleet
from monitor.insights import findings as insights
from monitor.jobs import JobQueue
from monitor.jobs.maintenance import TASKS, Task, UnknownTask, request_maintenance
from monitor.metrics import SHIPPED, Catalog
from monitor.notifications import mutes

log = logging.getLogger("vigie.api")


class MaintenanceRequest(BaseModel):
    """Which maintenance tasks to run."""

    tasks: list[Task] = Field(
        min_length=1, max_length=len(TASKS), description=f"any of {', '.join(TASKS)}"
    )


_ERROR = {"model": ErrorBody}
_UNHEALTHY: dict[int | str, dict[str, Any]] = {503: {"model": HealthBody}}
router = APIRouter(responses=m.ERRORS)


async def _backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


BackendDep = Annotated[Backend, Depends(_backend)]


@router.get("/api/system/health/live", tags=["health"], response_model=Envelope[m.Live])
@router.head("/api/system/health/live", include_in_schema=False)
async def live() -> dict[str, Any]:
    """200 whenever this process works; depends on nothing outside it."""
    return envelope({"status": "alive"})


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
    `application/health+json` to get the IETF health-check format. With a token of the
    operate scope or above (`Authorization: Bearer …`) each failed check also says where it
    failed."""
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
    private = caller(request).may("ops")
    return JSONResponse(
        envelope(health_body(result, private=private)), status_code=code, headers=vary
    )


def _words(backend: Backend) -> tuple[mutes.Mutes, dict[str, AlertRule], Catalog]:
    """What an alert's answer needs beyond the alert: the mutes now, the rules, the registry."""
    rules = {rule.name: rule for rule in backend.settings.alerts.effective()}
    return mutes.read(backend.store, backend.settings, time.time()), rules, backend.catalog


@router.get("/api/system/status", tags=["monitoring"], response_model=Envelope[m.Status])
def status(backend: BackendDep) -> dict[str, Any]:
    """Overall status and the active alerts."""
    active = AlertBook(backend.store, backend.settings.alerts.effective()).active()
    result = current_health(backend)
    words = _words(backend)
    return envelope(
        {
            "overall": result.status,
            "reasons": result.reasons,
            "alerts": [report.alert(a, *words) for a in active],
        }
    )


@router.get("/api/system/alerts", tags=["monitoring"], response_model=Envelope[m.Alerts])
def alerts(backend: BackendDep) -> dict[str, Any]:
    """Active alerts by priority, critical first."""
    active = AlertBook(backend.store, backend.settings.alerts.effective()).active()
    by_priority = report.alerts_by_priority(active, *_words(backend))
    return envelope({"count": len(active), "byPriority": by_priority})


@router.get("/api/system/metrics", tags=["monitoring"], response_model=Envelope[m.Metrics])
def metrics(
    backend: BackendDep,
    host: Annotated[
        str | None,
        Query(max_length=63, pattern=HOST_NAME, description="whose machine figures (a fleet)"),
    ] = None,
) -> dict[str, Any]:
    """Newest performance, business and SEO figures (cached one minute); the performance
    figures are `host`'s, else this machine's, else the first host's."""
    if host is not None and host not in (known := Fleet(backend.store).names()):
        raise HTTPException(
            404, f"no host {host!r} writes this store; hosts: {', '.join(known) or 'none yet'}"
        )
    return envelope(
        backend.cache.get(
            f"metrics:{host or ''}",
            HEAVY_TTL_S,
            lambda: report.metrics(backend.latest(host), backend.catalog),
        )
    )


def insights_report(backend: Backend) -> dict[str, Any]:
    """Trends, predicted issues, backtests, forecasts, anomalies, baselines, table growth and
    the ranked advice: the same content as the dashboard's Insights page."""
    return insights.report(backend.store, backend.settings, now=time.time())


@router.get("/api/system/insights", tags=["monitoring"], response_model=Envelope[m.InsightsFull])
def get_insights(backend: BackendDep) -> dict[str, Any]:
    """Recommendations (and, with the insights module, trends and predicted issues)."""
    return envelope(backend.cache.get("insights", HEAVY_TTL_S, lambda: insights_report(backend)))


def _added(backend: Backend, area: str) -> tuple[str, ...]:
    """The figures the configuration adds to an area (the seed's shape otherwise)."""
    shipped = {m.name for m in SHIPPED}
    return tuple(
        m.name.split(".", 1)[1]
        for m in backend.catalog.in_area(area)
        if m.name not in shipped and m.name.count(".") == 1
    )


@router.get("/api/system/dashboard", tags=["monitoring"], response_model=Envelope[m.Dashboard])
def dashboard(backend: BackendDep) -> dict[str, Any]:
    """Everything at once, in the shape of the seed's example: the figures cached one minute,
    the status and the alerts as they are now."""

    def figures() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        latest = backend.latest()
        tables = report.database(latest, backend.settings.source.critical_tables, "")
        found = backend.cache.get("insights", HEAVY_TTL_S, lambda: insights_report(backend))
        seed = {k: found[k] for k in ("recommendations", "trends", "predictedIssues")}
        return report.metrics(latest, backend.catalog), tables, seed

    metrics, database, insights = backend.cache.get("dashboard", HEAVY_TTL_S, figures)
    state = current_health(backend)
    database_state = next((c.status for c in state.checks if c.name == "database"), state.status)
    active = AlertBook(backend.store, backend.settings.alerts.effective()).active()
    # The seed's figures, then those the configuration adds to the area.
    performance: tuple[str, ...] = ("responseTime", "uptime", "memoryUsage", "requestsPerMinute")
    performance += ("errorRate", *_added(backend, "performance"))
    business: tuple[str, ...] = ("totalUsers", "activeUsers", "revenue24h", "conversionRate")
    business += _added(backend, "business")
    words = _words(backend)
    return envelope(
        {
            "system": {
                "overall": state.status,
                "performance": {k: metrics["performance"][k] for k in performance},
                "database": {**database, "status": database_state},
                "alerts": [report.alert(a, *words) for a in active],
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


@router.post(
    MAINTENANCE_PATH,
    status_code=202,
    tags=["maintenance"],
    response_model=Envelope[m.Queued],
    responses={400: _ERROR, 401: _ERROR, 403: _ERROR},
)
def maintenance(body: MaintenanceRequest, backend: BackendDep, request: Request) -> dict[str, Any]:
    """Queue maintenance (scope operate: `Authorization: Bearer <token>`). The token is
    checked before the body is read; a body over 64 KiB is refused (413) unread."""
    try:
        ids = request_maintenance(
            JobQueue(backend.store), body.tasks, person=caller(request), now=time.time()
        )
    except NotAuthorized as exc:  # audited as refused by request_maintenance
        raise HTTPException(403, str(exc)) from None
    except UnknownTask as exc:  # audited as invalid
        raise HTTPException(422, str(exc)) from None
    return envelope({"jobs": ids})


@router.get("/metrics", tags=["monitoring"], response_class=PlainTextResponse)
async def prometheus(request: Request) -> Response:
    """Every metric's newest value in Prometheus' names and base units, and Vigie's own state
    (open alerts, collectors' last runs, job queues, store size, build); OpenMetrics when the
    scraper's Accept asks for it. Rendered at most once a second."""
    backend: Backend = request.app.state.backend
    accept = request.headers.get("accept", "")
    wanted = "openmetrics" if "application/openmetrics-text" in accept else "text"

    def render() -> tuple[bytes, str]:
        store = backend.store
        state = state_of(store, backend.settings, time.time())
        return exposition(store.latest_series(), backend.catalog, state, accept)

    body, content_type = await backend.fresh(f"metrics-{wanted}", METRICS_TTL_S, render)
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
    # The door's memory of tokens, which the token routes clear when they change one.
    app.state.doorman = Doorman(backend.settings, lambda: backend.store)
    for kind, handle in HANDLERS:
        app.add_exception_handler(kind, handle)
    app.include_router(router)
    app.include_router(silences_router)
    app.include_router(history_router)
    app.include_router(fleet_router)
    app.include_router(availability_router)
    app.include_router(status_router)
    app.include_router(people_router)
    app.add_middleware(
        RequestGuard,
        settings=backend.settings,
        store=lambda: backend.store,
        routes=app.router.routes,
        doorman=app.state.doorman,
    )
    _document_security(app)
    return app


BEARER = "bearerToken"


def _document_security(app: FastAPI) -> None:
    """The bearer scheme in the schema (the Authorize button of /docs), and on each operation
    the scope it needs, as the door (`access.needed`) enforces it."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes[BEARER] = {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token (`python -m monitor tokens create --scope "
            "read|operate|admin`), or the configuration's ops token, which acts as operate.",
        }
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                scope = needed(method.upper(), path)
                if scope is None:
                    continue
                # Reads may be open ([api] require_token_for_reads): the token is optional.
                operation["security"] = [{BEARER: []}] + ([{}] if scope == "read" else [])
                operation["x-scope"] = scope
                operation.setdefault("responses", {}).setdefault(
                    "401", {"description": "No token, or an unknown, revoked or expired one"}
                )
                if scope != "read":
                    operation["responses"].setdefault(
                        "403", {"description": f"The token's scope is below {scope}"}
                    )
        app.openapi_schema = schema
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
