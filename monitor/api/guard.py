"""The API's door: body size, ops authentication before any body is read, OPTIONS answers.

An ASGI middleware in front of every route, so a request is judged on its headers before the
application reads a byte of its body: a maintenance call without the ops token is refused (401
or 403) however large or malformed its body; a body over MAX_BODY_BYTES is answered 413 without
being read into memory (by its Content-Length, or after that many bytes of a chunked one); a
maintenance body that is not UTF-8 is refused (400). Refusals are audited as bursts: one line a
minute per client, with a count.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monitor.api.models import envelope
from monitor.audit import record
from monitor.config import Settings
from monitor.errors import first_line
from monitor.jobs.maintenance import authorized
from monitor.store import HistoryStore

log = logging.getLogger("vigie.api")
MAX_BODY_BYTES = 64 * 1024
MAINTENANCE_PATH = "/api/system/maintenance"
SILENCES_PATH = "/api/system/silences"
EXCERPT_CHARS = 40
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def excerpt(value: object) -> str:
    """At most EXCERPT_CHARS of something a client sent, for an error answer."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"


def error_answer(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The API's error envelope."""
    return JSONResponse(envelope(message, success=False), status_code=status, headers=headers)


def ops_action(method: str, path: str) -> str | None:
    """The ops-only action a request asks for ("maintenance", "silences"), None for a read."""
    if method == "POST" and path == MAINTENANCE_PATH:
        return "maintenance"
    if (method == "POST" and path == SILENCES_PATH) or (
        method == "DELETE" and path.startswith(SILENCES_PATH + "/")
    ):
        return "silences"
    return None


def bearer(headers: Headers) -> str | None:
    """The credentials of `Authorization: Bearer …` (any case of "Bearer", RFC 7235)."""
    scheme, _, credentials = (headers.get("authorization") or "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None


def actor(scope: Scope) -> str:
    """Who called, as the audit names them."""
    client = scope.get("client")
    return f"api:{client[0] if client else 'unknown'}"


# An answer given instead of the application's, and the audit line it owes (maintenance only).
Refusal = tuple[Response, tuple[str, str] | None]
TOO_LARGE = f"the request body is larger than {MAX_BODY_BYTES // 1024} KiB: send less"


class RequestGuard:
    """See the module's docstring."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: Settings,
        store: Callable[[], HistoryStore],
        routes: Sequence[BaseRoute],
    ) -> None:
        self.app = app
        self.settings = settings
        self.store = store
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await self._options(scope)(scope, receive, send)
            return
        headers = Headers(scope=scope)
        guarded = ops_action(scope["method"], scope["path"])
        refusal = self._by_headers(headers, guarded)
        if refusal is None and scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            body, refusal = await self._by_body(receive, guarded)
            receive = _replay(body, receive)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        answer, audit = refusal
        if audit is not None and guarded is not None:
            await run_in_threadpool(self._audit, actor(scope), guarded, *audit)
        await answer(scope, receive, send)

    def _by_headers(self, headers: Headers, guarded: str | None) -> Refusal | None:
        if guarded is not None:
            token = bearer(headers)
            if token is None:
                answer = error_answer(
                    401,
                    f"{guarded} is for ops only: send Authorization: Bearer <ops token>",
                    {"WWW-Authenticate": "Bearer"},
                )
                return answer, ("refused", "no bearer token")
            if not authorized(self.settings, token):
                unset = "" if self.settings.ops.token else " (none is set: set ops.token)"
                answer = error_answer(403, f"{guarded} is for ops only: wrong ops token{unset}")
                return answer, ("refused", "no valid ops token")
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return self._too_large(guarded)
        return None

    def _too_large(self, guarded: str | None) -> Refusal:
        detail = f"body over {MAX_BODY_BYTES // 1024} KiB"
        return error_answer(413, TOO_LARGE), ("invalid", detail) if guarded is not None else None

    async def _by_body(self, receive: Receive, guarded: str | None) -> tuple[bytes, Refusal | None]:
        """The body, read up to the limit and no further."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                return b"", self._too_large(guarded)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if guarded is not None:
            try:
                body.decode("utf-8")
            except UnicodeDecodeError:
                answer = error_answer(400, "the request body is not UTF-8 text")
                return body, (answer, ("invalid", "body not UTF-8"))
        return body, None

    def _options(self, scope: Scope) -> Response:
        # Asked of the routes method by method: an included router hides its routes' methods.
        allowed = {
            method
            for method in METHODS
            if any(
                route.matches({**scope, "method": method})[0] == Match.FULL for route in self.routes
            )
        }
        if not allowed:
            return error_answer(404, "Not Found")
        return Response(
            status_code=204, headers={"Allow": ", ".join(sorted(allowed | {"OPTIONS"}))}
        )

    def _audit(self, who: str, action: str, outcome: str, detail: str) -> None:
        try:
            with self.store().writing() as conn:
                record(conn, actor=who, action=action, target="-", outcome=outcome,
                       now=time.time(), detail=detail, burst=True)  # fmt: skip
        except Exception as exc:  # the answer matters more than its audit line
            log.warning("cannot audit a refused %s call: %s", action, first_line(exc))


def _replay(body: bytes, then: Receive) -> Receive:
    """A receive channel that gives the application the body already read, then the client's
    own channel (which says when the client goes)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await then()

    return receive
