"""Messages in plain words: what, how bad, the figure against its threshold and its usual
level, since when, what to do (the advice Vigie has for the rule), and a link to the alert when
the dashboard's address is known."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from monitor import report
from monitor.alerts.guidance import GUIDANCE
from monitor.config import Settings
from monitor.metrics import Catalog, catalog, shipped
from monitor.store import levels as read_levels

WORDS = {"opened": "", "escalated": "Worse: ", "resolved": "Resolved: ", "repeat": "Still open: "}


@dataclass(frozen=True)
class Levels:
    """The alert's series now and as it usually is (see `monitor.store.levels`)."""

    current: float | None = None
    usual: float | None = None


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _lasted(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d}" if hours < 48 else f"{hours // 24} days"


def _what(alert: Mapping[str, Any]) -> str:
    # A rule's message may end with its unit for the Alerts page ("(%)", "(median, ms)").
    return re.sub(r"\s*\([^()]*\)$", "", alert["message"] or alert["rule"])


def _where(alert: Mapping[str, Any], cat: Catalog) -> str:
    """The subject for people: a metric's label, or what a wildcard rule matched (a table)."""
    if cat.get(alert["metric"]).is_family:
        return alert["subject"]  # the table, the channel: the title follows in the figures
    return cat.about(alert["metric"], alert["subject"])


def _now(alert: Mapping[str, Any], baseline: str, levels: Levels, cat: Catalog) -> str:
    """The figure now, in the metric's unit (a baseline rule's own value is a ratio)."""
    if baseline == "value":
        return cat.figure(alert["metric"], alert["value"])
    if levels.current is None:
        return report.alert_figure(alert["metric"], alert["value"], baseline, cat)
    return cat.figure(alert["metric"], levels.current)


def message(
    alert: Mapping[str, Any],
    change: str,
    now: float,
    dashboard_url: str = "",
    *,
    baseline: str = "value",
    levels: Levels | None = None,
    cat: Catalog | None = None,
) -> tuple[str, str]:
    """(title, body) of one alert change. `baseline` is the rule's ("value", "recent",
    "seasonal"): its value and threshold are then in the rule's terms."""
    cat = cat or shipped()
    what, where = _what(alert), _where(alert, cat)
    if change == "resolved":
        lasted = _lasted(now - alert["opened_at"])
        title = f"Resolved: {what} ({where}), after {lasted}"
        lines = [
            f"{what} ({where}) is over: {alert['resolution'] or 'cleared'}.",
            f"It lasted {lasted}, from {_when(alert['opened_at'])}, at worst "
            f"{alert['peak_severity']}.",
        ]
    else:
        title, figures = _figures(alert, baseline, levels or Levels(), cat)
        title = WORDS.get(change, "") + title
        lines = [f"{alert['severity'].capitalize()}: {what} ({where}).", *figures]
        lines.append(
            f"Since {_when(alert['opened_at'])}"
            + (f", {_lasted(now - alert['opened_at'])} ago." if change == "repeat" else ".")
        )
        if alert["rule"] in GUIDANCE:
            why, action = GUIDANCE[alert["rule"]]
            lines.append(f"Why it matters: {why}. What to do: {action}.")
    if dashboard_url:
        lines.append(f"{dashboard_url.rstrip('/')}/alerts?alert={alert['id']}")
    return title, "\n".join(lines)


def _figures(
    alert: Mapping[str, Any], baseline: str, levels: Levels, cat: Catalog
) -> tuple[str, list[str]]:
    """The title of an open alert, and the body's line of figures: now, against the threshold
    (in the rule's terms) and the usual level."""
    what, where, metric = _what(alert), _where(alert, cat), alert["metric"]
    if cat.get(metric).kind == "yes_no":  # "failing: yes (threshold yes)" says nothing
        return f"{what} ({where})", []
    figure = _now(alert, baseline, levels, cat)
    usual = levels.usual
    usually = f"usually {cat.figure(metric, usual, noun=False)}" if usual is not None else ""
    if baseline == "value":
        threshold = f"threshold {cat.figure(metric, alert['threshold'], noun=False)}"
    else:  # the rule's own figure beside the plain one
        threshold = (
            f"{report.alert_figure(metric, alert['value'], baseline, cat)}, threshold "
            f"{report.alert_figure(metric, alert['threshold'], baseline, cat)}"
        )
    named = f" ({where})" if where != cat.get(metric).title else ""
    title = f"{what}{named}: {figure} ({usually or threshold})"
    line = f"{cat.get(metric).title} is {figure} ({threshold}{f'; {usually}' if usually else ''})."
    return title, [line]


class Wording:
    """What messages need from the settings, read once per notifier: each rule's baseline, the
    registry and the dashboard's address."""

    def __init__(self, settings: Settings) -> None:
        self.baselines = {rule.name: rule.baseline for rule in settings.alerts.effective()}
        self.cat = catalog(settings)
        self.dashboard_url = settings.notify.dashboard_url

    def for_alert(
        self, conn: Connection, alert: Mapping[str, Any], change: str, now: float
    ) -> tuple[str, str]:
        """`message` for a stored alert, its series' levels read on `conn` (the change's own
        transaction): now's figure (a repeat or an escalation is about the present), the usual
        from before the alert."""
        current, usual = read_levels(
            conn, alert["metric"], alert["labels"], alert["opened_at"], now=now
        )
        return message(
            alert, change, now, self.dashboard_url,
            baseline=self.baselines.get(alert["rule"], "value"), levels=Levels(current, usual),
            cat=self.cat,
        )  # fmt: skip


def grouped(parts: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """One message for several changes that came within the grouping window."""
    if len(parts) == 1:
        return parts[0]
    title = f"{len(parts)} alert changes: " + "; ".join(t for t, _ in parts[:3])
    if len(parts) > 3:
        title += f"; and {len(parts) - 3} more"
    return title, "\n\n".join(f"{t}\n{b}" for t, b in parts)
