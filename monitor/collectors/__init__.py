"""The collectors, in one explicit registry: job name → collect(sources, now).

Each module reads the sources and returns a `Collection` of samples and notes; none writes
anything. May import the sources, the config and the samples; owns no table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from monitor.collectors import business, database_health, performance, seo
from monitor.samples import Collection
from monitor.sources import Sources

Collector = Callable[[Sources, datetime], Collection]

COLLECTORS: dict[str, Collector] = {
    "performance": performance.collect,
    "business": business.collect,
    "seo": seo.collect,
    "database_health": database_health.collect,
}
