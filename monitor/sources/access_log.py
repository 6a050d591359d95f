"""Follows a web server access log (combined format + request time) and keeps recent traffic."""

from __future__ import annotations

import os
import re
import statistics
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, NamedTuple

# nginx: log_format ... '"$http_user_agent" $request_time'  /  Apache: ... \"%{User-Agent}i\" %D
_LINE = re.compile(
    r'^(?P<ip>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<request>[^"]*)" (?P<status>\d{3}) \S+ '
    r'"(?P<referer>[^"]*)" "(?P<agent>[^"]*)" (?P<rt>\d+(?:\.\d+)?)\s*$'
)
_TIME_FORMAT = "%d/%b/%Y:%H:%M:%S %z"
_BOTS = re.compile(r"bot|crawl|spider|slurp|monitor", re.IGNORECASE)
_UNIT_TO_MS = {"s": 1000.0, "ms": 1.0, "us": 0.001}
DAY = 86400
# A longer line is no request a web server logged but garbage or an attack: counted as
# malformed and skipped, never held in memory whole.
MAX_LINE_BYTES = 16 * 1024


class Request(NamedTuple):
    ts: float
    status: int
    time_ms: float


@dataclass(frozen=True)
class Traffic:
    """What the access log says about the last window and the last 24 hours."""

    median_response_ms: float | None
    requests_last_minute: int
    error_rate: float | None  # % of 5xx in the window
    visitors_24h: int
    malformed_lines: int


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None


def parse_line(line: str, unit_to_ms: float = 1000.0) -> tuple[str, Request, bool] | None:
    """(ip, request, is_bot) from one log line, or None if the line is not in the format."""
    match = _LINE.match(line)
    if match is None:
        return None
    try:
        ts = datetime.strptime(match["time"], _TIME_FORMAT).timestamp()
    except ValueError:
        return None
    request = Request(ts, int(match["status"]), float(match["rt"]) * unit_to_ms)
    return match["ip"], request, bool(_BOTS.search(match["agent"]))


class AccessLog:
    """Reads what was appended since the last call, surviving rotation and truncation.

    Holds the requests of the last `window_seconds` and the last time each visitor (non-bot IP)
    was seen within 24 h, nothing more, so memory follows the traffic, not the file size.
    """

    def __init__(
        self,
        path: Path,
        *,
        unit: str = "s",
        window_seconds: int = 120,
        max_initial_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self.path = path
        self.unit_to_ms = _UNIT_TO_MS[unit]
        self.window_seconds = max(window_seconds, 60)
        self.max_initial_bytes = max_initial_bytes
        self._inode: int | None = None
        self._offset = 0
        self._recent: deque[Request] = deque()
        self._visitors: dict[str, float] = {}
        self.malformed_lines = 0

    def read(self, now: float) -> Traffic:
        """Take in new lines and summarise traffic as of `now` (epoch seconds).

        Raises FileNotFoundError if the log does not exist."""
        self._ingest(self._new_lines(), now)
        self._forget_before(now)
        window = [r for r in self._recent if now - self.window_seconds < r.ts <= now]
        last_minute = sum(1 for r in window if r.ts > now - 60)
        errors = sum(1 for r in window if r.status >= 500)
        return Traffic(
            median_response_ms=statistics.median(r.time_ms for r in window) if window else None,
            requests_last_minute=last_minute,
            error_rate=100.0 * errors / len(window) if window else None,
            visitors_24h=sum(1 for seen in self._visitors.values() if seen > now - DAY),
            malformed_lines=self.malformed_lines,
        )

    def _new_lines(self) -> Iterator[str]:
        """The complete lines appended since the last read, streamed: memory does not grow
        with the size of the file."""
        stat = os.stat(self.path)
        skip_first = False
        if self._inode != stat.st_ino or stat.st_size < self._offset:
            rotated = self.path.with_name(self.path.name + ".1")
            if self._inode is not None and _inode(rotated) == self._inode:
                # logrotate renamed our file: finish what was written to it before the rename.
                yield from self._lines_from(rotated, self._offset, skip_first=False)
            # First read, rotated or truncated: start over, but not from the top of a huge file.
            self._inode = stat.st_ino
            self._offset = max(0, stat.st_size - self.max_initial_bytes)
            skip_first = self._offset > 0
        yield from self._lines_from(self.path, self._offset, skip_first=skip_first)

    def _lines_from(self, path: Path, offset: int, *, skip_first: bool) -> Iterator[str]:
        with open(path, "rb") as handle:
            handle.seek(offset)
            if skip_first:  # we landed mid-line
                offset += _skip_line(handle) or 0
            while raw := handle.readline(MAX_LINE_BYTES + 1):
                if len(raw) > MAX_LINE_BYTES:
                    rest = _skip_line(handle)
                    if rest is None:
                        break  # an overlong line still being written: judged once it ends
                    offset += len(raw) + rest
                    self._offset = offset
                    self.malformed_lines += 1
                    continue
                if not raw.endswith(b"\n"):
                    break  # an unfinished last line waits for the rest
                offset += len(raw)
                self._offset = offset
                yield raw.decode("utf-8", errors="replace")
        self._offset = offset

    def _ingest(self, lines: Iterable[str], now: float) -> None:
        oldest = now - self.window_seconds
        for line in lines:
            if not line.strip():
                continue
            parsed = parse_line(line, self.unit_to_ms)
            if parsed is None:
                self.malformed_lines += 1
                continue
            ip, request, is_bot = parsed
            if request.ts > oldest:
                self._recent.append(request)
            if not is_bot and request.ts > self._visitors.get(ip, 0.0):
                self._visitors[ip] = request.ts

    def _forget_before(self, now: float) -> None:
        while self._recent and self._recent[0].ts <= now - self.window_seconds:
            self._recent.popleft()
        self._visitors = {ip: ts for ip, ts in self._visitors.items() if ts > now - DAY}


def _skip_line(handle: BinaryIO) -> int | None:
    """Read past the end of the current line in bounded steps; the bytes skipped, or None if
    the file ends before the line does."""
    skipped = 0
    while chunk := handle.readline(MAX_LINE_BYTES):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            return skipped
    return None
