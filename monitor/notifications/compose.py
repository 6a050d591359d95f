"""Messages in plain words: what, how bad, the value against its threshold, since when, and a
link to the alert when the dashboard's address is known."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

WORDS = {"opened": "", "escalated": "Worse: ", "resolved": "Resolved: ", "repeat": "Still open: "}


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _lasted(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d}" if hours < 48 else f"{hours // 24} days"


def _figure(value: Any) -> str:
    return "no value" if value is None else f"{float(value):,.4g}"


def message(
    alert: Mapping[str, Any], change: str, now: float, dashboard_url: str = ""
) -> tuple[str, str]:
    """(title, body) of one alert change."""
    what = alert["message"] or alert["rule"]
    subject = alert["subject"] if alert["subject"] != alert["metric"] else alert["metric"]
    figures = f"{_figure(alert['value'])} against a threshold of {_figure(alert['threshold'])}"
    if change == "resolved":
        lasted = _lasted(now - alert["opened_at"])
        title = f"Resolved: {what} ({subject}), after {lasted}"
        lines = [
            f"{what} on {subject} is over: {alert['resolution'] or 'cleared'}.",
            f"It lasted {lasted}, from {_when(alert['opened_at'])}, at worst "
            f"{alert['peak_severity']}.",
        ]
    else:
        title = f"{WORDS.get(change, '')}{what} ({subject}): {_figure(alert['value'])}"
        lines = [
            f"{alert['severity'].capitalize()}: {what} on {subject}.",
            f"{alert['metric']} is {figures}.",
            f"Since {_when(alert['opened_at'])}"
            + (f", {_lasted(now - alert['opened_at'])} ago." if change == "repeat" else "."),
        ]
    if dashboard_url:
        lines.append(f"{dashboard_url.rstrip('/')}/alerts?alert={alert['id']}")
    return title, "\n".join(lines)


def grouped(parts: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """One message for several changes that came within the grouping window."""
    if len(parts) == 1:
        return parts[0]
    title = f"{len(parts)} alert changes: " + "; ".join(t for t, _ in parts[:3])
    if len(parts) > 3:
        title += f"; and {len(parts) - 3} more"
    return title, "\n\n".join(f"{t}\n{b}" for t, b in parts)
