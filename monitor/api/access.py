"""What each API route needs, and who a request's bearer token makes its caller.

One table of route classes, read by the door (`guard.RequestGuard`), the OpenAPI schema and
the tests: health checks, the public status page and the docs never need a token; reads need
`read` once `[api] require_token_for_reads` holds; maintenance, acknowledgements and silences
need `operate`; tokens, the audit and channel tests need `admin`. The ops token of the
configuration acts as an `operate` token, named "ops token" in the audit."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from starlette.requests import Request

from monitor.access import ANONYMOUS, Person, Scope, accounts, tokens
from monitor.config import Settings
from monitor.jobs.maintenance import authorized
from monitor.store import HistoryStore

MAINTENANCE_PATH = "/api/system/maintenance"
SILENCES_PATH = "/api/system/silences"
TOKENS_PATH = "/api/system/tokens"
AUDIT_PATH = "/api/system/audit"
NOTIFY_TEST_PATH = "/api/system/notifications/test"
ACKNOWLEDGE = re.compile(r"^/api/system/alerts/[^/]+/acknowledge$")
OPEN_PREFIXES = (
    "/api/system/health/",
    "/health/",
    "/api/public/",
    "/status",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/static-offline-docs",
)
OPS_TOKEN = "ops token"
# Whether any personal token or account exists decides the default of
# require_token_for_reads; asked of the store at most this often.
ANY_TOKEN_TTL_S = 5.0
TOKEN_TTL_S = 1.0
MAX_KEPT = 10_000


def needed(method: str, path: str) -> Scope | None:
    """The scope a request needs; None for what anybody may call."""
    if method == "OPTIONS" or path == "/" or path.startswith(OPEN_PREFIXES):
        return None
    if path.startswith(TOKENS_PATH) or path in (AUDIT_PATH, NOTIFY_TEST_PATH):
        return "admin"
    writes = method in ("POST", "PUT", "PATCH", "DELETE")
    if writes and (
        path in (MAINTENANCE_PATH, SILENCES_PATH)
        or path.startswith(SILENCES_PATH + "/")
        or ACKNOWLEDGE.match(path)
    ):
        return "operate"
    return "admin" if writes else "read"


def action(method: str, path: str) -> str:
    """What a request asks for, as the audit names it."""
    if path == MAINTENANCE_PATH:
        return "maintenance"
    if path.startswith(SILENCES_PATH):
        return "silence"
    if ACKNOWLEDGE.match(path):
        return "acknowledge"
    if path.startswith(TOKENS_PATH):
        return "tokens"
    if path == NOTIFY_TEST_PATH:
        return "notify test"
    return "audit" if path == AUDIT_PATH else "read"


class Doorman:
    """Turns a bearer token into a Person (checked against the store) and says whether reads
    need one. What the store said of a token is kept TOKEN_TTL_S: a scraper's every call is
    not a query, and a revoked token stops working within that (at once through the API)."""

    def __init__(self, settings: Settings, store: Callable[[], HistoryStore]) -> None:
        self.settings = settings
        self.store = store  # the store may be opened (or reopened) after the API starts
        self._any_token: tuple[float, bool] = (-1e18, False)
        self._people: dict[str, tuple[float, Person | None]] = {}

    def person(self, token: str, *, now: float) -> Person | None:
        """Who the token makes the caller; None for an unknown, revoked or expired token."""
        if authorized(self.settings, token):
            return Person(OPS_TOKEN, "ops", via="ops token")
        key = tokens.digest(token)
        kept = self._people.get(key)
        if kept is not None and time.monotonic() - kept[0] < TOKEN_TTL_S:
            return kept[1]
        found = tokens.bearer_of(self.store(), token, now=now)
        if len(self._people) >= MAX_KEPT:  # a flood of made-up tokens: start afresh
            self._people.clear()
        self._people[key] = (time.monotonic(), found)
        return found

    def knows(self, token: str) -> bool:
        """Whether `person(token)` can answer without the store."""
        if authorized(self.settings, token):
            return True
        kept = self._people.get(tokens.digest(token))
        return kept is not None and time.monotonic() - kept[0] < TOKEN_TTL_S

    def reads_need_token(self) -> bool:
        known = self.reads_need_token_known()
        if known is not None:
            return known
        store = self.store()
        found = tokens.any_token(store) or accounts.any_account(store)
        self._any_token = (time.monotonic(), found)
        return found

    def reads_need_token_known(self) -> bool | None:
        """Whether reads need a token, if that is known without asking the store."""
        configured = self.settings.api.require_token_for_reads
        if configured is not None:
            return configured
        at, found = self._any_token
        return found if time.monotonic() - at <= ANY_TOKEN_TTL_S else None

    def forget(self) -> None:
        """Tokens changed here: ask the store again from the next call."""
        self._people.clear()
        self._any_token = (-1e18, False)


def caller(request: Request) -> Person:
    """The person the door let in (anonymous where no token was needed nor given)."""
    person = request.scope.get("state", {}).get("person")
    return person if isinstance(person, Person) else ANONYMOUS
