"""What a value means to a rule: the severity it reaches, whether it clears, whether a level
held for the rule's whole window. Pure functions, shared by the alerts and the health checks."""

from __future__ import annotations

from monitor.config import SEVERITIES, AlertRule

# A value the rule leaves out (under its `min_value` floor): it crosses nothing and clears.
Compared = float | None


def level(rule: AlertRule, value: Compared) -> str | None:
    """The highest severity whose threshold `value` crosses, or None."""
    if value is None:
        return None
    reached = None
    for severity, threshold in rule.thresholds():
        crossed = value >= threshold if rule.when == "above" else value < threshold
        if crossed:
            reached = severity
    return reached


def cleared(rule: AlertRule, value: Compared) -> bool:
    """Whether `value` is back past the rule's clear threshold (its hysteresis)."""
    if value is None:
        return True
    first = rule.thresholds()[0][1]
    clear = rule.clear if rule.clear is not None else first
    return value < clear if rule.when == "above" else value >= clear


def held_level(rule: AlertRule, values: list[Compared]) -> str | None:
    """The severity every one of the last `for_samples` values reached (None if any did not,
    or if there are not enough values yet)."""
    if len(values) < rule.for_samples:
        return None
    levels = [level(rule, v) for v in values[: rule.for_samples]]
    if any(lv is None for lv in levels):
        return None
    return min(levels, key=lambda lv: SEVERITIES.index(lv or "info"))
