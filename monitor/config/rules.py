"""Alert rules: their model, the rules shipped for every default metric, and the [alerts]
section that merges the configuration's over them."""

from __future__ import annotations

import re
from fnmatch import translate
from functools import lru_cache
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from monitor.config.base import Section as _Section
from monitor.config.base import unique_names
from monitor.config.defaults import MAX_METRIC_NAME

SEVERITIES = ("info", "warning", "error", "critical")


class AlertRule(_Section):
    """A threshold rule on a metric; `metric` may hold one `*` (its match is the subject)."""

    name: str = Field(min_length=1, max_length=100)
    metric: str = Field(min_length=1, max_length=MAX_METRIC_NAME)
    when: Literal["above", "below"] = "above"
    info: float | None = None
    warning: float | None = None
    error: float | None = None
    critical: float | None = None
    # Hysteresis: an open alert clears only once the value is back past this (default: the
    # lowest threshold itself).
    clear: float | None = None
    # The condition must hold for this many consecutive samples before the rule fires.
    for_samples: int = Field(1, ge=1, le=100)
    message: str = ""
    # "value": the thresholds are on the metric itself. "seasonal": on its deviation in percent
    # from the same hour of the previous weeks (when = "below", warning = -40: 40 % below a
    # normal Tuesday 10:00 on a Tuesday at 10:00). "recent": on its ratio to its own median of
    # the last 24 h (warning = 10: ten times its usual), for figures whose normal level depends
    # on the machine, such as query times.
    baseline: Literal["value", "seasonal", "recent"] = "value"
    # A floor in the metric's own unit: a value below it never counts as crossing a threshold,
    # so a 0.1 ms read becoming 0.5 ms (5× its usual) is no incident. Only with when = "above".
    min_value: float | None = None

    @field_validator("metric")
    @classmethod
    def _one_wildcard(cls, value: str) -> str:
        if value.count("*") > 1:
            raise ValueError("a rule's metric may hold one * at most (it names the subject)")
        return value

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> AlertRule:
        levels = [(s, getattr(self, s)) for s in SEVERITIES if getattr(self, s) is not None]
        if not levels:
            raise ValueError(f"rule {self.name!r} needs at least one of {', '.join(SEVERITIES)}")
        values = [v for _, v in levels]
        ordered = (
            values == sorted(values)
            if self.when == "above"
            else values == sorted(values, reverse=True)
        )
        if not ordered:
            word = "increase" if self.when == "above" else "decrease"
            raise ValueError(f"rule {self.name!r}: thresholds must {word} from info to critical")
        if self.baseline == "recent" and min(values) <= 0:
            raise ValueError(
                f"rule {self.name!r}: with baseline = 'recent' thresholds are ratios to the "
                "usual (10 = ten times it) and must be above 0"
            )
        if self.min_value is not None and self.when != "above":
            raise ValueError(f"rule {self.name!r}: min_value only suits when = 'above'")
        if self.clear is not None:
            first = values[0]
            if (self.when == "above" and self.clear > first) or (
                self.when == "below" and self.clear < first
            ):
                raise ValueError(
                    f"rule {self.name!r}: clear ({self.clear}) must be on the safe "
                    f"side of the lowest threshold ({first})"
                )
        return self

    def watches(self, name: str) -> bool:
        """Whether this rule watches the metric `name`: its own, or one its `*` matches."""
        return bool(_pattern(self.metric).match(name))

    def thresholds(self) -> list[tuple[str, float]]:
        """(severity, threshold) from info to critical, only those set."""
        return [(s, v) for s in SEVERITIES if (v := getattr(self, s)) is not None]


@lru_cache(maxsize=1024)
def _pattern(metric: str) -> re.Pattern[str]:
    return re.compile(translate(metric))


def _rule(name: str, metric: str, message: str, **levels: Any) -> AlertRule:
    return AlertRule(name=name, metric=metric, message=message, **levels)


