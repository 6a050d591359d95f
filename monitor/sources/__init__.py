"""Sources: the outside world collectors read, built once and injected.

`database` is the shop's database (read-only, short timeouts), `access_log` the web server's
log, `machine` this host through psutil. May import the config and the errors only; owns no
table (it never writes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from monitor.config import Probe, Settings
from monitor.sources.access_log import AccessLog
from monitor.sources.database import SourceDatabase
from monitor.sources.machine import Machine


@dataclass
class Sources:
    """Everything outside Vigie that collectors read, built once and injected."""

    settings: Settings
    database: SourceDatabase
    access_log: AccessLog | None = None
    data_dir: Path = Path("data")
    probes: list[Probe] = field(default_factory=list)
    machine: Machine = field(default_factory=Machine)

    @classmethod
    def from_settings(cls, settings: Settings) -> Sources:
        """The production sources the settings describe."""
        log_path = settings.access_log_path
        access_log = None
        if log_path is not None:
            access_log = AccessLog(
                log_path,
                unit=settings.access_log.request_time_unit,
                window_seconds=settings.access_log.window_seconds,
                max_initial_bytes=settings.access_log.max_initial_bytes,
            )
        return cls(
            settings=settings,
            database=SourceDatabase(settings.source_url, settings.source),
            access_log=access_log,
            data_dir=settings.data_dir,
            probes=list(settings.probes),
        )

    def close(self) -> None:
        """Release the monitored database's connections."""
        self.database.close()
