"""The collector daemon: the schedule, the job loop, and the buffered way into the store.

May import everything in the core (collectors, store, jobs, alerts, sources); nothing imports
it but `collector_daemon.py` and the demo's runner.
"""

from __future__ import annotations

from monitor.daemon.basics import RunResult, StopRequest, open_store, store_for, utc_now
from monitor.daemon.worker import CollectorDaemon

__all__ = ["CollectorDaemon", "RunResult", "StopRequest", "open_store", "store_for", "utc_now"]
