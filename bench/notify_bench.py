"""Notifications benchmark (on demand, not a test): 1,000 alerts opening at once, 3 channels.

Three JSON webhook receivers on loopback; a SQLite store; the alerts' change hook writes the
outbox as 1,000 alerts open in one evaluation, then the sender drains it. Prints the time to
write the changes with their messages, the time to drain the outbox, the messages each
receiver got (grouped: one per channel is the point), and the process's added memory.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil

from monitor.alerts import AlertBook
from monitor.config import AlertRule, Settings
from monitor.notifications.channels import channels
from monitor.notifications.outbox import Notifier
from monitor.samples import Sample
from monitor.store import HistoryStore

ALERTS = 1_000
MB = 1024 * 1024


def receiver() -> tuple[ThreadingHTTPServer, list[int]]:
    """A webhook that counts the alert lines of each message it gets."""
    got: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            got.append(body["message"].count("Error: "))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, got


def main() -> int:
    servers = [receiver() for _ in range(3)]
    process = psutil.Process()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.model_validate(
            {
                "data_dir": folder,
                "store": {"url": f"sqlite:///{Path(folder) / 'h.sqlite'}"},
                "notify": {
                    "group_wait_s": 0,
                    "channels": [
                        {"name": f"c{i}", "url": f"json://127.0.0.1:{s.server_address[1]}/h"}
                        for i, (s, _) in enumerate(servers)
                    ],
                },
            }
        )
        store = HistoryStore(settings.store_url)
        notifier = Notifier(store, settings, channels(settings), "bench")
        rule = AlertRule(name="down", metric="database.*.up", when="below", error=1)
        book = AlertBook(store, [rule], on_change=notifier.on_change)
        series = {(f"database.t{i}.up", ()) for i in range(ALERTS)}
        now = time.time()
        store.write([Sample(name, 0, now) for name, _ in series])
        before = process.memory_info().rss
        start = time.perf_counter()
        opened = book.evaluate(series, now=now)
        written = time.perf_counter() - start
        start = time.perf_counter()
        sent = notifier.drain(now + 1)
        drained = time.perf_counter() - start
        added = process.memory_info().rss - before
        store.close()
    for server, _ in servers:
        server.shutdown()
    print(f"{len(opened):,} alerts opened, their {3 * len(opened):,} messages written: "
          f"{written:.2f} s")  # fmt: skip
    print(f"outbox drained: {sent:,} messages delivered in {drained:.2f} s")
    for i, (_, got) in enumerate(servers):
        print(f"  channel c{i}: {len(got)} message(s) carrying {sum(got):,} alert lines")
    print(f"memory added by the process: {added / MB:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
