"""`GET /api/system/availability?days=`: each component's availability over 24 h, 7, 30 and
90 days, its incidents over the last `days` with their cause, MTTR, the longest incident, and
its last 90 days day by day (cached one minute)."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from monitor.api.backend import HEAVY_TTL_S, Backend
from monitor.api.models import ERRORS, Envelope, envelope
from monitor.availability import as_dict, availability

router = APIRouter(tags=["monitoring"], responses=ERRORS)


class FiguresOut(BaseModel):
    availability: float | None
    upSeconds: int
    downSeconds: int
    maintenanceSeconds: int
    noDataSeconds: int


class CauseOut(BaseModel):
    rule: str
    alertId: int
    title: str
    subject: str


class IncidentOut(BaseModel):
    start: str
    end: str
    durationSeconds: int
    cause: CauseOut | None


class DayOut(BaseModel):
    day: str
    availability: float | None


class ComponentOut(BaseModel):
    component: str
    title: str
    kind: Literal["shop", "probe", "table"]
    periods: dict[str, FiguresOut]
    incidents: list[IncidentOut]
    mttrSeconds: int | None
    longestSeconds: int | None
    daily: list[DayOut]


class AvailabilityOut(BaseModel):
    days: int
    components: list[ComponentOut]


@router.get("/api/system/availability", response_model=Envelope[AvailabilityOut])
def get_availability(
    request: Request,
    days: Annotated[int, Query(ge=1, le=90, description="the incidents of the last days")] = 30,
) -> dict[str, Any]:
    """Availability (SLA) of the shop as a whole, each HTTP probe and each critical table.
    Time in a maintenance window is reported apart; time Vigie did not watch is no data, never
    up; `availability` is null for a period without any reading."""
    backend: Backend = request.app.state.backend

    def build() -> dict[str, Any]:
        found = availability(backend.store, backend.settings, now=time.time(), days=days)
        return {"days": days, "components": [as_dict(a, backend.catalog) for a in found]}

    return envelope(backend.cache.get(f"availability:{days}", HEAVY_TTL_S, build))
