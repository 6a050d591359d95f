"""What collectors produce: numeric samples and text notes, as plain tuples."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import NamedTuple

Labels = tuple[tuple[str, str], ...]


class Sample(NamedTuple):
    """One value of one metric at one moment (epoch seconds, UTC).

    Prometheus' client orders it name, labels, value, ts; here labels come last because nearly
    every Vigie metric has none."""

    name: str
    value: float
    ts: float
    labels: Labels = ()


class Note(NamedTuple):
    """A line of text about a subject: a failed metric, a recommendation, a skipped table."""

    subject: str
    kind: str  # "error" | "recommendation" | "skipped" | "info"
    text: str
    ts: float


def labels_json(labels: Labels) -> str:
    """Labels as stored: compact JSON with sorted keys, "" for none."""
    return json.dumps(dict(sorted(labels)), separators=(",", ":")) if labels else ""


def parse_labels(text: str) -> Labels:
    """The inverse of `labels_json`."""
    return tuple(sorted(json.loads(text).items())) if text else ()


def series_key(name: str, labels: Labels = ()) -> str:
    """The stable printed name of a series: `name` or `name{k="v",…}` as Prometheus writes it."""
    if not labels:
        return name
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels))
    return f"{name}{{{inner}}}"


@dataclass
class Collection:
    """Everything one collector run produced; a failed metric is a note, never an exception."""

    ts: float
    samples: list[Sample] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    # Why the source could not be reached at all (then retrying at once is pointless).
    unreachable: str | None = None

    def add(self, name: str, value: float | None, labels: Labels = ()) -> None:
        """Record a value; `None` means "no data" and records nothing; NaN or infinity (a
        division by zero in someone's SQL) is recorded as a failure, never stored."""
        if value is None:
            return
        number = float(value)
        if math.isfinite(number):
            self.samples.append(Sample(name, number, self.ts, labels))
        else:
            self.fail(series_key(name, labels), f"the value is {number}, not a finite number")

    def fail(self, subject: str, error: str) -> None:
        """Record that `subject` (a metric or a table) could not be collected, and why."""
        self.notes.append(Note(subject, "error", error, self.ts))

    def note(self, subject: str, kind: str, text: str) -> None:
        """Record a recommendation, a skipped subject or other information."""
        self.notes.append(Note(subject, kind, text, self.ts))

    @property
    def failures(self) -> list[Note]:
        return [n for n in self.notes if n.kind == "error"]
