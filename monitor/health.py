"""Health checks: the quick one for load balancers and the detailed one for people.

Statuses go healthy → degraded → unhealthy; the overall status is the worst of the checks.
The checks look at the live system (the monitored database, this host, the probes) and at the
store's freshness (is the collector still writing?).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psutil

from monitor.alerts import Alert, level, open_alerts
from monitor.collectors.performance import probe
from monitor.config import Probe, Settings
from monitor.errors import SourceError, failure_kind, first_line
from monitor.fleet import Fleet
from monitor.notifications import windows
from monitor.notifications.mutes import Mutes
from monitor.sources.database import SourceDatabase
from monitor.sources.machine import Machine
from monitor.store import HistoryStore, sqlite_path

HEALTHY, DEGRADED, UNHEALTHY = "healthy", "degraded", "unhealthy"
# What a failing check or alert covered by a maintenance window says: planned, not failing.
MAINTENANCE = "maintenance"
_RANK = {HEALTHY: 0, MAINTENANCE: 1, DEGRADED: 2, UNHEALTHY: 3}
# The severity a failing check stands for, for a window's `max_severity`.
_SEVERITY_OF = {UNHEALTHY: "critical", DEGRADED: "error"}
# The series whose newest sample says when the collector last wrote.
FRESHNESS_METRIC = "performance.cpuUsage"
# What an open alert, or a figure past a rule's threshold, does to the status.
SEVERITY_STATUS = {"critical": UNHEALTHY, "error": DEGRADED, "warning": DEGRADED}
# The rules whose thresholds the checks share (the same numbers open the alerts).
MEMORY_METRIC, DISK_METRIC, DATABASE_METRIC = (
    "performance.memoryPercent",
    "performance.diskUsage",
    "database.responseTime",
)
# The rule names a maintenance window's `rule` glob matches for the checks without an alert
# rule of their own, and for those whose rule the check shares.
COLLECTOR_RULE = "collector_late"
CHECK_RULES = {"memory": "memory_high", "disk": "disk_full"}
# Under this much free space SQLite cannot be trusted to commit a batch of samples.
STORE_MIN_FREE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Check:
    """One component's health.

    `reason` is for anybody (the unauthenticated health answers): the kind of failure, never
    the database's user, host, port or name. `detail` is the full line, for ops and logs.
    `decides` is false for a check shown for information only (see `verdict`). `rule` is the
    name a maintenance window's `rule` glob matches (the check's name is its subject)."""

    name: str
    status: str
    response_time_ms: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    detail: str | None = None
    decides: bool = True
    rule: str | None = None


# What each component is measured by, for the IETF format's "component:measurement" keys:
# (measurement, key in the check's details or None for its response time, unit).
MEASUREMENTS: dict[str, tuple[str, str | None, str]] = {
    "database": ("responseTime", None, "ms"),
    "collector": ("freshness", "ageSeconds", "s"),
    "memory": ("utilization", "percent", "%"),
    "disk": ("utilization", "percent", "%"),
    "network": ("interfacesUp", "interfacesUp", "interfaces"),
}
_IETF = {HEALTHY: "pass", MAINTENANCE: "warn", DEGRADED: "warn", UNHEALTHY: "fail"}


@dataclass(frozen=True)
class Health:
    """The result of a health check: the overall status and every check behind it."""

    status: str
    checks: list[Check]
    # The open alerts that weigh on the status, as checks (see `verdict`).
    alerts: list[Check] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        """One line per check or alert that decided the status, worst first."""
        weighed = [*self.checks, *self.alerts]
        deciding = [c for c in weighed if c.reason and c.decides and c.status != HEALTHY]
        deciding.sort(key=lambda c: -_RANK[c.status])
        return [f"{c.name}: {c.reason}" for c in deciding]

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


def overall(checks: Iterable[Check], alerts: Iterable[Check] = ()) -> Health:
    """The worst status of the checks that decide and of the alerts."""
    checks, alerts = list(checks), list(alerts)
    statuses = [c.status for c in [*checks, *alerts] if c.decides]
    return Health(max(statuses, key=_RANK.__getitem__, default=HEALTHY), checks, alerts)


def verdict(checks: Iterable[Check], active: Sequence[Alert], quiet: Mutes | None = None) -> Health:
    """Vigie's one overall status, which the API, the Overview and the Health page all show: the
    worst of the deciding checks and of the open alerts (critical: unhealthy; error or warning:
    degraded). A failing check or alert that a maintenance window in `quiet` covers says
    `maintenance` instead. Its reasons name the checks and alerts that decided it."""
    quiet = quiet or Mutes()
    alerts = [
        _planned(
            Check(
                f"{alert.severity} alert {alert.rule.replace('_', ' ')}",
                level,
                reason=alert.message,
            ),
            quiet,
            alert.rule,
            alert.subject,
            alert.severity,
        )
        for alert in active
        if (level := SEVERITY_STATUS.get(alert.severity)) is not None
    ]
    checks = [
        _planned(c, quiet, c.rule, c.name, _SEVERITY_OF.get(c.status, "info")) if c.rule else c
        for c in checks
    ]
    return overall(checks, alerts)


def _planned(check: Check, quiet: Mutes, rule: str, subject: str, severity: str) -> Check:
    if check.status not in (DEGRADED, UNHEALTHY):
        return check
    span = quiet.window(rule, subject, severity)
    if span is None:
        return check
    until = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(span.end))
    why = f"{check.reason or check.status}; maintenance window {span.window.name} until {until}"
    return replace(check, status=MAINTENANCE, reason=why)


def planned_work(settings: Settings, now: float) -> Mutes:
    """The maintenance windows running at `now` (silences mute messages, not the health)."""
    return Mutes(windows=tuple(windows.in_force(settings.maintenance_windows, now)))


def rule_status(settings: Settings, metric: str, value: float) -> tuple[str, str | None]:
    """The status a figure gives by the configured alert rule on `metric` (the same thresholds
    that open its alert), and the severity reached; healthy without such a rule."""
    for rule in settings.alerts.effective():
        if rule.metric == metric and rule.baseline == "value":
            reached = level(rule, value)
            if reached is not None:
                return SEVERITY_STATUS.get(reached, HEALTHY), reached
    return HEALTHY, None


def quick_database(settings: Settings) -> SourceDatabase:
    """The monitored database with the health checks' short timeouts: a load balancer or a
    page waits a second for a dead database, not a minute."""
    source = settings.source.model_copy(
        update={"connect_timeout_s": 1, "statement_timeout_ms": 1000}
    )
    return SourceDatabase(settings.source_url, source)


def check_database(database: SourceDatabase, settings: Settings | None = None) -> Check:
    """The monitored database answers `SELECT 1` (and, on PostgreSQL, its connections); slow
    past the `database.responseTime` rule's thresholds."""
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
        took = (time.perf_counter() - start) * 1000
        return Check(
            "database", UNHEALTHY, took, reason=exc.kind, detail=str(exc), rule="database_down"
        )
    status, reached = rule_status(settings or Settings(), DATABASE_METRIC, elapsed)
    reason = f"SELECT 1 took {elapsed:.0f} ms ({reached})" if reached else None
    return Check("database", status, elapsed, details, reason, rule="database_slow")


