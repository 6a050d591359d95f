"""Following an access log: parsing, appends, partial lines, rotation, malformed lines."""

from __future__ import annotations

import os
from pathlib import Path

from monitor.sources.access_log import AccessLog, parse_line
from tests.reference_shop import ACCESS_LOG, NOW, log_line

LINE = (
    '203.0.113.7 - - [25/Nov/2026:14:03:11 +0000] "GET /a.html HTTP/1.1" 200 5123 "-" '
    '"Mozilla/5.0 (X11)" 0.142'
)


def test_it_parses_a_combined_line_with_request_time() -> None:
    ip, request, is_bot = parse_line(LINE)  # type: ignore[misc]
    assert ip == "203.0.113.7"
    assert request.status == 200
    assert request.time_ms == 142.0
    assert not is_bot


def test_it_reads_apache_microseconds() -> None:
    parsed = parse_line(LINE.replace("0.142", "142000"), unit_to_ms=0.001)
    assert parsed is not None and parsed[1].time_ms == 142.0


def test_it_counts_malformed_lines_and_skips_them(access_log: Path) -> None:
    traffic = AccessLog(access_log).read(NOW.timestamp())
    assert traffic.malformed_lines == 1
    assert traffic.requests_last_minute == 2


def test_it_reads_only_what_was_appended(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_text(log_line("198.51.100.1", NOW, 200, 0.1))
    log = AccessLog(path)
    assert log.read(NOW.timestamp()).requests_last_minute == 1
    with open(path, "a") as handle:
        handle.write(log_line("198.51.100.2", NOW, 200, 0.1))
    assert log.read(NOW.timestamp()).requests_last_minute == 2
    assert log.read(NOW.timestamp()).requests_last_minute == 2  # nothing counted twice


def test_it_waits_for_the_end_of_a_half_written_line(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    line = log_line("198.51.100.1", NOW, 200, 0.1)
    path.write_text(line[:40])
    log = AccessLog(path)
    assert log.read(NOW.timestamp()).requests_last_minute == 0
    with open(path, "a") as handle:
        handle.write(line[40:])
    traffic = log.read(NOW.timestamp())
    assert traffic.requests_last_minute == 1
    assert traffic.malformed_lines == 0


def test_it_follows_a_rotated_log(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_text(ACCESS_LOG)
    log = AccessLog(path)
    log.read(NOW.timestamp())
    with open(path, "a") as handle:  # written after our last read, just before the rotation
        handle.write(log_line("198.51.100.66", NOW, 200, 0.1))
    os.rename(path, tmp_path / "access.log.1")
    path.write_text(log_line("198.51.100.77", NOW, 503, 0.4))
    traffic = log.read(NOW.timestamp())
    assert traffic.visitors_24h == 6  # four before, the one just before rotating, the new one
    assert traffic.requests_last_minute == 4


def test_it_forgets_visitors_older_than_a_day(access_log: Path) -> None:
    log = AccessLog(access_log)
    assert log.read(NOW.timestamp()).visitors_24h == 4
    assert log.read(NOW.timestamp() + 86400).visitors_24h == 0


def test_it_skips_a_line_longer_than_16_kib_as_malformed(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    # A request line with a 20 KiB URL would otherwise parse as a request.
    long = log_line("198.51.100.9", NOW, 200, 0.1).replace("GET /", "GET /" + "a" * 20_000, 1)
    assert parse_line(long) is not None
    path.write_text(
        log_line("198.51.100.1", NOW, 200, 0.1) + long + log_line("198.51.100.2", NOW, 200, 0.1)
    )
    traffic = AccessLog(path).read(NOW.timestamp())
    assert traffic.requests_last_minute == 2
    assert traffic.malformed_lines == 1


def test_it_judges_an_overlong_line_once_it_ends(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_text("x" * 40_000)
    log = AccessLog(path)
    assert log.read(NOW.timestamp()).malformed_lines == 0  # still being written
    with open(path, "a") as handle:
        handle.write("y" * 10_000 + "\n" + log_line("198.51.100.3", NOW, 200, 0.1))
    traffic = log.read(NOW.timestamp())
    assert (traffic.malformed_lines, traffic.requests_last_minute) == (1, 1)
    assert log.read(NOW.timestamp()).malformed_lines == 1  # counted once


def test_a_first_read_of_a_huge_log_starts_near_its_end(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    old = log_line("198.51.100.7", NOW, 200, 0.1)
    with open(path, "w") as handle:
        for _ in range(200):  # ~30 KB of history the first read must not go through
            handle.write(old)
        handle.write(log_line("198.51.100.8", NOW, 500, 0.2))
    log = AccessLog(path, max_initial_bytes=1024)
    traffic = log.read(NOW.timestamp())
    # The last KiB: a few whole lines, the line cut by the start skipped, nothing malformed.
    assert 1 <= traffic.requests_last_minute <= 1024 // len(old)
    assert traffic.malformed_lines == 0 and traffic.error_rate is not None
    assert traffic.error_rate == 100.0 / traffic.requests_last_minute
