"""The outbox: messages owed are written with the change that owes them, then drained by
whichever daemon claims them first (a conditional UPDATE), grouped per channel, retried with
exponential backoff. A message is sent at least once, and twice only if a daemon dies between
the send and its record (its claim is taken back after `notify.claim_timeout_s`)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from monitor.alerts import Change
from monitor.alerts.tables import alerts_table
from monitor.config import SEVERITIES, Settings
from monitor.notifications import mutes
from monitor.notifications.channels import Channel
from monitor.notifications.compose import Wording, grouped
from monitor.notifications.history import waiting_by_channel
from monitor.notifications.repeats import queue_repeats
from monitor.notifications.tables import notifications_table as outbox
from monitor.notifications.tables import owed
from monitor.samples import Collection
from monitor.store import HistoryStore

log = logging.getLogger("vigie.notify")
WAITING, SENDING, SENT = "waiting", "sending", "sent"
SILENCED, MUTED = "silenced", "muted"  # held by a silence; dropped because it resolved meanwhile
NOTIFIED = ("opened", "escalated", "resolved")  # easing down is not worth a message
REPEAT_CHECK_S = 60.0  # repeats are hours apart: looking once a minute is on time
FAILING_AFTER = 3  # refusals in a row before a channel counts as failing
MAX_BACKOFF_S = 3600.0


def _heard(conn: Connection, alert_id: int, channel: str) -> bool:
    """Whether `channel` was told that this alert opened (or got worse, or was still open)."""
    return (
        conn.execute(
            select(outbox.c.id)
            .where(
                outbox.c.alert_id == alert_id,
                outbox.c.channel == channel,
                outbox.c.state == SENT,
                outbox.c.change != "resolved",
            )
            .limit(1)
        ).first()
        is not None
    )


def backoff(attempts: int) -> float:
    """Seconds before the next try after `attempts` failed ones: 10 s, 20 s, 40 s … 1 h."""
    return min(MAX_BACKOFF_S, 10.0 * 2 ** max(0, attempts - 1))


class Notifier:
    """Writes what alert changes owe to each channel, and sends it."""

    def __init__(
        self, store: HistoryStore, settings: Settings, channels: Sequence[Channel], worker: str
    ) -> None:
        self.store = store
        self.settings = settings
        self.channels = {channel.name: channel for channel in channels}
        self.worker = worker
        self.wording = Wording(settings)
        self._repeats_checked = -REPEAT_CHECK_S

    def on_change(self, conn: Connection, change: Change, now: float) -> None:
        """The alerts' change hook: the messages this change owes, in its own transaction."""
        if change.kind not in NOTIFIED or change.alert_id is None:
            return
        alert = (
            conn.execute(select(alerts_table).where(alerts_table.c.id == change.alert_id))
            .mappings()
            .one()
        )
        title, body = self.wording.for_alert(conn, dict(alert), change.kind, now)
        wanted = [
            c
            for c in self.channels.values()
            if c.wants(change.rule, change.severity, change.subject)
        ]
        if not self.channels:
            log.info("not sent: no channel: %s", title)
        hushed = mutes.in_force(conn, self.settings, now).why(
            change.rule, change.subject, change.severity
        )
        state = SILENCED if hushed else WAITING
        for channel in wanted:
            # The change's severity, not the row's: an eased alert is told at its new level.
            about = {**alert, "severity": change.severity}
            row = owed(about, change.kind, channel.name, title, body, now=now, state=state)
            if hushed:
                row["answer"] = f"held: {hushed}"
            conn.execute(insert(outbox).values(**row))

    def drain(self, now: float, *, flush: bool = False) -> int:
        """Send what is due, one message per channel (grouped); returns messages delivered.
        `flush` does not wait for the grouping window (`--once`)."""
        if not self.channels:
            return 0
        # The daemon calls this every second: one read decides, writes only when there is work.
        with self.store.engine.connect() as conn:
            pending: dict[str, int] = dict(
                conn.execute(
                    select(outbox.c.state, func.count())
                    .where(outbox.c.state.in_([WAITING, SENDING, SILENCED]))
                    .group_by(outbox.c.state)
                ).all()
            )
        due = pending.get(WAITING, 0)
        if pending.get(SENDING):
            due += self._take_back(now)
        if pending.get(SILENCED):
            due += self._release(now)
        if now - self._repeats_checked >= REPEAT_CHECK_S:
            self._repeats_checked = now
            due += queue_repeats(
                self.store, self.settings, self.wording, list(self.channels.values()), now
            )
        if not due:
            return 0
        delivered = 0
        for channel in self.channels.values():
            rows = self._claim(channel, now, flush)
            if rows:
                delivered += self._send(channel, rows, now)
        return delivered

    def channel_states(self, now: float) -> Collection:
        """`notifications.<channel>.failing`: 1 while a message to it has been refused
        FAILING_AFTER times and still waits, else 0 (what `notification_failing` watches)."""
        waiting = waiting_by_channel(self.store)
        states = Collection(ts=now)
        for name in self.channels:
            tries = waiting[name].attempts if name in waiting else 0
            states.add(f"notifications.{name}.failing", float(tries >= FAILING_AFTER))
        return states

    def _release(self, now: float) -> int:
        """Messages held by a silence or a maintenance window that ended: sent if their alert
        is still open; a resolution sent if people had heard of the alert; the rest dropped
        ("muted": nobody needs news of an alert they never heard of). Returns how many became
        due."""
        released = 0
        with self.store.writing() as conn:
            held = conn.execute(
                select(
                    outbox.c.id,
                    outbox.c.alert_id,
                    outbox.c.change,
                    outbox.c.channel,
                    outbox.c.rule,
                    outbox.c.subject,
                    outbox.c.severity,
                    alerts_table.c.state,
                )
                .join(alerts_table, alerts_table.c.id == outbox.c.alert_id)
                .where(outbox.c.state == SILENCED)
            ).all()
            if not held:
                return 0
            quiet = mutes.in_force(conn, self.settings, now)
            for row in held:
                done: dict[str, object]
                still = quiet.why(row.rule, row.subject, row.severity)
                if row.change != "resolved" and row.state != "open":
                    done = {"state": MUTED, "answer": "held; the alert resolved meanwhile"}
                elif still:
                    continue
                elif row.change == "resolved" and not _heard(conn, row.alert_id, row.channel):
                    done = {"state": MUTED, "answer": "held; its opening was never sent"}
                else:
                    done = {"state": WAITING, "next_at": now}
                    released += 1
                conn.execute(update(outbox).where(outbox.c.id == row.id).values(**done))
        return released

    def _take_back(self, now: float) -> int:
        """Claims of a daemon that died mid-send go back to waiting; returns how many."""
        timeout = self.settings.notify.claim_timeout_s
        with self.store.writing() as conn:
            return int(
                conn.execute(
                    update(outbox)
                    .where(outbox.c.state == SENDING, outbox.c.claimed_at < now - timeout)
                    .values(state=WAITING, worker=None)
                ).rowcount
            )

    def _claim(self, channel: Channel, now: float, flush: bool) -> list[Any]:
        due = and_(outbox.c.channel == channel.name, outbox.c.state == WAITING)
        with self.store.engine.connect() as conn:
            oldest = conn.execute(
                select(outbox.c.created_at, outbox.c.next_at)
                .where(due)
                .order_by(outbox.c.next_at)
                .limit(1)
            ).first()
        wait = self.settings.notify.group_wait_s
        if oldest is None or oldest.next_at > now:
            return []
        if not flush and oldest.created_at > now - wait:
            return []  # the group is still gathering
        token = f"{self.worker}:{uuid.uuid4().hex[:8]}"
        with self.store.writing() as conn:
            conn.execute(
                update(outbox)
                .where(due, outbox.c.next_at <= now)
                .values(state=SENDING, worker=token, claimed_at=now)
            )
            return list(
                conn.execute(
                    select(outbox).where(outbox.c.worker == token).order_by(outbox.c.id)
                ).mappings()
            )

    def _send(self, channel: Channel, rows: list[Any], now: float) -> int:
        title, body = grouped([(row["title"], row["body"]) for row in rows])
        worst = max((row["severity"] for row in rows), key=SEVERITIES.index)
        taken, answer = channel.send(title, body, worst)
        ids = [row["id"] for row in rows]
        attempts = max(row["attempts"] for row in rows) + 1
        with self.store.writing() as conn:
            mine = and_(outbox.c.id.in_(ids), outbox.c.worker == rows[0]["worker"])
            if taken:
                conn.execute(
                    update(outbox)
                    .where(mine)
                    .values(state=SENT, sent_at=now, attempts=attempts, answer=answer)
                )
            else:
                conn.execute(
                    update(outbox)
                    .where(mine)
                    .values(
                        state=WAITING,
                        worker=None,
                        attempts=attempts,
                        next_at=now + backoff(attempts),
                        answer=answer,
                    )
                )
        if taken:
            log.info("notify %s: sent %d message(s): %s", channel.name, len(rows), title)
            return len(rows)
        log.warning(
            "notify %s: not taken (attempt %d, next in %.0f s): %s",
            channel.name,
            attempts,
            backoff(attempts),
            answer,
        )
        return 0
