"""The collector daemon: runs every job, survives failures, keeps samples, stops on SIGTERM."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.daemon import CollectorDaemon, RunResult
from tests.reference_shop import EXPECTED, EXPECTED_COUNTS, NOW, fill_reference_shop

ROOT = Path(__file__).resolve().parent.parent


def _config(tmp_path: Path, source_url: str, extra: str = "") -> Path:
    path = tmp_path / "vigie.toml"
    path.write_text(
        f'data_dir = "{tmp_path}"\n[source]\nurl = "{source_url}"\n'
        f'[store]\nurl = "sqlite:///{tmp_path / "history.sqlite"}"\n'
        f'[access_log]\npath = "{tmp_path / "access.log"}"\n{extra}',
        encoding="utf-8",
    )
    return path


def _run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def _read_until(proc: subprocess.Popen[str], text: str, timeout: float) -> str:
    """stderr up to the first line holding `text`; fails (not hangs) after `timeout`."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line) for line in proc.stderr],  # type: ignore[union-attr]
        daemon=True,
    ).start()
    seen, deadline = "", time.monotonic() + timeout
    while text not in seen:
        try:
            seen += lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            proc.kill()
            pytest.fail(f"{text!r} not seen in {timeout} s; stderr so far: {seen}")
    return seen


def test_it_runs_every_collector_once_and_exits_zero(tmp_path: Path, access_log: Path) -> None:
    shop = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    fill_reference_shop(shop)
    config = _config(tmp_path, shop)
    done = _run("collector_daemon.py", "--config", str(config), "--once")
    assert done.returncode == 0, done.stderr
    for job in ("performance", "business", "seo", "database_health", "maintenance"):
        assert f" {job}: " in done.stderr
    latest = _run("-m", "monitor", "--config", str(config), "latest", "--json")
    assert latest.returncode == 0, latest.stderr
    values = json.loads(latest.stdout)
    assert values["business.totalUsers"]["value"] == EXPECTED["business.totalUsers"]
    assert values["seo.sitemapHealth"]["value"] == EXPECTED["seo.sitemapHealth"]
    assert values["database.___xtr_order.recordCount"]["value"] == EXPECTED_COUNTS["___xtr_order"]
    assert values["performance.cpuUsage"]["ts"].endswith("Z")
    assert "performance.memoryUsage" in values


def test_it_stops_at_startup_with_one_line_on_a_wrong_setting(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[schedule]\nseo = -5\n")
    done = _run("collector_daemon.py", "--config", str(config), "--once")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "schedule.seo = -5" in done.stderr
    assert "Traceback" not in done.stderr


def test_it_keeps_running_when_the_database_is_unreachable(tmp_path: Path) -> None:
    url = "postgresql+psycopg://vigie:t0psecret@127.0.0.1:1/shop"
    config = _config(tmp_path, url)
    done = _run("collector_daemon.py", "--config", str(config), "--once")
    assert done.returncode == 0
    assert "t0psecret" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    assert "business.totalUsers failed" in done.stderr
    assert " performance: " in done.stderr  # the machine's metrics still landed


def test_it_stops_cleanly_on_sigterm(tmp_path: Path, access_log: Path) -> None:
    shop = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    fill_reference_shop(shop)
    config = _config(tmp_path, shop)
    proc = subprocess.Popen(
        [sys.executable, "collector_daemon.py", "--config", str(config)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = _read_until(proc, "maintenance:", timeout=30)  # the first round of jobs is done
    proc.send_signal(signal.SIGTERM)
    rest = proc.communicate(timeout=10)[1]
    assert proc.returncode == 0
    assert "stopped between runs" in rest
    assert "Traceback" not in seen + rest


def test_it_survives_a_collector_that_raises(settings_for, tmp_path: Path) -> None:
    daemon = CollectorDaemon(
        settings_for(f"sqlite:///{tmp_path / 'none.sqlite'}"), clock=lambda: NOW
    )

    def broken() -> RunResult:
        raise RuntimeError("bug in a collector")

    daemon.add_job("broken", broken, first=True)
    results = daemon.run_once()
    assert results[0].error == "bug in a collector"
    assert {r.job for r in results} >= {"performance", "maintenance"}
    daemon.close()


def test_it_keeps_samples_while_the_store_is_down_and_writes_them_later(
    settings_for, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instants = iter([NOW, NOW + timedelta(minutes=2)])
    daemon = CollectorDaemon(
        settings_for(f"sqlite:///{tmp_path / 'none.sqlite'}"), clock=lambda: next(instants)
    )
    real_write = daemon.store.write

    def down(_samples: object, **_kw: object) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(daemon.store, "write", down)
    first = daemon.collect("performance")
    assert first.error == "store unavailable"
    assert daemon.store.count_samples() == 0
    monkeypatch.setattr(daemon.store, "write", real_write)
    second = daemon.collect("performance")
    assert second.error is None
    assert daemon.store.count_samples() == first.samples + second.samples
    cpu = daemon.store.series("performance.cpuUsage", NOW.timestamp() - 1, NOW.timestamp() + 600)
    assert [p.ts for p in cpu] == [int(NOW.timestamp()), int(NOW.timestamp()) + 120]
    daemon.close()


def test_it_fills_a_postgresql_store_from_a_postgresql_shop(
    pg_database: str, tmp_path: Path, pg_server: str
) -> None:
    fill_reference_shop(pg_database)
    from tests.conftest import make_database

    with make_database(pg_server) as store_url:
        env = {"MONITOR_SOURCE_DB": pg_database, "MONITOR_STORE": store_url, "MONITOR_CONFIG": ""}
        done = _run("collector_daemon.py", "--once", env=env)
        assert done.returncode == 0, done.stderr
        latest = json.loads(_run("-m", "monitor", "latest", "--json", env=env).stdout)
        # The daemon collects at the real time: only figures that do not depend on it.
        assert latest["business.totalUsers"]["value"] == EXPECTED["business.totalUsers"]
        assert latest["seo.optimizedPages"]["value"] == EXPECTED["seo.optimizedPages"]
        assert latest["database.connections"]["value"] >= 1


def test_it_waits_for_an_unreachable_store_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {
        "MONITOR_STORE": "postgresql+psycopg://vigie:st0re-pw@127.0.0.1:1/vigie",
        "MONITOR_CONFIG": "",
    }
    config = _config(tmp_path, f"sqlite:///{tmp_path / 'shop.sqlite'}")
    proc = subprocess.Popen(
        [sys.executable, "collector_daemon.py", "--config", str(config)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    first = proc.stderr.readline()  # type: ignore[union-attr]
    proc.send_signal(signal.SIGTERM)
    rest = proc.communicate(timeout=10)[1]
    assert proc.returncode == 0
    assert "cannot open the history store" in first and "retrying" in first
    assert "st0re-pw" not in first + rest


def test_it_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys, collector_daemon, monitor.demo.live, monitor.daemon; "
        "print(sorted(m for m in ('pandas', 'sklearn', 'streamlit', 'numpy') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
