"""Vigie's collector daemon: `python collector_daemon.py [--config FILE] [--once]`."""

from __future__ import annotations

import argparse
import logging
import sys
import time

from monitor.alerts import AlertBook
from monitor.alerts.past import forget_past
from monitor.config import Settings, load_settings
from monitor.daemon import CollectorDaemon, StopRequest, open_store
from monitor.demo.incidents import DEMO_RESOLUTION
from monitor.errors import VigieError
from monitor.store import HistoryStore


def main(argv: list[str] | None = None) -> int:
    """Run the daemon; 0 on a clean stop, 2 with one line on stderr for a setting to fix."""
    parser = argparse.ArgumentParser(description="Collect Vigie's metrics on the seed's schedule.")
    parser.add_argument("--config", help="TOML config file (default: $MONITOR_CONFIG, else demo)")
    parser.add_argument("--once", action="store_true", help="run every job once and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(message)s", level=logging.INFO)
    stop = StopRequest()
    stop.install()  # from the start: a SIGTERM while the demo is being built is honoured too
    try:
        settings = load_settings(args.config)
        logging.getLogger().setLevel(settings.log_level)
        store = open_store(settings, stopping=stop)
        if store is None:
            return 0
        daemon = CollectorDaemon(settings, store=store, stop=stop)
        _keep_demo_apart(settings, store)
        if settings.demo_enabled:
            from monitor.demo.live import start_demo

            start_demo(settings, daemon)
    except VigieError as exc:
        print(f"vigie: {exc}", file=sys.stderr)
        return 2
    try:
        if args.once:
            daemon.run_once()
        elif not stop():
            daemon.run_forever()
    finally:
        daemon.close()
    if daemon.fatal is not None:  # a corrupt store: said in one line, nothing to retry
        print(f"vigie: {daemon.fatal}", file=sys.stderr)
        return 2
    return 0


def _keep_demo_apart(settings: Settings, store: HistoryStore) -> None:
    """Invented figures never mix with measured ones: the demo marks the store as its own, and
    the first start on a real shop drops what the demo left there."""
    if settings.demo_enabled:
        store.mark_demo()
        return
    dropped = store.forget_demo()
    if dropped:
        dropped["alerts"] = AlertBook(store, []).resolve_all(now=time.time(), why="the demo ended")
        dropped["past demo alerts"] = forget_past(store, DEMO_RESOLUTION)
        logging.getLogger("vigie.daemon").warning(
            "this store held the demo's history; dropped it so the shop's own starts clean: %s",
            ", ".join(f"{count} {table}" for table, count in dropped.items()),
        )


if __name__ == "__main__":
    sys.exit(main())