def check_freshness(store: HistoryStore, settings: Settings, now: float) -> Check:
    """Every host's collector wrote within twice its interval (a store from before hosts
    were recorded: the newest machine figure, within twice this machine's interval)."""
    start = time.perf_counter()
    try:
        hosts = Fleet(store).hosts()
        newest = store.newest_ts(FRESHNESS_METRIC) if not hosts else None
    except Exception as exc:  # a missing, locked or broken store
        kind = failure_kind(exc, "unreadable")
        return Check(
            "collector",
            UNHEALTHY,
            reason=f"history store {kind}",
            detail=first_line(exc),
            rule=COLLECTOR_RULE,
        )
    elapsed = (time.perf_counter() - start) * 1000
    if hosts:
        # The stalest host speaks for the check: one quiet machine is a degraded fleet.
        stalest = max(hosts, key=lambda h: (h.age(now) / h.interval_s, h.name))
        newest, interval = stalest.last_write, stalest.interval_s
    else:
        interval = settings.schedule.performance
    if newest is None:
        return Check(
            "collector", DEGRADED, elapsed, reason="nothing collected yet", rule=COLLECTOR_RULE
        )
    age, limit = now - newest, 2 * interval
    details: dict[str, Any] = {
        "lastCollection": newest,
        "ageSeconds": round(age, 1),
        "limitSeconds": limit,
    }
    if hosts:
        details["host"] = stalest.name
        details["hosts"] = [
            {"host": h.name, "lastCollection": h.last_write, "ageSeconds": round(h.age(now), 1)}
            for h in hosts
        ]
    if age > limit:
        on = f" from {stalest.name}" if len(hosts) > 1 else ""
        return Check(
            "collector",
            DEGRADED,
            elapsed,
            details,
            reason=f"no collection{on} for {age:.0f} s (expected every {interval} s)",
            rule=COLLECTOR_RULE,
        )
    return Check("collector", HEALTHY, elapsed, details)


