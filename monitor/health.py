"""Health checks: the quick one for load balancers and the detailed one for people.

Statuses go healthy → degraded → unhealthy; the overall status is the worst of the checks.
The checks look at the live system (the monitored database, this host, the probes) and at the
store's freshness (is the collector still writing?).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psutil

from monitor.collectors.performance import probe
from monitor.config import Probe, Settings
from monitor.errors import SourceError
from monitor.machine import Machine
from monitor.source_db import SourceDatabase
from monitor.store import HistoryStore

HEALTHY, DEGRADED, UNHEALTHY = "healthy", "degraded", "unhealthy"
_RANK = {HEALTHY: 0, DEGRADED: 1, UNHEALTHY: 2}
# The series whose newest sample says when the collector last wrote.
FRESHNESS_METRIC = "performance.cpuUsage"


@dataclass(frozen=True)
class Check:
    """One component's health."""

    name: str
    status: str
    response_time_ms: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None


# What each component is measured by, for the IETF format's "component:measurement" keys:
# (measurement, key in the check's details or None for its response time, unit).
MEASUREMENTS: dict[str, tuple[str, str | None, str]] = {
    "database": ("responseTime", None, "ms"),
    "collector": ("freshness", "ageSeconds", "s"),
    "memory": ("utilization", "percent", "%"),
    "disk": ("utilization", "percent", "%"),
    "network": ("interfacesUp", "interfacesUp", "interfaces"),
}
_IETF = {HEALTHY: "pass", DEGRADED: "warn", UNHEALTHY: "fail"}


@dataclass(frozen=True)
class Health:
    """The result of a health check: the overall status and every check behind it."""

    status: str
    checks: list[Check]

    @property
    def reasons(self) -> list[str]:
        """One line per component that is not healthy."""
        return [f"{c.name}: {c.reason}" for c in self.checks if c.reason]

    def to_health_json(self, *, now_iso: str) -> dict[str, Any]:
        """The IETF "Health Check Response Format for HTTP APIs" draft (pass / warn / fail)."""
        checks: dict[str, list[dict[str, Any]]] = {}
        for check in self.checks:
            measurement, key, unit = MEASUREMENTS.get(check.name, ("responseTime", None, "ms"))
            value = check.response_time_ms if key is None else check.details.get(key)
            if isinstance(value, list):
                value = len(value)
            entry = {
                "status": _IETF[check.status],
                "observedValue": value,
                "observedUnit": unit,
                "time": now_iso,
            }
            if check.reason:
                entry["output"] = check.reason
            checks[f"{check.name}:{measurement}"] = [entry]
        return {
            "status": _IETF[self.status],
            "version": "1",
            "serviceId": "vigie",
            "notes": self.reasons,
            "checks": checks,
        }


def overall(checks: Iterable[Check]) -> Health:
    """The worst status of the checks."""
    checks = list(checks)
    worst = max((c.status for c in checks), key=_RANK.__getitem__, default=HEALTHY)
    return Health(worst, checks)


def check_database(database: SourceDatabase) -> Check:
    """The monitored database answers `SELECT 1` (and, on PostgreSQL, its connections)."""
    start = time.perf_counter()
    try:
        with database.connect() as conn:
            database.query(conn, "SELECT 1")
            elapsed = (time.perf_counter() - start) * 1000
            details: dict[str, Any] = {}
            if database.dialect == "postgresql":
                details["connections"] = database.scalar(
                    conn, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
                )
    except SourceError as exc:
        return Check("database", UNHEALTHY, (time.perf_counter() - start) * 1000, reason=str(exc))
    status = DEGRADED if elapsed > 1000 else HEALTHY
    reason = f"SELECT 1 took {elapsed:.0f} ms" if status == DEGRADED else None
    return Check("database", status, elapsed, details, reason)


def check_freshness(store: HistoryStore, settings: Settings, now: float) -> Check:
    """The collector wrote within twice its shortest interval."""
    start = time.perf_counter()
    try:
        newest = store.newest_ts(FRESHNESS_METRIC)
    except Exception as exc:  # a missing, locked or broken store
        return Check("collector", UNHEALTHY, reason=f"history store unreadable: {exc}")
    elapsed = (time.perf_counter() - start) * 1000
    limit = 2 * settings.schedule.performance
    if newest is None:
        return Check("collector", DEGRADED, elapsed, reason="nothing collected yet")
    age = now - newest
    details = {"lastCollection": newest, "ageSeconds": round(age, 1), "limitSeconds": limit}
    if age > limit:
        return Check(
            "collector",
            DEGRADED,
            elapsed,
            details,
            reason=f"no collection for {age:.0f} s (expected every "
            f"{settings.schedule.performance} s)",
        )
    return Check("collector", HEALTHY, elapsed, details)


def _by_percent(name: str, percent: float, details: dict[str, Any]) -> Check:
    if percent >= 97:
        return Check(name, UNHEALTHY, None, details, f"{percent:.0f} % used")
    if percent >= 90:
        return Check(name, DEGRADED, None, details, f"{percent:.0f} % used")
    return Check(name, HEALTHY, None, details)


def check_memory(machine: Machine) -> Check:
    """Memory in use: degraded from 90 %, unhealthy from 97 %."""
    return _by_percent(
        "memory",
        machine.memory_percent(),
        {"usedMb": round(machine.memory_used_mb(), 1), "percent": machine.memory_percent()},
    )


def check_disk(machine: Machine, settings: Settings) -> Check:
    """The data folder's disk: degraded from 90 %, unhealthy from 97 %."""
    percent = machine.disk_percent(settings.data_dir)
    return _by_percent("disk", percent, {"path": str(settings.data_dir), "percent": percent})


def check_network() -> Check:
    """At least one network interface besides loopback is up."""
    up = [name for name, stats in psutil.net_if_stats().items() if stats.isup and name != "lo"]
    counters = psutil.net_io_counters()
    details = {"interfacesUp": up, "errorsIn": counters.errin, "errorsOut": counters.errout}
    if not up:
        return Check("network", DEGRADED, None, details, "no network interface is up")
    return Check("network", HEALTHY, None, details)


def public_url(url: str) -> str:
    """A URL fit for unauthenticated output: no user, password, query or fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def check_service(target: Probe) -> Check:
    """One configured external service (an HTTP probe)."""
    ok, elapsed = probe(target)
    details = {"url": public_url(target.url)}
    if not ok:
        return Check(f"service:{target.name}", DEGRADED, elapsed, details, "no good answer")
    return Check(f"service:{target.name}", HEALTHY, elapsed, details)


def quick(
    database: SourceDatabase, store: HistoryStore, settings: Settings, *, now: float
) -> Health:
    """Is the monitored database reachable, and is the collector writing?"""
    return overall([check_database(database), check_freshness(store, settings, now)])


def detailed(
    database: SourceDatabase,
    store: HistoryStore,
    settings: Settings,
    *,
    now: float,
    machine: Machine | None = None,
) -> Health:
    """Database, collector, memory, disk, network and every configured external service."""
    machine = machine or Machine()
    checks = [
        check_database(database),
        check_freshness(store, settings, now),
        check_memory(machine),
        check_disk(machine, settings),
        check_network(),
    ]
    checks += [check_service(target) for target in settings.probes]
    return overall(checks)
