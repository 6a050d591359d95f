"""A test message to each channel, from the command line or (admins only, audited) the
dashboard: the one way to know an Apprise URL reaches people before an alert needs it."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.access import Person, require
from monitor.audit import record
from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.notifications.channels import channels
from monitor.store import HistoryStore

TITLE = "Vigie test message"
BODY = "If you read this, Vigie's alerts reach you here."


@dataclass(frozen=True)
class Answer:
    """What one channel answered a test message (secrets masked)."""

    channel: str
    taken: bool
    answer: str

    def line(self) -> str:
        return f"{self.channel}: {'sent' if self.taken else 'failed'}: {self.answer}"


def send_test(settings: Settings, only: str | None = None) -> list[Answer]:
    """Send the test message to every channel, or to `only`. ConfigError when there is none
    to send to, naming the channels there are."""
    found = [c for c in channels(settings) if only in (None, c.name)]
    if not found:
        names = ", ".join(c.name for c in settings.notify.channels) or "none is configured"
        raise ConfigError(
            f"no channel {only!r} to test (channels: {names})"
            if only
            else "no channel to test: add [[notify.channels]] to the configuration"
        )
    return [Answer(c.name, *c.send(TITLE, BODY, "info")) for c in found]


def send_test_as(
    store: HistoryStore, settings: Settings, person: Person, *, now: float,
    only: str | None = None,
) -> list[Answer]:  # fmt: skip
    """`send_test` for an admin (NotAuthorized for anyone else); audited either way."""
    require(store, person, "admin", action="notify test", target=only or "all channels", now=now)
    actor = person.name
    answers = send_test(settings, only)
    with store.writing() as conn:
        for answer in answers:
            record(conn, actor=actor, action="notify test", target=answer.channel,
                   outcome="sent" if answer.taken else "failed", now=now)  # fmt: skip
    return answers
