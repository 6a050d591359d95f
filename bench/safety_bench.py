"""Safety figures (on demand, not a test): what hostile requests cost the API.

Serves Vigie's API on loopback with an ops token, then prints:
- its resident memory idle, and at its peak while a client streams a 500 MB body (chunked)
  without a token, and then with the token (targets: within 50 MB of idle, 401 and 413);
- how many audit lines 3,000 refused maintenance calls from one client leave (target: one a
  minute, whatever the count).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
from api_bench import free_port, serve

PATH = "/api/system/maintenance"
TOKEN = "bench-token"
MB = 1024 * 1024


def _body(megabytes: int) -> Iterator[bytes]:
    block = b"z" * MB
    for _ in range(megabytes):
        yield block


def peak_while_posting(
    port: int, process: psutil.Process, headers: dict[str, str]
) -> tuple[int, str]:
    """(peak RSS while a 500 MB body is sent, what the client got)."""
    got: list[str] = []

    def post() -> None:
        try:
            answer = httpx.post(
                f"http://127.0.0.1:{port}{PATH}", content=_body(500), headers=headers, timeout=60
            )
            got.append(str(answer.status_code))
        except httpx.TransportError as exc:
            got.append(f"connection closed ({type(exc).__name__})")

    sender = threading.Thread(target=post)
    peak = process.memory_info().rss
    sender.start()
    while sender.is_alive():
        peak = max(peak, process.memory_info().rss)
        time.sleep(0.005)
    return peak, got[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--refused", type=int, default=3000, help="refused calls to send")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        store = data / "history.sqlite"
        config = data / "vigie.toml"
        config.write_text(
            f'data_dir = "{data}"\n[source]\nurl = "sqlite:///{data / "shop.sqlite"}"\n'
            f'[store]\nurl = "sqlite:///{store}"\n[ops]\ntoken = "{TOKEN}"\n',
            encoding="utf-8",
        )
        env = {**os.environ, "MONITOR_CONFIG": str(config)}
        from monitor.config import load_settings
        from monitor.daemon import store_for

        store_for(load_settings(config)).close()  # the API reads a store the daemon made
        port = free_port()
        api = serve(
            [sys.executable, "-m", "monitor.api", "--port", str(port)],
            f"http://127.0.0.1:{port}/api/system/health/live",
            env,
        )
        try:
            process = psutil.Process(api.pid)
            idle = process.memory_info().rss
            print(f"API idle: {idle / MB:.1f} MB resident")
            for label, headers in (
                ("no token", {}),
                ("ops token", {"Authorization": f"Bearer {TOKEN}"}),
            ):
                peak, got = peak_while_posting(port, process, headers)
                print(
                    f"500 MB body, {label}: answered {got}; peak {peak / MB:.1f} MB "
                    f"(+{(peak - idle) / MB:.1f} MB over idle; target under +50 MB)"
                )
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
                start = time.perf_counter()
                for i in range(args.refused):
                    headers = {"Authorization": "Bearer wrong"} if i % 2 else {}
                    client.post(PATH, json={"tasks": ["cleanup"]}, headers=headers)
                seconds = time.perf_counter() - start
        finally:
            api.terminate()
            api.wait(10)
        with sqlite3.connect(store) as db:
            lines, total = db.execute(
                "SELECT COUNT(*), SUM(times) FROM audit WHERE outcome = 'refused'"
            ).fetchone()
            lines_all = db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
        print(
            f"{args.refused} refused calls in {seconds:.1f} s "
            f"({args.refused / seconds:.0f}/s): {lines} audit line(s) counting {total} "
            f"({lines_all} audit rows in all)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
