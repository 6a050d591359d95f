"""Alerts: the rules' evaluation, one open alert per rule and subject, acknowledgement, history.

Owns the `alerts` table. May import the store, the config, the audit log and the insights'
seasonal baselines; nothing here knows of the daemon, the API or the dashboard.
"""

from __future__ import annotations

from monitor.alerts.book import (
    Alert,
    AlertBook,
    Change,
    alerts_between,
    held_level,
    level,
    open_alerts,
)

__all__ = [
    "Alert",
    "AlertBook",
    "Change",
    "alerts_between",
    "held_level",
    "level",
    "open_alerts",
]
