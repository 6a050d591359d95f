"""Notifications: alert changes told to people through Apprise channels, exactly once.

Owns the `notifications` table, the outbox: a change's messages are written in the
transaction that writes the change (`Notifier.on_change`, the alerts' change hook), and a
sender drains it (`Notifier.drain`) with grouping, retries and backoff. `channels` speaks to
Apprise, `compose` words the messages. May import the store, the config, the alerts and the
redaction; the daemon runs it, the CLI tests it.
"""
