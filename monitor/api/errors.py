"""The API's error answers: one envelope, one line, the right status; invalid maintenance calls
are audited."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from monitor.api.access import MAINTENANCE_PATH, caller
from monitor.api.backend import Backend
from monitor.api.guard import excerpt
from monitor.api.models import envelope
from monitor.errors import StoreError
from monitor.jobs.maintenance import (
    TASKS,
    audit_call,
)
from monitor.store import store_failure

log = logging.getLogger("vigie.api")
# (exception type, handler) for create_app to register.
HANDLERS: list[tuple[type[Exception], Callable[..., JSONResponse]]] = []


def _handler(
    kind: type[Exception],
) -> Callable[[Callable[..., JSONResponse]], Callable[..., JSONResponse]]:
    def register(handle: Callable[..., JSONResponse]) -> Callable[..., JSONResponse]:
        HANDLERS.append((kind, handle))
        return handle

    return register


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
        # The allowed values are the schema's own words, never the client's: shown whole.
        expected = (
            ", ".join(TASKS)
            if request.url.path == MAINTENANCE_PATH
            else str(_context(first).get("expected", "the allowed values"))
        )
        message, code = f"{where}: {given!r} is not one of {expected}", 422
    else:
        # pydantic's message names the rule, not the input: nothing long is echoed back.
        message, code = f"{where}: {excerpt(first.get('msg'))}", 422
    if request.method == "POST" and request.url.path == MAINTENANCE_PATH:
        _audit_invalid(request, message)  # every maintenance call lands in the audit log
    return JSONResponse(envelope(message, success=False), status_code=code)


def _context(error: Any) -> dict[str, Any]:
    context = error.get("ctx") if isinstance(error, dict) else None
    return context if isinstance(context, dict) else {}


def _audit_invalid(request: Request, message: str) -> None:
    backend: Backend = request.app.state.backend
    try:
        audit_call(
            backend.store,
            actor=caller(request).name,
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
