"""The newest value of every metric in Prometheus' text format, for an existing Grafana."""

from __future__ import annotations

import re
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

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


class _Snapshot(Collector):
    def __init__(self, series: list[tuple[str, Labels, Latest]]) -> None:
        self.series = series

    def collect(self) -> Iterator[GaugeMetricFamily]:
        families: dict[str, GaugeMetricFamily] = {}
        for name, labels, newest in self.series:
            family, extra = family_name(name)
            all_labels = dict(extra) | dict(labels)
            if family not in families:
                families[family] = GaugeMetricFamily(
                    family, f"Vigie metric {name}", labels=sorted(all_labels)
                )
            families[family].add_metric(
                [all_labels[k] for k in sorted(all_labels)], newest.value, timestamp=newest.ts
            )
        yield from families.values()


def exposition(series: list[tuple[str, Labels, Latest]]) -> tuple[bytes, str]:
    """The text body and its content type."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(series))
    return generate_latest(registry), CONTENT_TYPE_LATEST
