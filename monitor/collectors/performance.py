"""Performance metrics: the machine (psutil), the web traffic (access log) and HTTP probes.

| metric | unit | source |
|---|---|---|
| performance.cpuUsage | % of all cores since the previous run | psutil |
| performance.memoryUsage | MB used (total - available) | psutil |
| performance.memoryPercent | % of memory used | psutil |
| performance.diskUsage | % used of the disk holding the data folder | psutil |
| performance.uptime | seconds since boot | psutil |
| performance.responseTime | median request time in the window, ms | access log, else probes |
| performance.requestsPerMinute | requests in the last minute | access log |
| performance.errorRate | % of 5xx in the window | access log |
| performance.malformedLogLines | lines skipped since the daemon started | access log |
| performance.probe.responseTime{probe} / .probe.up{probe} | ms / 1 or 0 | HTTP probes |
"""

from __future__ import annotations

import statistics
import time
import urllib.error
import urllib.request
from datetime import datetime

from monitor.config import Probe
from monitor.samples import Collection
from monitor.sources import Sources


def probe(target: Probe) -> tuple[bool, float]:
    """(answered with a status below 500, milliseconds taken) for one HTTP GET."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(target.url, timeout=target.timeout_s) as response:
            response.read(65536)
            ok = response.status < 500
    except urllib.error.HTTPError as exc:
        ok = exc.code < 500
    except (urllib.error.URLError, OSError):
        ok = False
    return ok, (time.perf_counter() - start) * 1000


def collect(sources: Sources, now: datetime) -> Collection:
    """The machine, then the probes, then the access log (or the probes' median without one)."""
    result = Collection(ts=now.timestamp())
    machine = sources.machine
    result.add("performance.cpuUsage", machine.cpu_percent())
    result.add("performance.memoryUsage", machine.memory_used_mb())
    result.add("performance.memoryPercent", machine.memory_percent())
    result.add("performance.diskUsage", machine.disk_percent(sources.data_dir))
    result.add("performance.uptime", machine.uptime_seconds())

    probe_times = []
    for target in sources.probes:
        ok, elapsed = probe(target)
        labels = (("probe", target.name),)
        result.add("performance.probe.up", 1.0 if ok else 0.0, labels)
        if ok:
            result.add("performance.probe.responseTime", elapsed, labels)
            probe_times.append(elapsed)

    if sources.access_log is not None:
        try:
            traffic = sources.access_log.read(now.timestamp())
        except OSError as exc:
            result.fail("performance.responseTime", f"cannot read the access log: {exc}")
        else:
            # No request in the window: the probes are the only figure of response time there is.
            response_ms = traffic.median_response_ms
            if response_ms is None and probe_times:
                response_ms = statistics.median(probe_times)
            result.add("performance.responseTime", response_ms)
            result.add("performance.requestsPerMinute", traffic.requests_last_minute)
            result.add("performance.errorRate", traffic.error_rate)
            result.add("performance.malformedLogLines", traffic.malformed_lines)
            return result
    if probe_times:
        result.add("performance.responseTime", statistics.median(probe_times))
    return result
