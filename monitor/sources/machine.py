"""The host Vigie runs on, as psutil sees it; injected so tests can pass a machine of their own."""

from __future__ import annotations

import time
from pathlib import Path

import psutil


class Machine:
    """CPU, memory, disk and uptime of this host."""

    def __init__(self) -> None:
        self._cpu_primed = False

    def cpu_percent(self) -> float:
        """% of all cores busy since the previous call."""
        # psutil measures since its previous call; the very first call has no baseline.
        if not self._cpu_primed:
            self._cpu_primed = True
            return float(psutil.cpu_percent(interval=0.5))
        return float(psutil.cpu_percent(interval=None))

    def memory_used_mb(self) -> float:
        """Memory in use (total minus available), in MB."""
        memory = psutil.virtual_memory()
        return (memory.total - memory.available) / 1024**2

    def memory_percent(self) -> float:
        """% of memory in use (what the memory alert watches; MB depend on the machine)."""
        return float(psutil.virtual_memory().percent)

    def disk_percent(self, path: Path) -> float:
        """% used of the disk holding `path` (its nearest existing parent)."""
        path = path.resolve()
        while not path.exists():
            path = path.parent
        return float(psutil.disk_usage(str(path)).percent)

    def uptime_seconds(self) -> float:
        """Seconds since the host booted (by the real clock, whatever a test's clock says)."""
        return time.time() - psutil.boot_time()