# Shipped for every default metric; a rule in the config with the same name replaces one.
DEFAULT_ALERT_RULES = [
    _rule(
        "disk_full",
        "performance.diskUsage",
        "The data disk is filling up",
        warning=80,
        error=90,
        critical=95,
        clear=75,
        for_samples=2,
    ),
    _rule(
        "memory_high",
        "performance.memoryPercent",
        "Memory is nearly exhausted",
        warning=85,
        error=92,
        critical=97,
        clear=80,
        for_samples=3,
    ),
    _rule(
        "cpu_high",
        "performance.cpuUsage",
        "The CPU has been busy for several minutes",
        warning=85,
        error=95,
        clear=70,
        for_samples=3,
    ),
    _rule(
        "slow_responses",
        "performance.responseTime",
        "Pages answer slowly (median, ms)",
        warning=500,
        error=1000,
        critical=2000,
        clear=400,
        for_samples=2,
    ),
    _rule(
        "server_errors",
        "performance.errorRate",
        "Too many 5xx answers (%)",
        warning=1,
        error=5,
        critical=10,
        clear=0.5,
        for_samples=2,
    ),
    _rule(
        "database_down",
        "database.up",
        "The shop's database cannot be reached",
        when="below",
        critical=1,
    ),
    _rule(
        "table_inaccessible",
        "database.*.accessible",
        "A critical table cannot be read",
        when="below",
        error=1,
    ),
    _rule(
        "orders_stopped",
        "business.minutesSinceLastOrder",
        "No order for a long while",
        warning=240,
        error=480,
        clear=120,
    ),
    _rule(
        "orders_below_usual",
        "business.orders24h",
        "Orders are far below the usual for this hour of the week (%)",
        when="below",
        warning=-40,
        error=-70,
        clear=-25,
        for_samples=2,
        baseline="seasonal",
    ),
    _rule(
        "sitemap_unhealthy",
        "seo.sitemapHealth",
        "Many sitemap links would not serve a page",
        when="below",
        warning=90,
        error=80,
        clear=92,
    ),
    _rule(
        "database_slow",
        "database.responseTime",
        "The shop's database answers slowly (ms)",
        warning=200,
        error=1000,
        clear=100,
        for_samples=2,
    ),
    _rule(
        "table_slow",
        "database.*.queryTime",
        "Reading a critical table is slow (ms)",
        warning=500,
        error=2000,
        clear=300,
        for_samples=2,
    ),
    _rule(
        "table_slower_than_usual",
        "database.*.queryTime",
        "Reading a critical table is many times slower than usual (× its median of the last "
        "24 h); a dropped index or a new full scan?",
        warning=10,
        error=50,
        clear=3,
        for_samples=2,
        baseline="recent",
        min_value=5,
    ),
    _rule(
        "notification_failing",
        "notifications.*.failing",
        "A notification channel keeps refusing messages: they wait until it takes them",
        error=1,
    ),
    _rule(
        "host_down",
        "fleet.hostUp",
        "A host's daemon has written nothing for two of its intervals: stopped, or its machine",
        when="below",
        critical=1,
    ),
    _rule(
        "probe_down",
        "performance.probe.up",
        "An HTTP probe gets no good answer",
        when="below",
        error=1,
        for_samples=2,
    ),
]


class AlertsConfig(_Section):
    """Alert rules: the shipped defaults (unless switched off) and the config's own."""

    defaults: bool = True
    rules: list[AlertRule] = Field(default_factory=list)
    # An open alert whose metric has had no sample for this long is resolved as stale.
    stale_after_s: int = Field(3600, ge=60)

    @field_validator("rules")
    @classmethod
    def _unique_names(cls, value: list[AlertRule]) -> list[AlertRule]:
        unique_names([rule.name for rule in value], "rule")
        return value

    def effective(self) -> list[AlertRule]:
        """The rules in force, the config's replacing defaults of the same name."""
        mine = {rule.name: rule for rule in self.rules}
        shipped = [r for r in DEFAULT_ALERT_RULES if r.name not in mine] if self.defaults else []
        return [*shipped, *mine.values()]
