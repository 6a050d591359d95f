"""How far the demo's first start has got (the shop, then its history), in a small file in the
data folder: the dashboard says "building the demo shop: 40 %" rather than "the collector looks
stopped" while the daemon is busy building it."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

FILE = "demo-building.json"
ENV = "VIGIE_DEMO_PROGRESS"  # where `demo create`, run by the daemon, reports its progress
STALE_S = 120.0  # no word for this long: whoever was building stopped
STAGES = {"shop": "building the demo shop", "history": "writing the demo's history"}


@dataclass(frozen=True)
class Building:
    """One report: the stage, how far, and when."""

    stage: str
    percent: int
    at: float

    def sentence(self) -> str:
        return f"{STAGES.get(self.stage, self.stage).capitalize()}: {self.percent} %"


class Reporter:
    """Writes the progress file when the percent moves (atomically: a reader never sees half)."""

    def __init__(self, path: Path | None, stage: str) -> None:
        self.path = path
        self.stage = stage
        self.last = -1

    def __call__(self, fraction: float) -> None:
        percent = max(0, min(100, int(fraction * 100)))
        if self.path is None or percent == self.last:
            return
        self.last = percent
        report(self.path, self.stage, percent)


def path_in(data_dir: Path) -> Path:
    return data_dir / FILE


def report(path: Path, stage: str, percent: int, now: float | None = None) -> None:
    """Record `stage` at `percent` (a failing disk only costs the message, never the build)."""
    body = json.dumps({"stage": stage, "percent": percent, "at": now or time.time()})
    partial = path.with_suffix(".tmp")
    try:
        partial.write_text(body, encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        pass


def done(path: Path) -> None:
    path.unlink(missing_ok=True)


def read(data_dir: Path, now: float | None = None) -> Building | None:
    """The build in progress, or None (none, finished, or stale)."""
    try:
        found = json.loads(path_in(data_dir).read_text(encoding="utf-8"))
        building = Building(str(found["stage"]), int(found["percent"]), float(found["at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if (now or time.time()) - building.at > STALE_S:
        return None
    return building


if TYPE_CHECKING:  # the stubs make tqdm generic; the class itself is not subscriptable
    _Tqdm = tqdm[Any]
else:
    _Tqdm = tqdm


class ReportingBar(_Tqdm):
    """The terminal's progress bar, which also tells `report` the fraction done (for the
    dashboard, while the daemon builds the shop)."""

    report: Callable[[float], None] = staticmethod(lambda _fraction: None)
    rows = 0

    def update(self, n: float | None = 1) -> bool | None:
        self.rows += int(n or 0)
        if self.total:
            self.report(min(1.0, self.rows / self.total))
        return super().update(n)
