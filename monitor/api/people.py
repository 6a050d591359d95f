"""What people do through the API beyond reading: acknowledge an alert (operate), manage
personal tokens, read the audit and test the notification channels (admin). The door has
already checked the token's scope; the domain functions check the role again and audit."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field

from monitor.access import NotAuthorized, tokens
from monitor.alerts import AlertBook
from monitor.api.access import AUDIT_PATH, NOTIFY_TEST_PATH, TOKENS_PATH, caller
from monitor.api.backend import Backend
from monitor.api.models import ERRORS, Envelope, envelope, iso
from monitor.audit import entries
from monitor.errors import ConfigError
from monitor.jobs.maintenance import acknowledge_alert
from monitor.notifications.testing import send_test_as

router = APIRouter(responses=ERRORS)
TOKEN_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$"


def _backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


class Acknowledged(BaseModel):
    id: int
    acknowledged: bool = Field(description="false when it was not open or already seen")


class TokenRequest(BaseModel):
    """A new personal token."""

    name: str = Field(pattern=TOKEN_NAME, description="what it is for, e.g. grafana")
    scope: Literal["read", "operate", "admin"] = "read"
    expires_days: int | None = Field(None, ge=1, le=3650, description="none: never")


class TokenOut(BaseModel):
    name: str
    scope: str
    createdAt: str
    createdBy: str
    expiresAt: str | None
    lastUsedAt: str | None
    expired: bool


class NewToken(TokenOut):
    token: str = Field(description="shown this once: keep it now")


class AuditLine(BaseModel):
    at: str
    actor: str
    action: str
    target: str
    outcome: str
    detail: str | None
    times: int


class ChannelAnswer(BaseModel):
    channel: str
    sent: bool
    answer: str


def _token_out(token: tokens.Token, now: float) -> dict[str, Any]:
    return {
        "name": token.name,
        "scope": token.scope,
        "createdAt": iso(token.created_at),
        "createdBy": token.created_by,
        "expiresAt": iso(token.expires_at) if token.expires_at is not None else None,
        "lastUsedAt": iso(token.last_used_at) if token.last_used_at is not None else None,
        "expired": token.expired(now),
    }


@router.post(
    "/api/system/alerts/{alert_id}/acknowledge",
    tags=["monitoring"],
    response_model=Envelope[Acknowledged],
)
def acknowledge(alert_id: Annotated[int, Path(ge=1, le=2**62)], request: Request) -> dict[str, Any]:
    """Mark an open alert as seen (scope operate); the audit names the token."""
    backend = _backend(request)
    book = AlertBook(backend.store, backend.settings.alerts.effective())
    try:
        done = acknowledge_alert(book, alert_id, person=caller(request), now=time.time())
    except NotAuthorized as exc:
        raise HTTPException(403, str(exc)) from None
    return envelope({"id": alert_id, "acknowledged": done})


@router.get(TOKENS_PATH, tags=["access"], response_model=Envelope[list[TokenOut]])
def list_tokens(request: Request) -> dict[str, Any]:
    """Every personal token: name, scope, creation, expiry, last use; never the token."""
    now = time.time()
    return envelope([_token_out(t, now) for t in tokens.listing(_backend(request).store)])


@router.post(TOKENS_PATH, tags=["access"], status_code=201, response_model=Envelope[NewToken])
def create_token(body: TokenRequest, request: Request) -> dict[str, Any]:
    """A new personal token; the answer is the only time it is shown."""
    store = _backend(request).store
    now = time.time()
    try:
        secret = tokens.create(store, caller(request), body.name, body.scope,
                               expires_days=body.expires_days, now=now)  # fmt: skip
    except NotAuthorized as exc:
        raise HTTPException(403, str(exc)) from None
    except tokens.TokenError as exc:
        raise HTTPException(409, str(exc)) from None
    request.app.state.doorman.forget()  # reads may need a token from now on
    made = next(t for t in tokens.listing(store) if t.name == body.name)
    return envelope({**_token_out(made, now), "token": secret})


@router.delete(TOKENS_PATH + "/{name}", tags=["access"], response_model=Envelope[TokenOut])
def revoke_token(
    name: Annotated[str, Path(pattern=TOKEN_NAME)], request: Request
) -> dict[str, Any]:
    """Revoke a token: its next call gets 401."""
    store = _backend(request).store
    now = time.time()
    found = next((t for t in tokens.listing(store) if t.name == name), None)
    try:
        tokens.revoke(store, caller(request), name, now=now)
        request.app.state.doorman.forget()  # refused from its next call, not a second later
    except NotAuthorized as exc:
        raise HTTPException(403, str(exc)) from None
    except tokens.TokenError as exc:
        raise HTTPException(404, str(exc)) from None
    if found is None:  # made between the listing and the revoke: revoked, but no details
        raise HTTPException(404, f"no token named {name!r}")
    return envelope(_token_out(found, now))


@router.get(AUDIT_PATH, tags=["access"], response_model=Envelope[list[AuditLine]])
def audit(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict[str, Any]:
    """The audit log, newest first: who did what, when, and how it ended."""
    lines = entries(_backend(request).store, limit=limit)
    return envelope(
        [
            {
                "at": iso(e.ts),
                "actor": e.actor,
                "action": e.action,
                "target": e.target,
                "outcome": e.outcome,
                "detail": e.detail,
                "times": e.times,
            }
            for e in lines
        ]
    )


@router.post(NOTIFY_TEST_PATH, tags=["notifications"], response_model=Envelope[list[ChannelAnswer]])
def test_channels(
    request: Request,
    channel: Annotated[
        str | None, Query(max_length=60, description="one channel; none: all")
    ] = None,
) -> dict[str, Any]:
    """Send a test message to every notification channel, or one (scope admin)."""
    backend = _backend(request)
    try:
        answers = send_test_as(backend.store, backend.settings, caller(request),
                               now=time.time(), only=channel)  # fmt: skip
    except NotAuthorized as exc:
        raise HTTPException(403, str(exc)) from None
    except ConfigError as exc:
        raise HTTPException(404, str(exc)) from None
    return envelope([{"channel": a.channel, "sent": a.taken, "answer": a.answer} for a in answers])
