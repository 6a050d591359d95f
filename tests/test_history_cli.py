"""`python -m monitor history import|export`: samples in and out as CSV, every line checked, a
refused line said with its reason and costing no other, the round trip exact (SQLite and
PostgreSQL stores)."""

from __future__ import annotations

import csv
import io
import socket
from pathlib import Path

import pytest

from monitor.store import HistoryStore
from tests.test_cli import _monitor, _one_line_error

GOOD = [
    ("business.orders24h", "", "2026-11-30T10:00:00Z", "120"),
    ("business.orders24h", "", "2026-11-30T10:10:00Z", "121.5"),
    ("performance.probe.up", '{"probe": "home"}', "2026-11-30T11:00:00+01:00", "1"),
    ("performance.probe.up", '{"probe": "api"}', "2026-11-30T10:00:00", "0"),  # naive: UTC
]
BAD = [
    ("bad name", "", "2026-11-30T10:00:00Z", "1"),
    ("business.orders24h", "", "yesterday", "1"),
    ("business.orders24h", "", "2026-11-30T12:00:00Z", "many"),
    ("business.orders24h", "[1]", "2026-11-30T12:00:00Z", "3"),
    ("business.orders24h", "", "2099-01-01T00:00:00Z", "3"),
    ("business.orders24h", "", "2026-11-30T12:00:00Z", "nan"),
]


def _csv(rows: list[tuple[str, str, str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["metric", "labels", "ts", "value"])
    writer.writerows(rows)
    return out.getvalue()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.sqlite'}"
    return str(request.getfixturevalue("pg_database"))


def test_it_takes_the_good_lines_and_says_why_it_refused_the_others(
    tmp_path: Path, store_url: str
) -> None:
    source = tmp_path / "old-monitor.csv"
    source.write_text(_csv(GOOD[:2] + BAD + GOOD[2:]), encoding="utf-8")
    done = _monitor("history", "import", str(source), MONITOR_STORE=store_url)
    assert done.returncode == 1, done  # some refused, the rest taken
    lines = done.stdout.splitlines()
    assert lines[0] == "took 4 samples of 3 series, 2026-11-30T10:00:00Z to 2026-11-30T10:10:00Z"
    assert lines[1:7] == [
        "refused line 4: metric 'bad name' is not a metric name (area.name, as in the API)",
        "refused line 5: ts 'yesterday' is not an ISO 8601 time",
        "refused line 6: value 'many' is not a number",
        'refused line 7: labels must be a JSON object of texts, as {"probe": "home"}',
        "refused line 8: ts 2099-01-01T00:00:00Z is in the future",
        "refused line 9: value 'nan' is not a finite number",
    ]
    store = HistoryStore(store_url)
    try:
        orders = store.series("business.orders24h", 1_795_000_000, 1_800_000_000, raw=True)
        assert [(p.ts, p.value) for p in orders] == [(1_796_032_800, 120), (1_796_033_400, 121.5)]
        # Rolled up: the hour reads from the hourly table too.
        [hour] = store.series("business.orders24h", 1_795_000_000, 1_800_000_000, raw=False)
        assert (hour.min, hour.max) == (120, 121.5)
        home = store.series("performance.probe.up", 0, 1_800_000_000, (("probe", "home"),))
        assert [p.ts for p in home] == [1_796_032_800]  # 11:00+01:00 is 10:00Z
    finally:
        store.close()


def test_what_it_exports_imports_back_the_same(tmp_path: Path, store_url: str) -> None:
    source = tmp_path / "in.csv"
    source.write_text(_csv(GOOD), encoding="utf-8")
    assert _monitor("history", "import", str(source), MONITOR_STORE=store_url).returncode == 0
    out = tmp_path / "out.csv"
    done = _monitor(
        "history", "export", "--metric", "performance.probe.up", "--from",
        "2026-11-30T00:00:00Z", "--to", "2026-12-01T00:00:00Z", "--out", str(out),
        MONITOR_STORE=store_url,
    )  # fmt: skip
    assert done.returncode == 0, done
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    # A machine's figure imported without a host is this machine's, as if collected here.
    host = socket.gethostname()
    assert rows == [
        ["metric", "labels", "ts", "value"],
        ["performance.probe.up", f'{{"host":"{host}","probe":"api"}}', "2026-11-30T10:00:00Z", "0"],
        [
            "performance.probe.up",
            f'{{"host":"{host}","probe":"home"}}',
            "2026-11-30T10:00:00Z",
            "1",
        ],
    ]
    again = f"sqlite:///{tmp_path / 'again.sqlite'}"
    assert _monitor("history", "import", str(out), MONITOR_STORE=again).returncode == 0
    second = tmp_path / "second.csv"
    _monitor(
        "history", "export", "--metric", "performance.probe.up", "--from",
        "2026-11-30T00:00:00Z", "--to", "2026-12-01T00:00:00Z", "--out", str(second),
        MONITOR_STORE=again,
    )  # fmt: skip
    assert second.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_mistakes_get_one_line(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'history.sqlite'}"
    missing = _one_line_error(_monitor("history", "import", str(tmp_path / "no.csv")))
    assert "cannot read" in missing and "No such file" in missing
    headless = tmp_path / "headless.csv"
    headless.write_text("a,b\n1,2\n", encoding="utf-8")
    said = _one_line_error(_monitor("history", "import", str(headless), MONITOR_STORE=store))
    assert "must name the columns metric, labels, ts, value (missing: metric, ts, value)" in said
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"metric,labels,ts,value\n\xff\xfe\x00")
    assert "not a UTF-8 CSV" in _one_line_error(
        _monitor("history", "import", str(binary), MONITOR_STORE=store)
    )
    assert "no series of 'nope.x'" in _one_line_error(
        _monitor("history", "export", "--metric", "nope.x", MONITOR_STORE=store)
    )
    assert "--from and --to take ISO 8601" in _one_line_error(
        _monitor("history", "export", "--metric", "x.y", "--from", "monday", MONITOR_STORE=store)
    )
