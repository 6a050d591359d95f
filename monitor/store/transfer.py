"""History in and out as CSV (`metric`, `labels`, `ts`, `value`): the way in for history from
the monitor a shop used before (and for tests, a known truth through the product's own door),
the way out for any script. Every line is checked; a refused line says why and costs no other."""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from monitor.errors import VigieError
from monitor.samples import Labels, Sample, labels_json
from monitor.store.history import HistoryStore

COLUMNS = ("metric", "labels", "ts", "value")
BATCH = 5_000
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$")
MAX_NAME = 200  # the series table's limit
FUTURE_S = 3600.0  # a clock a little ahead is a clock; a day ahead is a mistake


@dataclass
class Imported:
    """What an import took and what it refused (line number, why)."""

    taken: int = 0
    series: set[tuple[str, Labels]] = field(default_factory=set)
    first: float | None = None
    last: float | None = None
    refused: list[tuple[int, str]] = field(default_factory=list)


def parse_time(text: str) -> float:
    """ISO 8601 (`2026-11-30T14:00:00Z`, an offset, or none: UTC) to epoch seconds."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _labels(text: str) -> Labels:
    if not text.strip():
        return ()
    found = json.loads(text)
    if not isinstance(found, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in found.items()
    ):
        raise ValueError('labels must be a JSON object of texts, as {"probe": "home"}')
    return tuple(sorted(found.items()))


def _sample(row: dict[str, str | None], now: float) -> Sample:
    """One line as a sample, or ValueError saying what is wrong with it."""
    metric = (row.get("metric") or "").strip()
    if not _NAME.match(metric) or len(metric) > MAX_NAME:
        raise ValueError(f"metric {metric[:60]!r} is not a metric name (area.name, as in the API)")
    try:
        labels = _labels(row.get("labels") or "")
    except json.JSONDecodeError:
        raise ValueError('labels must be JSON, as {"probe": "home"}, or empty') from None
    try:
        ts = parse_time(row.get("ts") or "")
    except ValueError:
        raise ValueError(f"ts {row.get('ts')!r} is not an ISO 8601 time") from None
    if ts > now + FUTURE_S:
        raise ValueError(f"ts {row.get('ts')} is in the future")
    try:
        value = float((row.get("value") or "").strip())
    except ValueError:
        raise ValueError(f"value {row.get('value')!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"value {row.get('value')!r} is not a finite number")
    return Sample(metric, value, int(ts), labels)


def import_csv(
    store: HistoryStore,
    lines: Iterable[str],
    *,
    now: float,
    label: Callable[[Sample], Sample] = lambda sample: sample,
) -> Imported:
    """Load every good line into the store and roll the hours it touched up again; `label`
    completes a sample's labels first (a machine's figure without its host gets this one)."""
    reader = csv.DictReader(lines)
    missing = [c for c in ("metric", "ts", "value") if c not in (reader.fieldnames or [])]
    if missing:
        raise VigieError(
            f"the file's first line must name the columns {', '.join(COLUMNS)} "
            f"(missing: {', '.join(missing)})"
        )
    done = Imported()
    batch: list[Sample] = []
    for row in reader:
        try:
            sample = _sample(row, now)
        except ValueError as exc:
            done.refused.append((reader.line_num, str(exc)))
            continue
        batch.append(label(sample))
        if len(batch) >= BATCH:
            _write(store, batch, done)
    _write(store, batch, done)
    if done.first is not None:
        store.rollup(done.first, done.series)
    return done


def _write(store: HistoryStore, batch: list[Sample], done: Imported) -> None:
    if not batch:
        return
    store.write(batch)
    done.taken += len(batch)
    done.series |= {(s.name, s.labels) for s in batch}
    stamps = [s.ts for s in batch]
    done.first = min(stamps) if done.first is None else min(done.first, *stamps)
    done.last = max(stamps) if done.last is None else max(done.last, *stamps)
    batch.clear()


def export_rows(store: HistoryStore, metric: str, start: float, end: float) -> Iterator[list[str]]:
    """Every series of `metric` between two instants, in the import's columns: its raw
    samples, or its hourly averages for a period older than the store keeps samples for."""
    yield list(COLUMNS)
    for name, labels, _ in store.latest_series():
        if name != metric:
            continue
        points = store.series(name, start, end, labels, raw=True)
        for point in points or store.series(name, start, end, labels, raw=False):
            moment = datetime.fromtimestamp(point.ts, UTC).isoformat(timespec="seconds")
            yield [name, labels_json(labels), moment.replace("+00:00", "Z"), f"{point.value:.15g}"]
