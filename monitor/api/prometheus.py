"""`/metrics`: every metric's newest value as Prometheus names it (monitor.metrics.exposed),
and Vigie's own state for alerting: open alerts (the `ALERTS` pattern), their count per
severity, each collector's last successful run, the job queues, the store's size and the
build. The text format, or OpenMetrics when the scraper asks for it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from monitor.alerts import open_alerts
from monitor.config import SEVERITIES, Settings
from monitor.jobs import queue_stats
from monitor.metrics import Catalog
from monitor.metrics.exposed import PREFIX, exposed
from monitor.overview import freshness
from monitor.samples import Labels
from monitor.store import HistoryStore, Latest, size_bytes


def _version() -> str:
    try:
        return version("vigie")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


VERSION = _version()


@dataclass(frozen=True)
class State:
    """Vigie's own state, read from the store."""

    alerts: Sequence[tuple[str, str, str]] = ()  # (rule, subject, severity) of each open one
    collectors: Mapping[str, float | None] = field(default_factory=dict)  # last run, epoch s
    jobs: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # queue → state → n
    store_bytes: int | None = None


def state_of(store: HistoryStore, settings: Settings, now: float) -> State:
    return State(
        alerts=[(a.rule, a.subject, a.severity) for a in open_alerts(store)],
        collectors={f.collector: f.last for f in freshness(store, settings, now)},
        jobs=queue_stats(store),
        store_bytes=size_bytes(store),
    )


class _Snapshot(Collector):
    def __init__(
        self, series: Sequence[tuple[str, Labels, Latest]], state: State, cat: Catalog
    ) -> None:
        self.series, self.state, self.cat = series, state, cat

    def collect(self) -> Iterator[Metric]:
        yield from self._figures()
        yield from self._state()

    def _figures(self) -> Iterator[Metric]:
        # A family's label names are the union over its series (a probe's label on one series
        # must not be dropped). No sample timestamps: Prometheus would keep a series that
        # stopped reporting at its old time instead of marking it stale.
        grouped: dict[str, tuple[str, list[tuple[dict[str, str], float]]]] = {}
        for name, labels, newest in self.series:
            metric = self.cat.get(name)
            shown = exposed(metric, self.cat.formats.currency)
            pairs = dict(labels)
            if shown.label:
                pairs[shown.label] = metric.subject_of(name)
            help_line, members = grouped.setdefault(shown.family, (shown.help, []))
            # 12 significant digits: 0.241, not the 0.24100000000000002 of 24.1 × 0.01.
            members.append((pairs, float(f"{newest.value * shown.factor:.12g}")))
        for family, (help_line, members) in grouped.items():
            names = sorted({key for pairs, _ in members for key in pairs})
            gauge = GaugeMetricFamily(family, help_line, labels=names)
            for pairs, value in members:
                gauge.add_metric([pairs.get(key, "") for key in names], value)
            yield gauge

    def _state(self) -> Iterator[Metric]:
        state = self.state
        alert = GaugeMetricFamily(
            PREFIX + "alert",
            "An open alert (1), by rule, subject and severity, as Prometheus' ALERTS",
            labels=["rule", "subject", "severity"],
        )
        for rule, subject, severity in state.alerts:
            alert.add_metric([rule, subject, severity], 1)
        yield alert
        counts = GaugeMetricFamily(
            PREFIX + "alerts_open", "Open alerts by severity", labels=["severity"]
        )
        for severity in SEVERITIES:
            counts.add_metric([severity], sum(1 for a in state.alerts if a[2] == severity))
        yield counts
        last = GaugeMetricFamily(
            PREFIX + "collector_last_success_timestamp_seconds",
            "When each collector last wrote its figures (Unix time; absent if never)",
            labels=["collector"],
        )
        for collector, ts in state.collectors.items():
            if ts is not None:
                last.add_metric([collector], ts)
        yield last
        jobs = GaugeMetricFamily(
            PREFIX + "jobs",
            "Jobs by queue and state: waiting and active are the queue's depth; completed "
            "and failed, those kept",
            labels=["queue", "state"],
        )
        for queue, states in state.jobs.items():
            for name, count in states.items():
                jobs.add_metric([queue, name], count)
        yield jobs
        if state.store_bytes is not None:
            yield GaugeMetricFamily(
                PREFIX + "store_size_bytes",
                "Space the history store takes (bytes)",
                value=state.store_bytes,
            )
        yield InfoMetricFamily(PREFIX + "build", "Vigie's version", value={"version": VERSION})


def exposition(
    series: Sequence[tuple[str, Labels, Latest]],
    cat: Catalog,
    state: State | None = None,
    accept: str = "",
) -> tuple[bytes, str]:
    """The body and its content type: OpenMetrics when `accept` asks for it (as
    prometheus_client negotiates), else the text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(series, state or State(), cat))
    encoder, content_type = choose_encoder(accept)
    return encoder(registry), content_type
