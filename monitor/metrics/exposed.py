"""A metric as Prometheus names it: `vigie_` and snake_case, in base units with their suffix
(`_seconds`, `_bytes`, a 0-1 share as `_ratio`), a family's subject as a label
(`vigie_database_table_query_time_seconds{table="…"}`), and HELP from its title and unit.
A rate stays in its own unit (`requests_per_minute`): a gauge people compare with the page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.metrics.model import Metric

PREFIX = "vigie_"
_SECONDS = {"ms": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
_BYTES = {"bytes": 1.0, "": 1.0, "KB": 1024.0, "MB": 1024.0**2, "GB": 1024.0**3}
# Suffixes Prometheus keeps for counters, histograms and summaries: never on a gauge.
_RESERVED = ("_total", "_count", "_sum", "_bucket", "_created", "_info")


@dataclass(frozen=True)
class Exposed:
    """How one metric is exposed: its family's name, the label its subject becomes, the
    factor to its base unit, and the HELP line (the same for every label value)."""

    family: str
    label: str  # "" for a single metric
    factor: float
    help: str


def snake(words: str) -> str:
    """`ordersToday` → `orders_today`, `orders24h` → `orders_24h`."""
    split = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[a-zA-Z])(?=[0-9])", "_", words)
    return re.sub(r"[^a-z0-9_]", "_", split.lower()).strip("_")


def exposed(metric: Metric, currency: str = "EUR") -> Exposed:
    """The Prometheus side of `metric` (a family's: its subject is the label)."""
    parts = metric.name.split(".")
    words = snake(metric.exposed or parts[-1])
    middle = [snake(p) for p in parts[1:-1] if p != "*"]
    label = ""
    if metric.is_family:
        label = snake(metric.subject or "subject")
        middle = [label]
    factor, unit = 1.0, ""
    if metric.kind == "share":
        factor, unit = 0.01, "ratio"
        words = words.removesuffix("_rate").removesuffix("_percent")
    elif metric.kind == "duration" and metric.unit in _SECONDS:
        factor, unit = _SECONDS[metric.unit], "seconds"
        words = words.removesuffix("_seconds")
    elif metric.kind == "size" and metric.unit in _BYTES:
        factor, unit = _BYTES[metric.unit], "bytes"
        words = words.removesuffix("_bytes")
    for reserved in _RESERVED:
        if words.endswith(reserved):
            words = words[: -len(reserved)] + "_" + reserved.strip("_") + "s"
    name = "_".join([snake(parts[0]), *middle, words, *([unit] if unit else [])])
    return Exposed(PREFIX + name, label, factor, _help(metric, unit, currency))


def _help(metric: Metric, unit: str, currency: str) -> str:
    """ "Response time: median time the web server took to answer, … (seconds)"."""
    text = metric.title
    if metric.help:
        text += f": {metric.help[:1].lower()}{metric.help[1:]}"
    said = {"ratio": "ratio, 0 to 1", "seconds": "seconds", "bytes": "bytes"}.get(unit)
    if said is None:
        said = {"money": currency, "yes_no": "1 = yes, 0 = no"}.get(metric.kind, metric.unit)
    return f"{text} ({said})" if said else text
