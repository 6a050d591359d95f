"""The API's silences: create (201), list, end; ops only for the writes, every call audited."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, Field

from monitor.access import NotAuthorized
from monitor.api.access import SILENCES_PATH, caller
from monitor.api.backend import Backend
from monitor.api.models import Envelope, ErrorBody, envelope, iso
from monitor.notifications import silences

_ERROR = {"model": ErrorBody}
router = APIRouter(
    tags=["notifications"],
    responses={401: _ERROR, 403: _ERROR, 404: _ERROR, 413: _ERROR, 422: _ERROR, 503: _ERROR},
)


class SilenceRequest(BaseModel):
    """What to silence, for how long and why."""

    rule: str = Field("*", min_length=1, max_length=100, description="a rule name or glob")
    subject: str = Field("*", min_length=1, max_length=300, description="a subject or glob")
    max_severity: Literal["info", "warning", "error", "critical"] = "critical"
    duration_s: int = Field(ge=60, le=30 * 86400)
    comment: str = Field(min_length=1, max_length=500)


class SilenceOut(BaseModel):
    """A silence, as listed."""

    id: int
    rule: str
    subject: str
    maxSeverity: str
    startsAt: str
    endsAt: str
    createdBy: str
    comment: str
    active: bool


class Created(BaseModel):
    id: int


def _backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


@router.post(
    SILENCES_PATH,
    status_code=201,
    response_model=Envelope[Created],
    responses={400: _ERROR},
)
def create_silence(body: SilenceRequest, request: Request) -> dict[str, Any]:
    """Mute the notifications of the alerts it matches, from now for `duration_s`."""
    backend = _backend(request)
    try:
        silence_id = silences.create(
            backend.store,
            caller(request),
            rule=body.rule,
            subject=body.subject,
            max_severity=body.max_severity,
            duration_s=body.duration_s,
            comment=body.comment,
            now=time.time(),
        )
    except NotAuthorized as exc:
        raise HTTPException(403, str(exc)) from None
    return envelope({"id": silence_id})


@router.get(SILENCES_PATH, response_model=Envelope[list[SilenceOut]])
def list_silences(request: Request) -> dict[str, Any]:
    """The silences in force, and those that ended within the last day."""
    now = time.time()
    return envelope(
        [
            {
                "id": s.id,
                "rule": s.rule,
                "subject": s.subject,
                "maxSeverity": s.max_severity,
                "startsAt": iso(s.starts_at),
                "endsAt": iso(s.ends_at),
                "createdBy": s.created_by,
                "comment": s.comment,
                "active": s.starts_at <= now < s.ends_at,
            }
            for s in silences.listing(_backend(request).store, now)
        ]
    )


@router.delete(
    SILENCES_PATH + "/{silence_id}",
    response_model=Envelope[Created],
)
def end_silence(
    silence_id: Annotated[int, Path(ge=1, le=2**62)], request: Request
) -> dict[str, Any]:
    """End a silence now; its alerts still open are notified then."""
    backend = _backend(request)
    try:
        silences.end(backend.store, caller(request), silence_id, now=time.time())
    except NotAuthorized as exc:
        raise HTTPException(403, str(exc)) from None
    except silences.NoSuchSilence as exc:
        raise HTTPException(404, str(exc)) from None
    return envelope({"id": silence_id})
