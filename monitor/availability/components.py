"""What availability is reported for: the shop as a whole (the quick health's verdict over
time, `health.up`), each HTTP probe, each critical table; and how each is read from the
store: raw samples within their retention, the hourly rollups before it."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal

from monitor.config import Settings
from monitor.metrics import Catalog
from monitor.notifications.windows import between
from monitor.samples import Labels
from monitor.store import HOUR, HistoryStore

HEALTH_METRIC = "health.up"
HEALTH_EVERY_S = 60  # how often the fleet's scheduler records the quick health's verdict
SLACK = 1.5  # a sample counts for its interval, and up to half an interval more if late


@dataclass(frozen=True)
class Component:
    """One thing whose availability is reported."""

    key: str  # "shop", "probe:home", "table:___xtr_order" (the status page's names)
    kind: Literal["shop", "database", "probe", "table"]
    title: str
    metric: str
    labels: Labels
    interval_s: int
    rules: tuple[str, ...]  # the alert rules that speak of it (none: any rule, for the shop)
    subject: str  # what a maintenance window's subject glob is matched against


def components(settings: Settings, words: Catalog) -> list[Component]:
    """The shop, then its probes, then its critical tables."""
    every = settings.schedule
    found = [
        Component(
            "shop",
            "shop",
            "The shop",
            HEALTH_METRIC,
            (),
            HEALTH_EVERY_S,
            (),
            "shop",
        )
    ]
    found += [
        Component(
            f"probe:{probe.name}",
            "probe",
            f"Probe {probe.name}",
            "performance.probe.up",
            (("probe", probe.name),),
            every.performance,
            ("probe_down",),
            probe.name,
        )
        for probe in settings.probes
    ]
    found += [
        Component(
            f"table:{table}",
            "table",
            words.table(table),
            f"database.{table}.accessible",
            (),
            every.database_health,
            ("table_inaccessible",),
            table,
        )
        for table in settings.source.critical_tables
    ]
    return found


def readings(
    store: HistoryStore, part: Component, start: float, end: float, raw_from: float
) -> list[tuple[float, float, float]]:
    """(ts, value, seconds it stands for) of `part` over [start, end): its raw samples from
    `raw_from`, before that each hour's rollup, split into its up and its down share."""
    found: list[tuple[float, float, float]] = []
    if start < raw_from:
        for hour in store.series(part.metric, start, min(raw_from, end), part.labels, raw=False):
            up = max(0.0, min(1.0, hour.value)) * HOUR
            found.append((hour.ts, 1.0, up))
            if up < HOUR:
                found.append((hour.ts + up, 0.0, HOUR - up))
    covers = part.interval_s * SLACK
    # The reading before the period stands for its start; after rollups, raw ones follow on.
    since = raw_from if found else max(start, raw_from) - covers
    found += [
        (ts, value, covers) for ts, value in store.values(part.metric, since, end, part.labels)
    ]
    return found


def windows(
    settings: Settings, part: Component, start: float, end: float
) -> list[tuple[float, float]]:
    """The maintenance windows that cover `part` over [start, end)."""
    covering = [
        w
        for w in settings.maintenance_windows
        if fnmatchcase(part.subject, w.subject)
        and (w.rule == "*" or any(fnmatchcase(rule, w.rule) for rule in part.rules))
    ]
    return [(span.start, span.end) for span in between(covering, start, end)]


def component_of(check: str, settings: Settings, words: Catalog) -> Component | None:
    """The component a status page's check names: "shop", "database", "probe:<name>" or
    "table:<name>" (None for a probe or table the configuration no longer has)."""
    if check == "database":
        return Component(
            "database",
            "database",
            "The database",
            "database.up",
            (),
            settings.schedule.database_health,
            ("database_down",),
            "database",
        )
    return next((c for c in components(settings, words) if c.key == check), None)
