"""API benchmark (on demand, not a test): /api/system/health/quick and /metrics under 50
concurrent clients, and /metrics again once scrapers must send a personal token (the door
resolves it against the store on every call).

Serves Vigie's API and a bare FastAPI endpoint returning a constant with the same uvicorn
settings (one worker, no access log) on loopback, loads each with wrk (Debian package `wrk`) for
a bounded time, and prints requests/s and p99 latency (targets: the quick check at 0.8 of the
bare endpoint's throughput or better, p99 under 25 ms; /metrics, 50 Prometheus scrapers at
once, within 2x of the quick check's time).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A port nobody listens on, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(command: list[str], url: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start `command` and wait until `url` answers (20 s at most)."""
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"{command} did not come up at {url}")


def _wrk(url: str, seconds: int, clients: int, token: str = "") -> tuple[float, float]:
    auth = ["-H", f"Authorization: Bearer {token}"] if token else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--latency", *auth, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"{url} answered errors under load:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return rate, float(p99) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    work = Path(tempfile.mkdtemp(prefix="vigie-api-bench-"))
    config = work / "vigie.toml"
    config.write_text(f'data_dir = "{work}"\n[demo]\nscale = 0.05\nbackfill_days = 1\n')
    env = {**os.environ, "MONITOR_CONFIG": str(config)}
    subprocess.run(
        [sys.executable, "collector_daemon.py", "--once"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    # Keep the store fresh while the load runs, as in production.
    daemon = subprocess.Popen(
        [sys.executable, "collector_daemon.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    vigie_port, bare_port = free_port(), free_port()
    quick = f"http://127.0.0.1:{vigie_port}/api/system/health/quick"
    bare = f"http://127.0.0.1:{bare_port}/constant"
    servers = [
        serve([sys.executable, "-m", "monitor.api", "--port", str(vigie_port)], quick, env),
        serve(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.bare_app:app",
                "--port",
                str(bare_port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            bare,
            env,
        ),
    ]
    try:
        print(f"health/quick answers {httpx.get(quick).json()['data']['status']}")
        bare_rate, bare_p99 = _wrk(bare, args.seconds, args.clients)
        quick_rate, quick_p99 = _wrk(quick, args.seconds, args.clients)
        scrape = quick.replace("/api/system/health/quick", "/metrics")
        metrics_rate, metrics_p99 = _wrk(scrape, args.seconds, args.clients)
        token = subprocess.run(
            [sys.executable, "-m", "monitor", "tokens", "create", "--name", "bench", "--scope",
             "read"], cwd=ROOT, env=env, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        time.sleep(6)  # the door asks the store whether reads need a token every 5 s
        if httpx.get(scrape).status_code != 401:
            raise SystemExit("/metrics stayed open after a token was made")
        tokened_rate, tokened_p99 = _wrk(scrape, args.seconds, args.clients, token)
    finally:
        for proc in [*servers, daemon]:
            proc.terminate()
            proc.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.clients} clients, {args.seconds} s each, wrk on loopback, one uvicorn worker:")
    print(f"  bare FastAPI constant : {bare_rate:8,.0f} req/s   p99 {bare_p99:6.2f} ms")
    print(f"  /health/quick         : {quick_rate:8,.0f} req/s   p99 {quick_p99:6.2f} ms")
    print(f"  /metrics              : {metrics_rate:8,.0f} req/s   p99 {metrics_p99:6.2f} ms")
    print(f"  ratio {quick_rate / bare_rate:.2f} (target >= 0.80), p99 target < 25 ms")
    print(f"  /metrics with a token : {tokened_rate:8,.0f} req/s   p99 {tokened_p99:6.2f} ms")
    print(
        f"  /metrics takes {quick_rate / metrics_rate:.2f}x the quick check's time (target <= 2.00)"
    )
    print(f"  a token costs /metrics {1 - tokened_rate / metrics_rate:.0%} of its throughput")


if __name__ == "__main__":
    main()
