"""The newest value of every metric in Prometheus' text format, for an existing Grafana."""

from __future__ import annotations

import re
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from monitor.metrics import Catalog, shipped
from monitor.samples import Labels
from monitor.store import Latest

_INVALID = re.compile(r"[^a-zA-Z0-9_:]")


def family_name(name: str) -> tuple[str, Labels]:
    """`performance.cpuUsage` → `vigie_performance_cpuUsage`; a table's figure
    `database.<table>.<figure>` → `vigie_database_table_<figure>{table="<table>"}`."""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "database":
        return f"vigie_database_table_{_INVALID.sub('_', parts[2])}", (("table", parts[1]),)
    return "vigie_" + _INVALID.sub("_", name), ()


def help_text(cat: Catalog, name: str) -> str:
    """The HELP line of a metric's family, from the registry: the same for every label value
    (a table's figure names no table)."""
    metric = cat.get(name)
    unit = cat.axis(name)
    sentence = metric.help or metric.title
    return f"{sentence} ({unit})" if unit else sentence


class _Snapshot(Collector):
    def __init__(self, series: list[tuple[str, Labels, Latest]], cat: Catalog) -> None:
        self.series = series
        self.cat = cat

    def collect(self) -> Iterator[GaugeMetricFamily]:
        # A family's label names are the union over its series (a probe's label on one series
        # must not be dropped). No sample timestamps: Prometheus would keep a series that
        # stopped reporting at its old time instead of marking it stale.
        grouped: dict[str, list[tuple[str, dict[str, str], float]]] = {}
        for name, labels, newest in self.series:
            family, extra = family_name(name)
            grouped.setdefault(family, []).append((name, dict(extra) | dict(labels), newest.value))
        for family, members in grouped.items():
            names = sorted({key for _, pairs, _ in members for key in pairs})
            gauge = GaugeMetricFamily(family, help_text(self.cat, members[0][0]), labels=names)
            for _, pairs, value in members:
                gauge.add_metric([pairs.get(key, "") for key in names], value)
            yield gauge


def exposition(
    series: list[tuple[str, Labels, Latest]], cat: Catalog | None = None
) -> tuple[bytes, str]:
    """The text body and its content type."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(series, cat or shipped()))
    return generate_latest(registry), CONTENT_TYPE_LATEST
