"""The public status page: `GET /status` (HTML for customers: no login, no JavaScript, readable
on a phone), `GET /api/public/status` (the same as JSON) and `GET /status/logo`. Both are
cacheable (an ETag and a short max-age); every configured text is escaped."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel

from monitor.api.backend import Backend
from monitor.api.models import ERRORS
from monitor.availability.public import public_status

router = APIRouter(tags=["status page"], responses=ERRORS)
MAX_AGE_S = 30
LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".svg": "image/svg+xml", ".webp": "image/webp"}  # fmt: skip
State = Literal["operational", "outage", "maintenance", "unknown"]


class DayOut(BaseModel):
    day: str
    availability: float | None


class PublicComponentOut(BaseModel):
    name: str
    state: State
    availability90d: float | None
    days: list[DayOut]


class IncidentOut(BaseModel):
    component: str
    since: str


class MaintenanceOut(BaseModel):
    components: list[str]
    start: str
    end: str


class PublicStatus(BaseModel):
    title: str
    status: State
    updated: str
    components: list[PublicComponentOut]
    incidents: list[IncidentOut]
    maintenance: list[MaintenanceOut]


def _content(request: Request) -> dict[str, Any]:
    backend: Backend = request.app.state.backend
    found: dict[str, Any] = backend.cache.get(
        "public-status",
        MAX_AGE_S,
        lambda: public_status(backend.store, backend.settings, now=time.time()),
    )
    return found


def _cached(request: Request, body: bytes, media_type: str) -> Response:
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": tag, "Cache-Control": f"public, max-age={MAX_AGE_S}"}
    if tag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@router.get("/api/public/status", response_model=PublicStatus)
def status_json(request: Request) -> Response:
    """The public status page as JSON: each public component's state and its last 90 days,
    the outages going on and the maintenance planned for the week. No login."""
    body = json.dumps(PublicStatus(**_content(request)).model_dump(), separators=(",", ":"))
    return _cached(request, body.encode(), "application/json")


@router.get("/status", response_class=HTMLResponse)
def status_html(request: Request) -> Response:
    """The public status page for customers (HTML, no JavaScript). No login."""
    backend: Backend = request.app.state.backend
    content = _content(request)
    page = _TEMPLATE.render(**content, logo=bool(backend.settings.status_page.logo), colour=_colour)
    return _cached(request, page.encode(), "text/html; charset=utf-8")


@router.get("/status/logo", include_in_schema=False)
def status_logo(request: Request) -> Response:
    backend: Backend = request.app.state.backend
    path = Path(backend.settings.status_page.logo)
    kind = LOGO_TYPES.get(path.suffix.lower())
    if not backend.settings.status_page.logo or kind is None or not path.is_file():
        raise HTTPException(404, "no logo is configured for the status page")
    return FileResponse(path, media_type=kind, headers={"Cache-Control": "public, max-age=3600"})


def _colour(availability: float | None) -> str:
    if availability is None:
        return "#d0d7de"
    if availability >= 99.9:
        return "#2da44e"
    return "#d4a72c" if availability >= 99 else "#cf222e"


_WORDS = {"operational": "Operational", "outage": "Outage", "maintenance": "Maintenance",
          "unknown": "No recent data"}  # fmt: skip
_OVERALL = {"operational": "All systems operational", "outage": "Some systems are down",
            "maintenance": "Maintenance in progress", "unknown": "Status unknown"}  # fmt: skip


def _when(iso: str) -> str:
    """An ISO 8601 UTC time as customers read it: "2 Dec 2026, 02:00 UTC"."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


_PAGES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
_PAGES.filters["when"] = _when
_PAGES.globals.update(words=_WORDS, overall=_OVERALL)
_TEMPLATE = _PAGES.get_template("status.html.j2")
