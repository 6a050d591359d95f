"""`GET /api/system/history`: one stored series for scripts and Grafana's JSON data sources,
raw or hourly, bounded so no request reads more than a chart would."""

from __future__ import annotations

import json
import math
import time
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from monitor.api.backend import Backend
from monitor.api.guard import excerpt
from monitor.api.models import ERRORS, Envelope, envelope, iso
from monitor.samples import Labels

MAX_HOURLY_DAYS = 400  # the rollups' default retention: a year and a bit, 9,600 points at most
router = APIRouter(tags=["monitoring"], responses=ERRORS)


class PointOut(BaseModel):
    ts: str
    value: float
    min: float
    max: float


class SeriesOut(BaseModel):
    metric: str
    title: str
    unit: str
    labels: dict[str, str]
    step: Literal["raw", "hour"]
    start: str
    end: str
    points: list[PointOut]


LATEST = 32_503_680_000.0  # the year 3000: later is a typo, and past what a date can hold


def _instant(text: str | None, default: float, name: str) -> float:
    if text is None:
        return default
    wrong = HTTPException(
        422, f"{name}={excerpt(text)!r} is not a time: give ISO 8601 (2026-12-01T08:00:00Z) "
        "or epoch seconds between 1970 and 3000"
    )  # fmt: skip
    try:
        found = float(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            found = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
        except (ValueError, OverflowError, OSError):
            raise wrong from None
    if not (math.isfinite(found) and 0 <= found <= LATEST):
        raise wrong
    return found


def _labels(text: str | None) -> Labels:
    if not text:
        return ()
    try:
        found = json.loads(text)
    except ValueError:
        found = None
    if not isinstance(found, dict) or not all(isinstance(v, str) for v in found.values()):
        raise HTTPException(422, 'labels must be a JSON object of strings, e.g. {"probe":"home"}')
    return tuple(sorted(found.items()))


Metric = Annotated[str, Query(min_length=1, max_length=200, description="a metric's name")]
From = Annotated[
    str | None, Query(alias="from", description="ISO 8601 or epoch seconds; default: 24 h ago")
]
To = Annotated[str | None, Query(alias="to", description="ISO 8601 or epoch seconds; default: now")]
Step = Annotated[
    Literal["auto", "raw", "hour"],
    Query(description="raw samples, hourly rollups, or auto: raw within the raw window"),
]
LabelsQuery = Annotated[
    str | None, Query(max_length=500, description='a JSON object, e.g. {"probe":"home"}')
]


@router.get("/api/system/history", response_model=Envelope[SeriesOut])
def history(
    request: Request,
    metric: Metric,
    start: From = None,
    end: To = None,
    step: Step = "auto",
    labels: LabelsQuery = None,
) -> dict[str, Any]:
    """One series between two instants: raw samples or hourly min/avg/max, with its title and
    unit from the registry. Raw points are served for at most the store's raw window per
    request (48 h by default), hourly ones for at most 400 days."""
    backend: Backend = request.app.state.backend
    now = time.time()
    until = _instant(end, now, "to")
    since = _instant(start, until - 86400, "from")
    if since >= until:
        raise HTTPException(422, "from must be before to")
    window = backend.store.raw_read_max_seconds
    raw = step == "raw" or (step == "auto" and until - since <= window)
    if raw and until - since > window:
        raise HTTPException(
            422, f"raw points are served for at most {window / 3600:g} h per request; ask "
            "step=hour for a longer range"
        )  # fmt: skip
    if not raw and until - since > MAX_HOURLY_DAYS * 86400:
        raise HTTPException(422, f"hourly points are served for at most {MAX_HOURLY_DAYS} days")
    series = _labels(labels)
    if metric not in backend.store.series_names():
        raise HTTPException(404, f"no stored metric {excerpt(metric)!r}; /metrics lists them")
    points = backend.store.series(metric, since, until, series, raw=raw)
    return envelope(
        {
            "metric": metric,
            "title": backend.catalog.title(metric),
            "unit": backend.catalog.axis(metric),
            "labels": dict(series),
            "step": "raw" if raw else "hour",
            "start": iso(since),
            "end": iso(until),
            "points": [
                {"ts": iso(p.ts), "value": p.value, "min": p.min, "max": p.max} for p in points
            ],
        }
    )
