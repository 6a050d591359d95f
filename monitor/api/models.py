"""The shapes of the JSON API's answers, so /docs describes every field and tools can rely on it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


def iso(ts: float | None = None) -> str:
    """An epoch second (default: now) as ISO 8601 UTC with milliseconds and a Z."""
    moment = datetime.fromtimestamp(ts, UTC) if ts is not None else datetime.now(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def envelope(data: Any, *, success: bool = True) -> dict[str, Any]:
    """Every answer's wrapping: `{"success", "data" | "error", "timestamp"}`."""
    key = "data" if success else "error"
    return {"success": success, key: data, "timestamp": iso()}


class Envelope(BaseModel, Generic[T]):
    """Every successful answer: the seed's `{"success", "data", "timestamp"}`."""

    success: bool = True
    data: T
    timestamp: str


class Live(BaseModel):
    status: str


class HealthCheckOut(BaseModel):
    """One component: its status, its response time (ms) and its own figures."""

    model_config = ConfigDict(extra="allow")
    name: str
    status: str
    responseTime: float | None = None


class HealthOut(BaseModel):
    status: str
    reasons: list[str]
    checks: list[HealthCheckOut]


class Performance(BaseModel):
    # The registry's other metrics of the area follow, one added in the configuration too.
    model_config = ConfigDict(extra="allow")

    responseTime: float | None = None
    uptime: int | None = None
    memoryUsage: float | None = None
    cpuUsage: float | None = None
    diskUsage: float | None = None
    requestsPerMinute: int | None = None
    errorRate: float | None = None


class Business(BaseModel):
    # The registry's other metrics of the area follow, one added in the configuration too.
    model_config = ConfigDict(extra="allow")

    totalUsers: int | None = None
    activeUsers: int | None = None
    orders24h: int | None = None
    revenue24h: float | None = None
    averageBasket: float | None = None
    conversionRate: float | None = None


class Seo(BaseModel):
    # The registry's other metrics of the area follow, one added in the configuration too.
    model_config = ConfigDict(extra="allow")

    totalPages: int | None = None
    optimizedPages: int | None = None
    sitemapHealth: float | None = None


class Metrics(BaseModel):
    performance: Performance
    business: Business
    seo: Seo


class AlertOut(BaseModel):
    id: int
    title: str = Field(description="the alert in words: figure, threshold, unit")
    rule: str
    subject: str
    metric: str
    severity: str
    state: str
    value: float | None
    threshold: float | None
    message: str
    openedAt: float
    updatedAt: float
    resolvedAt: float | None
    acknowledgedBy: str | None
    acknowledgedAt: float | None
    silenced: bool = Field(description="a silence or a maintenance window holds its messages")
    silencedBy: str | None = Field(description="which, until when and why")


class Status(BaseModel):
    overall: str
    reasons: list[str]
    alerts: list[AlertOut]


class Alerts(BaseModel):
    count: int
    byPriority: dict[str, list[AlertOut]]


class NoteOut(BaseModel):
    kind: str
    text: str
    at: str


class TableOut(BaseModel):
    table: str
    accessible: bool | None
    recordCount: int | None
    queryTime: float | None
    sizeBytes: int | None
    notes: list[NoteOut]


class Insights(BaseModel):
    recommendations: list[str]
    trends: dict[str, str] | None
    predictedIssues: list[dict[str, Any]] | None


class BaselineOut(BaseModel):
    metric: str
    current: float
    usual: float
    weeks: int
    deviationPercent: float
    sentence: str


class AdviceOut(BaseModel):
    severity: str
    what: str
    why: str
    action: str


class AccuracyOut(BaseModel):
    """A forecast's rolling-origin backtest: mean absolute errors of the model and of the two
    baselines, and the method in use (the model only when it beats both)."""

    metric: str
    origins: int
    horizonHours: float
    modelMae: float
    naiveMae: float
    seasonalNaiveMae: float
    method: str
    modelBeatsBaseline: bool


class ForecastPoint(BaseModel):
    ts: float
    value: float
    low: float
    high: float


class ForecastOut(BaseModel):
    metric: str
    method: str
    points: list[ForecastPoint]


class AnomalyOut(BaseModel):
    metric: str
    ts: float
    value: float


class GrowthOut(BaseModel):
    table: str
    days: float
    rows: int
    rowsPerDay: float
    rowsThen: int
    sizeBytes: int | None
    bytesThen: int | None
    sentence: str


class InsightsFull(Insights):
    """Everything the Insights page shows: advice ranked by severity (`allGood` only when there
    is none), per-metric trends, backtests, forecasts, anomalies, baselines, table growth."""

    allGood: bool
    advice: list[AdviceOut]
    metricTrends: dict[str, str]
    accuracy: list[AccuracyOut]
    forecasts: list[ForecastOut]
    anomalies: list[AnomalyOut]
    baselines: list[BaselineOut]
    tableGrowth: list[GrowthOut]


class TableStatus(BaseModel):
    accessible: bool | None
    recordCount: int | None


class DashboardDatabase(BaseModel):
    status: str
    connections: int | None
    responseTime: float | None
    tableStatus: dict[str, TableStatus]


class DashboardPerformance(BaseModel):
    # The registry's other metrics of the area follow, one added in the configuration too.
    model_config = ConfigDict(extra="allow")

    responseTime: float | None
    uptime: int | None
    memoryUsage: float | None
    requestsPerMinute: int | None
    errorRate: float | None


class DashboardSystem(BaseModel):
    overall: str
    performance: DashboardPerformance
    database: DashboardDatabase
    alerts: list[AlertOut]


class DashboardBusiness(BaseModel):
    # The registry's other metrics of the area follow, one added in the configuration too.
    model_config = ConfigDict(extra="allow")

    totalUsers: int | None
    activeUsers: int | None
    revenue24h: float | None
    conversionRate: float | None


class DashboardMetrics(BaseModel):
    business: DashboardBusiness
    seo: Seo


class Dashboard(BaseModel):
    """The seed's example response, field for field."""

    system: DashboardSystem
    insights: Insights
    metrics: DashboardMetrics


class Queued(BaseModel):
    jobs: list[int]


class JobEventOut(BaseModel):
    event: str
    at: str
    detail: str | None


class JobSummary(BaseModel):
    id: int
    queue: str
    type: str
    state: str
    attempts: int
    maxAttempts: int
    progress: int
    error: str | None
    result: dict[str, Any] | None
    requestedBy: str
    createdAt: str
    startedAt: str | None
    finishedAt: str | None
    durationMs: float | None
    worker: str | None


class JobOut(JobSummary):
    events: list[JobEventOut]


class Jobs(BaseModel):
    count: int
    jobs: list[JobSummary]


class HostOut(BaseModel):
    host: str
    state: Literal["up", "quiet"]
    lastWrite: str
    ageSeconds: float
    intervalSeconds: int
    firstSeen: str


class Hosts(BaseModel):
    count: int
    hosts: list[HostOut]


class ErrorBody(BaseModel):
    """Every error: what went wrong and what to do, in one line."""

    success: bool = False
    error: str
    timestamp: str


# Documented for every endpoint, so clients (and the schema fuzz) know every answer's shape.
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (404, 405, 413, 422, 500, 503)
}


class HealthBody(BaseModel):
    """A health answer: 200 healthy or degraded, 503 unhealthy, the same shape either way."""

    success: bool
    data: dict[str, Any]
    timestamp: str
