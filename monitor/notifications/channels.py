"""The channels: Apprise URLs checked at start-up, and one send that says what the service
answered."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from fnmatch import fnmatchcase

from monitor.config import SEVERITIES, ChannelConfig, Settings
from monitor.errors import ConfigError
from monitor.redaction import redact

FAILING_RULE = "notification_failing"


@dataclass(frozen=True)
class Channel:
    """A configured channel, its URL resolved (never printed: see `redaction`)."""

    name: str
    url: str
    min_severity: str
    rules: tuple[str, ...]

    def wants(self, rule: str, severity: str, subject: str = "") -> bool:
        """Whether an alert of `rule` at `severity` about `subject` goes to this channel (never
        the news that this very channel is failing)."""
        if rule == FAILING_RULE and subject == self.name:
            return False
        if SEVERITIES.index(severity) < SEVERITIES.index(self.min_severity):
            return False
        return not self.rules or any(fnmatchcase(rule, glob) for glob in self.rules)

    def send(self, title: str, body: str, severity: str) -> tuple[bool, str]:
        """(taken, what the service answered, secrets masked), in one line."""
        import apprise  # only the daemon and `notify test` send: others skip its import

        sender = apprise.Apprise()
        sender.add(self.url)
        kind = (
            apprise.NotifyType.FAILURE
            if severity in ("error", "critical")
            else (apprise.NotifyType.WARNING if severity == "warning" else apprise.NotifyType.INFO)
        )
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as said:
            taken = bool(sender.notify(body=body, title=title, notify_type=kind))
            answer = " ".join(line.strip() for line in said.getvalue().splitlines() if line.strip())
        return taken, redact(answer or ("taken" if taken else "refused"))[:500]


def send_files(channel: Channel, title: str, html: str, files: list[str]) -> tuple[bool, str]:
    """Send an HTML message with `files` attached (a report): by mail, images its HTML names
    as `cid:<file name>` go inside it, the others as attachments; other services get what
    they can carry. Returns (taken, what the service answered, secrets masked)."""
    import apprise

    sender = apprise.Apprise()
    url = channel.url
    if url.split(":", 1)[0].lower() in ("mailto", "mailtos") and "inline=" not in url:
        # A mail's images go inside it (multipart/related), where every client shows them.
        url += ("&" if "?" in url else "?") + "inline=yes"
    sender.add(url)
    attached = apprise.AppriseAttachment()
    for path in files:
        attached.add(path)
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as said:
        taken = bool(
            sender.notify(
                body=html, title=title, body_format=apprise.NotifyFormat.HTML, attach=attached
            )
        )
        answer = " ".join(line.strip() for line in said.getvalue().splitlines() if line.strip())
    return taken, redact(answer or ("taken" if taken else "refused"))[:500]


def channels(settings: Settings) -> list[Channel]:
    """The configured channels, each URL checked by Apprise; ConfigError names a wrong one."""
    found = []
    for config in settings.notify.channels:
        found.append(_checked(config))
    return found


def _checked(config: ChannelConfig) -> Channel:
    import apprise

    url = config.url_in_force()
    where = f"notify.channels {config.name!r}"
    if not url:
        raise ConfigError(f"{where}: ${config.url_env} is empty or unset (it holds the URL)")
    if apprise.Apprise.instantiate(url, suppress_exceptions=True) is None:
        raise ConfigError(
            f"{where}: not a notification URL Apprise knows (e.g. mailto://…, json://…, "
            "slack://…, ntfy://…)"
        )
    return Channel(config.name, url, config.min_severity, tuple(config.rules))
