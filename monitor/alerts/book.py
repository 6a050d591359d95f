"""Alerts: threshold rules over metrics, with hold times, hysteresis and exactly-once changes.

A rule fires at a severity once its condition has held for `for_samples` consecutive samples,
and clears only once the newest value is back past its `clear` threshold (hysteresis), as
Prometheus' `for:` and Netdata's warn/clear pairs do. A rule's thresholds are on the value
itself, on its percent deviation from the same hour of past weeks (`baseline = "seasonal"`) or on
its ratio to its own median of the last 24 h (`baseline = "recent"`); a `min_value` floor keeps
tiny values out whatever their ratio. Every change is one conditional statement
(an insert guarded by the unique index on open alerts, an UPDATE … WHERE state/severity is still
what we read), so two daemons evaluating the same rule change an alert once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, Connection, RowMapping, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from monitor.alerts.levels import Compared, cleared, held_level, level
from monitor.alerts.tables import OPEN_ALERT, alerts_table
from monitor.audit import record
from monitor.config import SEVERITIES, AlertRule
from monitor.insights import seasonal
from monitor.samples import Labels, labels_json, parse_labels, series_key
from monitor.store import HistoryStore

OPEN, RESOLVED = "open", "resolved"


@dataclass(frozen=True)
class Alert:
    """One alert episode, from opening to resolution."""

    id: int
    rule: str
    subject: str
    metric: str
    labels: str
    severity: str
    peak_severity: str
    state: str
    value: float | None
    threshold: float | None
    message: str
    opened_at: float
    updated_at: float
    resolved_at: float | None
    resolution: str | None
    acknowledged_by: str | None
    acknowledged_at: float | None

    @classmethod
    def from_row(cls, row: RowMapping) -> Alert:
        """The alert of an `alerts` row."""
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


ChangeKind = Literal["opened", "escalated", "eased", "resolved"]


@dataclass(frozen=True)
class Change:
    """What one evaluation did to an alert: opened, escalated, eased or resolved."""

    kind: ChangeKind
    rule: str
    subject: str
    metric: str
    severity: str
    # The episode became critical for the first time: what triggers an emergency collection.
    first_critical: bool = False
    alert_id: int | None = None


# Told of every change inside the transaction that writes it (the notifications' outbox), so a
# change and what it owes are stored together or not at all: (connection, change, now).
ChangeHook = Callable[[Connection, Change, float], None]


class AlertBook:
    """The alerts of one history store and the rules that open and close them."""

    def __init__(
        self, store: HistoryStore, rules: Iterable[AlertRule], on_change: ChangeHook | None = None
    ) -> None:
        self.store = store
        self.rules = list(rules)
        self.on_change = on_change

    def subjects(
        self, series: Iterable[tuple[str, Labels]]
    ) -> list[tuple[AlertRule, str, str, Labels]]:
        """(rule, subject, metric, labels) for every rule that watches one of these series."""
        found = []
        for name, labels in series:
            for rule in self.rules:
                if not rule.watches(name):
                    continue
                subject = _wildcard_part(rule.metric, name) or name
                if labels:
                    subject = series_key(subject, labels)
                found.append((rule, subject, name, labels))
        return found

    def evaluate(self, series: Iterable[tuple[str, Labels]], *, now: float) -> list[Change]:
        """Apply every rule to the newest samples of these series; returns what changed."""
        changes = []
        for rule, subject, metric, labels in self.subjects(series):
            values = self._compared(rule, metric, labels, now)
            if not values:
                continue
            change = self._apply(rule, subject, metric, labels, values, now)
            if change is not None:
                changes.append(change)
        return changes

    def _compared(self, rule: AlertRule, metric: str, labels: Labels, now: float) -> list[Compared]:
        """The newest `for_samples` values as the rule's thresholds read them, newest first;
        none while the baseline they need is not stored yet."""
        raw = self.store.recent_values(metric, rule.for_samples, labels)
        if not raw:
            return []
        values: list[Compared] = list(raw)
        if rule.baseline == "seasonal":
            values = self._against_usual(metric, raw, now)
        elif rule.baseline == "recent":
            usual = seasonal.recent_usual(
                self.store, metric, labels, now=now, skip=rule.for_samples
            )
            values = [] if usual is None else [v / usual for v in raw]
        if rule.min_value is not None:
            floor = rule.min_value
            values = [c if v >= floor else None for c, v in zip(values, raw, strict=False)]
        return values

    def _against_usual(self, metric: str, values: list[float], now: float) -> list[Compared]:
        """The values as percents away from the same hour of the previous weeks; none while
        fewer than two past weeks are stored."""
        found = seasonal.usual(self.store, metric, at=now)
        if found is None:
            return []
        return [100.0 * (v - found[0]) / found[0] for v in values]

    def _apply(
        self,
        rule: AlertRule,
        subject: str,
        metric: str,
        labels: Labels,
        values: list[Compared],
        now: float,
    ) -> Change | None:
        current = self._open(rule.name, subject)
        held = held_level(rule, values)
        if current is None:
            if held is None:
                return None
            return self._insert(rule, subject, metric, labels, held, values[0], now)
        rank = SEVERITIES.index
        # Severities have hysteresis too: up once the higher level has held for the whole
        # window, down only once no sample of the window reached the current level.
        reached = [lv for lv in (level(rule, v) for v in values) if lv is not None]
        if held is not None and rank(held) > rank(current.severity):
            return self._change(current, rule, "escalated", held, values[0], now)
        full_window = len(values) >= rule.for_samples
        newest = values[0]
        if not reached and cleared(rule, newest):
            why = (
                f"cleared: {metric} = {newest:g}"
                if newest is not None
                else f"cleared: {metric} under the rule's floor of {rule.min_value:g}"
            )
            resolved = Change(
                "resolved", rule.name, subject, metric, current.severity, alert_id=current.id
            )
            return resolved if self._resolve(current, now, why, resolved) else None
        shown = newest if newest is not None else current.value  # a value under the floor
        lower = max(reached, key=rank) if reached else rule.thresholds()[0][0]
        if full_window and rank(lower) < rank(current.severity):
            return self._change(current, rule, "eased", lower, shown, now)
        self._refresh(current, shown, now)  # same severity: keep value and time current
        return None

    def _change(
        self,
        current: Alert,
        rule: AlertRule,
        kind: ChangeKind,
        severity: str,
        value: Compared,
        now: float,
    ) -> Change | None:
        values: dict[str, object] = {
            "severity": severity,
            "value": value,
            "updated_at": now,
            "threshold": dict(rule.thresholds())[severity],
        }
        first_critical = severity == "critical" and current.peak_severity != "critical"
        if kind == "escalated":
            # Worse than what was acknowledged: someone has to look again.
            values |= {
                "acknowledged_by": None,
                "acknowledged_at": None,
                "peak_severity": severity
                if SEVERITIES.index(severity) > SEVERITIES.index(current.peak_severity)
                else current.peak_severity,
            }
        change = Change(
            kind,
            rule.name,
            current.subject,
            current.metric,
            severity,
            first_critical=first_critical and kind == "escalated",
            alert_id=current.id,
        )
        with self.store.writing() as conn:
            changed = conn.execute(
                update(alerts_table)
                .where(
                    alerts_table.c.id == current.id,
                    alerts_table.c.state == OPEN,
                    alerts_table.c.severity == current.severity,
                )
                .values(**values)
            ).rowcount
            if changed:
                self._tell(conn, change, now)
        return change if changed else None

    def _refresh(self, current: Alert, value: Compared, now: float) -> None:
        with self.store.writing() as conn:
            conn.execute(
                update(alerts_table)
                .where(
                    alerts_table.c.id == current.id,
                    alerts_table.c.state == OPEN,
                )
                .values(value=value, updated_at=now)
            )

    def _insert(
        self,
        rule: AlertRule,
        subject: str,
        metric: str,
        labels: Labels,
        severity: str,
        value: Compared,
        now: float,
    ) -> Change | None:
        insert = sqlite_insert if self.store.is_sqlite else pg_insert
        statement = (
            insert(alerts_table)
            .values(
                rule=rule.name,
                subject=subject,
                metric=metric,
                labels=labels_json(labels),
                severity=severity,
                peak_severity=severity,
                state=OPEN,
                value=value,
                threshold=dict(rule.thresholds())[severity],
                message=rule.message or f"{metric} {rule.when} threshold",
                opened_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["rule", "subject"], index_where=OPEN_ALERT)
        )
        with self.store.writing() as conn:
            inserted = conn.execute(statement.returning(alerts_table.c.id)).first()
            if not inserted:
                return None
            change = Change(
                "opened",
                rule.name,
                subject,
                metric,
                severity,
                first_critical=severity == "critical",
                alert_id=inserted[0],
            )
            self._tell(conn, change, now)
        return change

    def _resolve(self, alert: Alert, now: float, why: str, change: Change | None = None) -> bool:
        change = change or Change(
            "resolved", alert.rule, alert.subject, alert.metric, alert.severity, alert_id=alert.id
        )
        with self.store.writing() as conn:
            done = conn.execute(
                update(alerts_table)
                .where(alerts_table.c.id == alert.id, alerts_table.c.state == OPEN)
                .values(state=RESOLVED, resolved_at=now, updated_at=now, resolution=why)
            ).rowcount
            if done:
                self._tell(conn, change, now)
        return bool(done)

    def _tell(self, conn: Connection, change: Change, now: float) -> None:
        if self.on_change is not None:
            self.on_change(conn, change, now)

    def _open(self, rule: str, subject: str) -> Alert | None:
        query = select(alerts_table).where(
            alerts_table.c.rule == rule,
            alerts_table.c.subject == subject,
            alerts_table.c.state == OPEN,
        )
        with self.store.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return Alert.from_row(row) if row else None

    def relabel(self, moved: Iterable[tuple[str, str, str]]) -> int:
        """Carry the open alerts of series whose labels changed (metric, old labels, new
        labels, as stored) over to their new labels and subject; returns how many."""
        done = 0
        with self.store.writing() as conn:
            for metric, old, new in moved:
                found = conn.execute(
                    select(alerts_table.c.id, alerts_table.c.subject).where(
                        alerts_table.c.metric == metric,
                        alerts_table.c.labels == old,
                        alerts_table.c.state == OPEN,
                    )
                ).all()
                for alert_id, subject in found:
                    renamed = series_key(subject.partition("{")[0], parse_labels(new))
                    done += conn.execute(
                        update(alerts_table)
                        .where(alerts_table.c.id == alert_id)
                        .values(labels=new, subject=renamed)
                    ).rowcount
        return done

    # -- people and maintenance -----------------------------------------------------------------

    def acknowledge(self, alert_id: int, actor: str, *, now: float) -> bool:
        """Mark an open alert as seen by `actor`; False if it is not open or already seen."""
        with self.store.writing() as conn:
            changed = conn.execute(
                update(alerts_table)
                .where(
                    alerts_table.c.id == alert_id,
                    alerts_table.c.state == OPEN,
                    alerts_table.c.acknowledged_by.is_(None),
                )
                .values(acknowledged_by=actor[:100], acknowledged_at=now)
            ).rowcount
            record(
                conn,
                actor=actor,
                action="acknowledge",
                target=f"alert {alert_id}",
                outcome="done" if changed else "refused",
                now=now,
            )
        return bool(changed)

    def resolve_stale(self, *, now: float, stale_after_s: float) -> int:
        """Resolve open alerts whose series has had no sample for `stale_after_s`, or whose
        rule is no longer in the config."""
        rules = {rule.name for rule in self.rules}
        resolved = 0
        for alert in self.active():
            if alert.rule not in rules:
                resolved += self._resolve(alert, now, "rule removed from the config")
                continue
            newest = self.store.newest_ts(alert.metric, parse_labels(alert.labels))
            if newest is None or newest < now - stale_after_s:
                resolved += self._resolve(alert, now, "stale: no recent data for its metric")
        return resolved

    def resolve_all(self, *, now: float, why: str) -> int:
        """Resolve every open alert at once (the demo's, when a real shop takes over)."""
        with self.store.writing() as conn:
            return int(
                conn.execute(
                    update(alerts_table)
                    .where(OPEN_ALERT)
                    .values(state=RESOLVED, resolved_at=now, updated_at=now, resolution=why)
                ).rowcount
            )

    def prune(self, *, before: float) -> int:
        """Delete alerts resolved before `before` (the long history's retention)."""
        with self.store.writing() as conn:
            return int(
                conn.execute(
                    alerts_table.delete().where(
                        alerts_table.c.state == RESOLVED, alerts_table.c.resolved_at < before
                    )
                ).rowcount
            )

    def active(self) -> list[Alert]:
        """Open alerts, most severe first, then oldest first."""
        with self.store.engine.connect() as conn:
            rows = (
                conn.execute(select(alerts_table).where(alerts_table.c.state == OPEN))
                .mappings()
                .all()
            )
        alerts = [Alert.from_row(r) for r in rows]
        return sorted(alerts, key=lambda a: (-SEVERITIES.index(a.severity), a.opened_at))

    def history(
        self, *, since: float = 0, until: float | None = None, limit: int = 500
    ) -> list[Alert]:
        """Alerts open at some moment between `since` and `until` (now if None), newest
        first: opened before the end, and not resolved before the start."""
        during: list[ColumnElement[bool]] = [
            alerts_table.c.resolved_at.is_(None) | (alerts_table.c.resolved_at >= since)
        ]
        if until is not None:
            during.append(alerts_table.c.opened_at <= until)
        query = (
            select(alerts_table)
            .where(*during)
            .order_by(alerts_table.c.opened_at.desc(), alerts_table.c.id.desc())
            .limit(limit)
        )
        with self.store.engine.connect() as conn:
            return [Alert.from_row(r) for r in conn.execute(query).mappings()]


def _wildcard_part(pattern: str, name: str) -> str | None:
    if "*" not in pattern:
        return None
    regex = re.escape(pattern).replace(r"\*", "(.+?)")
    match = re.fullmatch(regex, name)
    return match.group(1) if match else None


def open_alerts(store: HistoryStore) -> list[Alert]:
    """The open alerts of a store, most severe first (for views that hold no rules)."""
    return AlertBook(store, []).active()


def alerts_between(store: HistoryStore, start: float, end: float | None) -> list[Alert]:
    """Alerts open at some moment of the period (`end` None: up to now), newest first."""
    return AlertBook(store, []).history(since=start, until=end, limit=2000)
