"""What Vigie knows about one metric, declared once: its words, its unit and kind, which way is
better, whether it is a headline figure, and its SQL where it has one."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import Literal

from monitor.config.defaults import MetricSQL

# share: 0–100 %; count: whole things (its unit is the noun); money: in the shop's currency;
# duration: in its unit (ms, s, min); size: bytes; yes_no: 1 or 0; number: anything else.
Kind = Literal["share", "count", "money", "duration", "size", "yes_no", "number"]
Better = Literal["higher", "lower", "either"]
AREAS = ("performance", "business", "seo", "database", "notifications", "fleet", "health")
# The areas measured on each machine of a fleet (its own figures, labelled with its host);
# every other area is the shop's, measured once for all.
PER_HOST_AREAS = ("performance",)


@dataclass(frozen=True)
class Metric:
    """One metric, or a family of them (`database.*.queryTime`: the `*` is its subject)."""

    name: str
    title: str
    area: str
    kind: Kind = "number"
    unit: str = ""
    better: Better = "either"
    headline: bool = False
    help: str = ""  # one sentence: what it measures (Prometheus' HELP, tooltips)
    sql: MetricSQL | None = None
    subject: str = ""  # what the `*` of a family names: "table", "channel"
    decimals: int | None = None  # places kept in the API's figures; default by kind
    # What a period's tile shows: the newest reading, or the period's average (a figure that
    # swings from sample to sample: CPU at 100 % for one sample is not the period's story).
    summary: Literal["latest", "average"] = "latest"
    # Its words in Prometheus' name where the name's own would mislead (`minutesSince…` in
    # seconds); see monitor.metrics.exposed.
    exposed: str = ""

    @property
    def places(self) -> int:
        """Decimal places a figure keeps: whole for counts and byte sizes, else 2."""
        if self.decimals is not None:
            return self.decimals
        return 0 if self.kind == "count" or (self.kind == "size" and self.unit == "bytes") else 2

    @property
    def per_host(self) -> bool:
        """Whether each machine has its own series of it (labelled `host`)."""
        return self.area in PER_HOST_AREAS

    @property
    def is_family(self) -> bool:
        return "*" in self.name

    def matches(self, name: str) -> bool:
        """Whether `name` is this metric or one of its family (a `*` never spans a dot)."""
        if not self.is_family:
            return name == self.name
        return fnmatchcase(name, self.name) and name.count(".") == self.name.count(".")

    def subject_of(self, name: str) -> str:
        """The part of `name` the `*` matched (the table of `database.orders.queryTime`)."""
        if not self.is_family:
            return ""
        mine, theirs = self.name.split("."), name.split(".")
        return next((t for m, t in zip(mine, theirs, strict=False) if m == "*"), "")

    def lower_is_better(self) -> bool:
        return self.better == "lower"

    @property
    def bounds(self) -> tuple[float, float | None]:
        """The values it can take: a share is within 0-100 %, every other figure (counts,
        times, sizes, money) is at least 0."""
        return (0.0, 100.0) if self.kind == "share" else (0.0, None)

    def with_changes(self, **changes: object) -> Metric:
        return replace(self, **changes)  # type: ignore[arg-type]


def guessed(name: str) -> Metric:
    """A metric nobody declared: words made from its name (`business.newsletterSignups` →
    "Newsletter signups"), its area from its first part."""
    last = name.rsplit(".", 1)[-1]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[a-z])(?=[0-9])", " ", last).lower()
    words = re.sub(r"\bcpu\b", "CPU", words)
    area = name.split(".", 1)[0]
    return Metric(name, words[:1].upper() + words[1:], area if area in AREAS else "business")
