"""Recommendations in plain words: what is wrong, why it matters, what to do. Ranked by
severity, most urgent first; an empty list is the only "all good"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from monitor import report
from monitor.alerts import Alert
from monitor.alerts.guidance import GUIDANCE
from monitor.config import SEVERITIES
from monitor.insights.forecast import Growth
from monitor.insights.seasonal import NOTABLE_DEVIATION, Baseline
from monitor.jobs.policy import JOB_TITLES
from monitor.metrics import Catalog, shipped
from monitor.overview import Freshness
from monitor.samples import Note


@dataclass(frozen=True)
class Advice:
    """One recommendation."""

    severity: str  # info | warning | error | critical
    what: str
    why: str
    action: str

    def sentence(self) -> str:
        return f"{self.what}. {self.why}. {self.action}."


_GENERIC = ("It crossed a threshold set in the alert rules", "See the Alerts page")
_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


def _from_alerts(
    active: Sequence[Alert], rule_kinds: Mapping[str, str], words: Catalog
) -> list[Advice]:
    return [
        Advice(
            alert.severity,
            # The registry's words for the figure ("Disk usage"), the table a family names.
            f"{alert.message}: {words.about(alert.metric, alert.subject)} is "
            + report.alert_figure(
                alert.metric, alert.value, rule_kinds.get(alert.rule, "value"), words
            ),
            *GUIDANCE.get(alert.rule, _GENERIC),
        )
        for alert in active
    ]


def _from_predictions(
    issues: Sequence[Mapping[str, Any]], open_rules: set[str], words: Catalog
) -> list[Advice]:
    found = []
    for issue in issues:
        if issue["rule"] in open_rules:
            continue  # already an alert: the alert's advice says it
        why, action = GUIDANCE.get(issue["rule"], _GENERIC)
        found.append(
            Advice(
                "error" if issue["inDays"] < 1 else "warning",
                f"{words.title(issue['metric'])} is expected to reach "
                f"{words.figure(issue['metric'], issue['threshold'])} in "
                f"{issue['inDays']:.1f} days ({issue['confidence']:.0%} confidence)",
                why,
                f"Act before then: {action[0].lower()}{action[1:]}",
            )
        )
    return found


def _from_freshness(freshness: Sequence[Freshness]) -> list[Advice]:
    late = [f for f in freshness if f.late]
    if not late:
        return []
    names = ", ".join(JOB_TITLES.get(f.collector, f.collector).lower() for f in late)
    return [
        Advice(
            "error",
            f"The collector has stopped writing ({names})",
            "Every figure, alert and prediction here is out of date until it writes again",
            "Check that collector_daemon.py runs, and read its log",
        )
    ]


def _from_baselines(baselines: Sequence[Baseline], words: Catalog) -> list[Advice]:
    return [
        Advice(
            "warning" if b.deviation_percent < 0 else "info",
            b.sentence(words),
            "A drop against the same hour of a normal week often means a broken checkout"
            if b.deviation_percent < 0
            else "A rise against the same hour of a normal week can be a campaign or bots",
            "Place a test order and check the error rate"
            if b.deviation_percent < 0
            else "Check where the traffic comes from in the access log",
        )
        for b in baselines
        if abs(b.deviation_percent) >= NOTABLE_DEVIATION
    ]


def _from_tables(notes: Sequence[Note], growth: Sequence[Growth], words: Catalog) -> list[Advice]:
    found = [
        Advice(
            "info",
            f"{words.table(note.subject)}: {note.text}",
            "Stale statistics and bloat make the shop's queries slower",
            "See the Tables page",
        )
        for note in {(n.subject, n.text): n for n in notes}.values()
    ]
    for g in growth:
        if g.rows > 0 and g.rows_then > 1.2 * g.rows:
            sentence = g.sentence(words)
            found.append(
                Advice(
                    "info",
                    sentence[0].upper() + sentence[1:],
                    "A table that grows this fast slows its queries and backups",
                    "Plan an archive of old rows or a partitioning of the table",
                )
            )
    return found


def recommend(
    *,
    active: Sequence[Alert],
    predicted: Sequence[Mapping[str, Any]],
    freshness: Sequence[Freshness],
    baselines: Sequence[Baseline],
    table_notes: Sequence[Note],
    growth: Sequence[Growth],
    rule_kinds: Mapping[str, str] | None = None,
    words: Catalog | None = None,
) -> list[Advice]:
    """Everything worth doing, most severe first. `rule_kinds` maps a rule to its baseline
    (value, recent, seasonal), to word its alerts' figures."""
    words = words or shipped()
    found = [
        *_from_freshness(freshness),
        *_from_alerts(active, rule_kinds or {}, words),
        *_from_predictions(predicted, {a.rule for a in active}, words),
        *_from_baselines(baselines, words),
        *_from_tables(table_notes, growth, words),
    ]
    return sorted(found, key=lambda a: -_RANK.get(a.severity, 0))
