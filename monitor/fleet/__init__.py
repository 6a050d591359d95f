"""The fleet: the machines whose daemons write one store, their freshness, and one host's
view of the figures. Owns the `hosts` table. May import the store and the samples."""

from __future__ import annotations

from monitor.fleet.hosts import HOST, QUIET_AFTER, UP_METRIC, Fleet, Host
from monitor.fleet.tables import hosts_table
from monitor.fleet.view import for_host, host_of, on_host, pick, stamped, unhosted, without_host

__all__ = [
    "HOST",
    "QUIET_AFTER",
    "UP_METRIC",
    "Fleet",
    "Host",
    "for_host",
    "host_of",
    "hosts_table",
    "on_host",
    "pick",
    "stamped",
    "unhosted",
    "without_host",
]
