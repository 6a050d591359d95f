"""The API's door: who is calling and whether they may, body size, OPTIONS answers.

An ASGI middleware in front of every route, so a request is judged on its headers before the
application reads a byte of its body: a call without the token its route needs is refused (401
without a valid token, 403 with one of too small a scope; `access.needed` says which routes need
which) however large or malformed its body; a body over MAX_BODY_BYTES is answered 413 without
being read into memory (by its Content-Length, or after that many bytes of a chunked one); an
ops or admin body that is not UTF-8 is refused (400). The caller, a Person, is handed to the
route in the request's state. Refusals are audited as bursts: one line a minute per caller,
with a count.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, get_route_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monitor.access import ANONYMOUS, ROLE_OF_SCOPE, Person
from monitor.access import Scope as TokenScope
from monitor.api.access import Doorman, action, needed
from monitor.api.models import envelope
from monitor.audit import record
from monitor.config import Settings
from monitor.errors import StoreError, first_line
from monitor.store import HistoryStore, store_failure

log = logging.getLogger("vigie.api")
MAX_BODY_BYTES = 64 * 1024
EXCERPT_CHARS = 40
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def excerpt(value: object) -> str:
    """At most EXCERPT_CHARS of something a client sent, for an error answer."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"


def error_answer(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The API's error envelope."""
    return JSONResponse(envelope(message, success=False), status_code=status, headers=headers)


def bearer(headers: Headers) -> str | None:
    """The credentials of `Authorization: Bearer …` (any case of "Bearer", RFC 7235)."""
    scheme, _, credentials = (headers.get("authorization") or "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None


def client(scope: Scope) -> str:
    """Where a call came from, as the audit names an unknown caller."""
    peer = scope.get("client")
    return f"api:{peer[0] if peer else 'unknown'}"


# An answer given instead of the application's, and the audit line it owes (ops and admin
# calls, and any call with a token that is not one).
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
        doorman: Doorman | None = None,
    ) -> None:
        self.app = app
        self.settings = settings
        self.store = store
        self.routes = routes
        self.doorman = doorman or Doorman(settings, store)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await self._options(scope)(scope, receive, send)
            return
        headers = Headers(scope=scope)
        method, path = scope["method"], self._route_of(scope)
        need = needed(method, path)
        what = action(method, path)
        try:
            token = bearer(headers)
            if token is None and (
                need is None or (need == "read" and self.doorman.reads_need_token_known() is False)
            ):
                person, refusal = ANONYMOUS, None  # nothing to ask the store: no thread hop
            elif token is not None and self.doorman.knows(token):
                person, refusal = self._caller(headers, need, what)  # from memory: no hop
            else:
                person, refusal = await run_in_threadpool(self._caller, headers, need, what)
        except (StoreError, SQLAlchemyError) as exc:
            # Tokens live in the store: without it, only what needs no token is answered.
            if need is not None:
                failure = (
                    exc
                    if isinstance(exc, StoreError)
                    else store_failure(self.settings.store_url, exc)
                )
                await error_answer(503, str(failure))(scope, receive, send)
                return
            person, refusal = ANONYMOUS, None
        scope.setdefault("state", {})["person"] = person
        guarded = what if need in ("operate", "admin") else None
        if refusal is None:
            refusal = self._by_headers(headers, guarded)
        if refusal is None and method in ("POST", "PUT", "PATCH", "DELETE"):
            body, refusal = await self._by_body(receive, guarded)
            receive = _replay(body, receive)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        answer, audit = refusal
        if audit is not None:
            who = person.name if person is not ANONYMOUS else client(scope)
            await run_in_threadpool(self._audit, who, what, *audit)
        await answer(scope, receive, send)

    @staticmethod
    def _route_of(scope: Scope) -> str:
        """The path as the routes match it: past any root path (`--root-path` behind a proxy),
        and without the one trailing newline a route's `$` lets through (`/audit%0A` is
        /audit to the router, so it must be to the door too)."""
        path = get_route_path(scope)
        return path[:-1] if path.endswith("\n") else path

    def _caller(
        self, headers: Headers, need: TokenScope | None, what: str
    ) -> tuple[Person, Refusal | None]:
        """The caller, and the refusal they get if they may not call this."""
        token = bearer(headers)
        person = self.doorman.person(token, now=time.time()) if token else None
        if need is None:
            return person or ANONYMOUS, None
        if token is not None and person is None:
            answer = error_answer(
                401,
                "the token is unknown, revoked or expired: ask an admin for a new one",
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
            return ANONYMOUS, (answer, ("refused", "unknown, revoked or expired token"))
        if person is None:
            if need == "read" and not self.doorman.reads_need_token():
                return ANONYMOUS, None
            answer = error_answer(
                401,
                f"{what} needs a token with the {need} scope: send Authorization: Bearer "
                "<token> (`python -m monitor tokens create`)",
                {"WWW-Authenticate": "Bearer"},
            )
            return ANONYMOUS, (answer, ("refused", "no bearer token"))
        if not person.may(ROLE_OF_SCOPE[need]):
            answer = error_answer(
                403,
                f"{what} needs the {need} scope; {person.name} has {_scope_of(person)}",
                {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{need}"'},
            )
            return person, (answer, ("refused", f"{person.role} role, {need} needed"))
        return person, None

    def _by_headers(self, headers: Headers, guarded: str | None) -> Refusal | None:
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


def _scope_of(person: Person) -> str:
    return {role: scope for scope, role in ROLE_OF_SCOPE.items()}[person.role]


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