def _by_rule(
    name: str, settings: Settings, metric: str, percent: float, details: dict[str, Any]
) -> Check:
    status, reached = rule_status(settings, metric, percent)
    reason = f"{percent:.0f} % used ({reached})" if reached else None
    return Check(name, status, None, details, reason, rule=CHECK_RULES[name])


def check_memory(machine: Machine, settings: Settings | None = None) -> Check:
    """Memory in use, against the `performance.memoryPercent` rule's thresholds."""
    percent = machine.memory_percent()
    details = {"usedMb": round(machine.memory_used_mb(), 1), "percent": percent}
    return _by_rule("memory", settings or Settings(), MEMORY_METRIC, percent, details)


def check_disk(machine: Machine, settings: Settings) -> Check:
    """The data folder's disk, against the `performance.diskUsage` rule's thresholds."""
    percent = machine.disk_percent(settings.data_dir)
    details = {"path": str(settings.data_dir), "percent": percent}
    return _by_rule("disk", settings, DISK_METRIC, percent, details)


def check_store(store_url: str) -> Check:
    """Whether the history store can be written: a SQLite store's disk has room and its folder
    is not read-only. Critical (`store_unwritable`) otherwise: the collector cannot keep what it
    measures, whatever else is fine."""
    cause = store_unwritable(store_url)
    if cause is None:
        return Check("store", HEALTHY, rule="store_unwritable")
    return Check("store", UNHEALTHY, reason=f"store_unwritable: {cause}", rule="store_unwritable")


def store_unwritable(store_url: str) -> str | None:
    """Why the SQLite store at `store_url` cannot be written, in words, or None."""
    path = sqlite_path(store_url)
    if path is None:
        return None  # a server's disk is the server's to watch
    folder = path.parent
    try:
        found = os.statvfs(folder)
    except OSError:
        return None  # no folder yet: the daemon creates it, or says why it cannot
    if found.f_flag & os.ST_RDONLY:
        return f"the folder holding {path} is read-only"
    if found.f_bavail * found.f_frsize < STORE_MIN_FREE_BYTES:
        return f"the disk holding {path} is full"
    return None


def check_network(
    interfaces: Callable[[], Mapping[str, Any]] = psutil.net_if_stats,
    io_counters: Callable[[], Any] = psutil.net_io_counters,
) -> Check:
    """At least one network interface besides loopback is up (readers injected for tests)."""
    up = [name for name, stats in interfaces().items() if stats.isup and name != "lo"]
    counters = io_counters()
    details = {"interfacesUp": up, "errorsIn": counters.errin, "errorsOut": counters.errout}
    if not up:
        return Check(
            "network", DEGRADED, None, details, "no network interface is up", decides=False
        )
    return Check("network", HEALTHY, None, details, decides=False)


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
    name = f"service:{target.name}"
    if not ok:
        return Check(name, DEGRADED, elapsed, details, "no good answer", decides=False)
    return Check(name, HEALTHY, elapsed, details, decides=False)


def _deciding(
    database: SourceDatabase, store: HistoryStore, settings: Settings, now: float, machine: Machine
) -> list[Check]:
    return [
        check_database(database, settings),
        check_store(store.url),
        check_freshness(store, settings, now),
        check_memory(machine, settings),
        check_disk(machine, settings),
    ]


def _active(store: HistoryStore) -> list[Alert]:
    try:
        return open_alerts(store)
    except Exception:  # an unreadable store is the collector check's to report
        return []


def quick(
    database: SourceDatabase,
    store: HistoryStore,
    settings: Settings,
    *,
    now: float,
    machine: Machine | None = None,
) -> Health:
    """The overall status: the database answers, the store can be written, the collector
    writes, memory and disk are within their rules, and the open alerts (see `verdict`)."""
    checks = _deciding(database, store, settings, now, machine or Machine())
    return verdict(checks, _active(store), planned_work(settings, now))


def detailed(
    database: SourceDatabase,
    store: HistoryStore,
    settings: Settings,
    *,
    now: float,
    machine: Machine | None = None,
) -> Health:
    """The quick check's, plus the network and every configured external service, shown for
    information: they reach the status through their alert rules (probe_down), so the status
    is the quick check's, the same everywhere."""
    checks = _deciding(database, store, settings, now, machine or Machine())
    checks += [check_network(), *(check_service(target) for target in settings.probes)]
    return verdict(checks, _active(store), planned_work(settings, now))
