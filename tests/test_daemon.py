"""The collector daemon: runs every job, survives failures, keeps samples, stops on SIGTERM."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import Settings
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


class StderrReader:
    """Reads a child's stderr in a thread, so a test can wait for a line without hanging."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: queue.Queue[str] = queue.Queue()
        self.text = ""
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.thread.start()

    def _pump(self) -> None:
        for line in self.proc.stderr:  # type: ignore[union-attr]
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.text:
            try:
                self.text += self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.proc.kill()
                pytest.fail(f"{text!r} not seen in {timeout} s; stderr so far: {self.text}")

    def rest(self, timeout: float) -> str:
        """Everything else, once the child has exited."""
        self.proc.wait(timeout)
        self.thread.join(timeout)
        start = len(self.text)
        while not self.lines.empty():
            self.text += self.lines.get()
        return self.text[start:]


def _running_daemon(tmp_path: Path) -> tuple[subprocess.Popen[str], StderrReader]:
    """A daemon on the reference shop, past its first round of jobs."""
    shop = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    fill_reference_shop(shop)
    proc = subprocess.Popen(
        [sys.executable, "collector_daemon.py", "--config", str(_config(tmp_path, shop))],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    stderr = StderrReader(proc)
    stderr.wait_for("optimization:", timeout=30)
    return proc, stderr


def test_it_runs_every_collector_once_and_exits_zero(tmp_path: Path, access_log: Path) -> None:
    shop = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    fill_reference_shop(shop)
    config = _config(tmp_path, shop)
    config.write_text('host = "web-1"\n' + config.read_text(encoding="utf-8"), encoding="utf-8")
    done = _run("collector_daemon.py", "--config", str(config), "--once")
    assert done.returncode == 0, done.stderr
    for job in ("performance", "business", "seo", "database_health", "cleanup", "optimization"):
        assert f" {job}: " in done.stderr
    latest = _run("-m", "monitor", "--config", str(config), "latest", "--json")
    assert latest.returncode == 0, latest.stderr
    values = json.loads(latest.stdout)
    assert values["business.totalUsers"]["value"] == EXPECTED["business.totalUsers"]
    assert values["seo.sitemapHealth"]["value"] == EXPECTED["seo.sitemapHealth"]
    assert values["database.___xtr_order.recordCount"]["value"] == EXPECTED_COUNTS["___xtr_order"]
    # A machine's figures carry their host; the shop's do not.
    assert "performance.cpuUsage" not in values
    assert values['performance.cpuUsage{host="web-1"}']["ts"].endswith("Z")
    assert 'performance.memoryUsage{host="web-1"}' in values


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
    # One cause, one line per collection, with a count of what it affected.
    unreachable = [line for line in done.stderr.splitlines() if "cannot reach" in line]
    for collector in ("business", "seo"):
        assert len([u for u in unreachable if f" {collector}: " in u]) == 1, unreachable
    assert any("business: business.totalUsers and " in line for line in unreachable)
    assert " performance: " in done.stderr  # the machine's metrics still landed


def test_it_does_not_retry_a_run_whose_database_was_unreachable(
    settings_for, tmp_path: Path
) -> None:
    daemon = CollectorDaemon(settings_for("postgresql+psycopg://v@127.0.0.1:1/shop"))
    job_id = daemon.request("business")
    assert job_id is not None
    [result] = daemon.work()
    assert result.error is None and not result.succeeded and not result.retry
    job = daemon.queue.get(job_id)
    assert job is not None and (job.state, job.attempts) == ("failed", 1)
    daemon.close()


def test_it_stops_cleanly_on_sigterm(tmp_path: Path, access_log: Path) -> None:
    proc, stderr = _running_daemon(tmp_path)  # the first round of jobs is done
    seen = stderr.text
    proc.send_signal(signal.SIGTERM)
    rest = stderr.rest(timeout=10)
    assert proc.returncode == 0
    assert "stopped between runs" in rest
    assert "Traceback" not in seen + rest


def test_it_survives_a_collector_that_raises(settings_for, tmp_path: Path) -> None:
    daemon = CollectorDaemon(
        settings_for(f"sqlite:///{tmp_path / 'none.sqlite'}"), clock=lambda: NOW
    )

    def broken() -> RunResult:
        raise RuntimeError("bug in a collector")

    daemon.handlers["seo"] = broken
    results = {r.job: r for r in daemon.run_once()}
    assert results["seo"].error == "bug in a collector"
    assert results["performance"].succeeded and results["cleanup"].succeeded
    failed = {job.type: job.error for job in daemon.queue.recent(state="failed")}
    assert failed["seo"] == "bug in a collector"
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


class SteppedClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_it_retries_a_failing_collection_after_the_backoff(settings_for, tmp_path: Path) -> None:
    clock = SteppedClock()
    daemon = CollectorDaemon(settings_for(f"sqlite:///{tmp_path / 'none.sqlite'}"), clock=clock)
    outcomes = iter([RuntimeError("first"), RuntimeError("second"), None])

    def flaky() -> RunResult:
        error = next(outcomes)
        if error:
            raise error
        return RunResult("business", 5, 0, 0.0)

    daemon.handlers["business"] = flaky
    job_id = daemon.request("business")
    assert job_id is not None
    assert [r.error for r in daemon.work()] == ["first"]
    clock.advance(1.9)
    assert daemon.work() == []  # the 2 s backoff has not passed
    clock.advance(0.1)
    assert [r.error for r in daemon.work()] == ["second"]
    clock.advance(4)
    assert [r.error for r in daemon.work()] == [None]
    job = daemon.queue.get(job_id)
    assert job is not None and (job.state, job.attempts) == ("completed", 3)
    daemon.close()


def test_it_leaves_other_hosts_scheduled_runs_to_them(settings_for, tmp_path: Path) -> None:
    daemon = CollectorDaemon(
        settings_for(f"sqlite:///{tmp_path / 'none.sqlite'}"), clock=lambda: NOW
    )
    theirs = daemon.request("performance", requested_by="schedule@another-host")
    assert theirs is not None
    asked = daemon.request("cleanup", requested_by="ops:alice")
    assert asked is not None
    ran = daemon.work()
    assert [r.job for r in ran] == ["cleanup"]
    assert daemon.queue.get(theirs).state == "waiting"  # type: ignore[union-attr]
    assert daemon.queue.get(asked).requested_by == "ops:alice"  # type: ignore[union-attr]
    daemon.close()


def test_a_running_daemon_picks_up_a_request_within_seconds(
    tmp_path: Path, access_log: Path
) -> None:
    from monitor.jobs import JobQueue
    from monitor.store import HistoryStore

    proc, stderr = _running_daemon(tmp_path)
    store = HistoryStore(f"sqlite:///{tmp_path / 'history.sqlite'}")
    queue_ = JobQueue(store)
    asked_at = time.monotonic()
    job_id = queue_.enqueue("cleanup", now=time.time(), requested_by="ops:alice")
    assert job_id is not None
    while (job := queue_.get(job_id)) is not None and job.state != "completed":
        assert time.monotonic() - asked_at < 10, stderr.text
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    stderr.rest(timeout=10)
    assert job is not None and job.requested_by == "ops:alice"
    assert json.loads(job.result or "{}")["samples"] == 0
    assert [e.event for e in queue_.events(job_id)] == [
        "started",
        "progress",
        "progress",
        "completed",
    ]
    store.close()


def test_a_critical_alert_triggers_an_emergency_collection(settings_for, tmp_path: Path) -> None:
    url = "postgresql+psycopg://vigie@127.0.0.1:1/shop"  # nothing listens there
    daemon = CollectorDaemon(
        settings_for(url, source={"url": url, "connect_timeout_s": 1}), clock=lambda: NOW
    )
    daemon.request("database_health")
    daemon.work()
    [alert] = daemon.alerts.active()
    assert (alert.rule, alert.severity) == ("database_down", "critical")
    runs = [j for j in daemon.queue.recent() if j.type == "database_health"]
    assert len(runs) == 2  # the scheduled run, then one emergency run (not a loop of them)
    emergency = [j for j in runs if j.requested_by.startswith("emergency:")]
    assert len(emergency) == 1 and emergency[0].priority == 10
    assert emergency[0].state == "completed"
    daemon.close()


def test_every_maintenance_run_is_audited(settings_for, tmp_path: Path) -> None:
    from monitor.audit import entries

    daemon = CollectorDaemon(
        settings_for(f"sqlite:///{tmp_path / 'none.sqlite'}"), clock=lambda: NOW
    )
    daemon.run_once()
    daemon.request("cleanup", requested_by="ops:alice")
    daemon.work()
    lines = entries(daemon.store)
    assert {e.action for e in lines} >= {"cleanup", "optimization", "alerts_resolution"}
    assert (lines[0].actor, lines[0].action, lines[0].outcome) == (
        "ops:alice",
        "cleanup",
        "completed",
    )
    assert '"samples"' in (lines[0].detail or "")
    daemon.close()


def test_a_clean_stop_says_how_many_samples_it_could_not_save(
    settings_for, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from sqlalchemy.exc import OperationalError

    daemon = CollectorDaemon(settings_for(f"sqlite:///{tmp_path / 'none.sqlite'}"))

    def full(_samples: object, **_kw: object) -> int:
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(daemon.store, "write", full)
    result = daemon.collect("performance")
    assert result.error == "store unavailable" and daemon.writer.unsaved == result.samples
    with caplog.at_level("WARNING"):
        daemon.close()
    assert f"stopping with {result.samples} buffered samples" in caplog.text
    assert "database or disk is full" in caplog.text


def test_a_fleet_schedules_the_shop_wide_work_once(pg_database: str, tmp_path: Path) -> None:
    """Two daemons on one PostgreSQL store: each queues its own machine's collection, one of
    them (the lease holder) the shop's; a holder that dies is taken over once its lease ends,
    one that stops cleanly at once."""
    from collections import Counter

    from monitor.jobs import WAITING, JobQueue

    shop = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    fill_reference_shop(shop)
    clock = [datetime(2026, 12, 1, 12, 0, tzinfo=UTC)]

    def daemon(host: str) -> CollectorDaemon:
        settings = Settings.model_validate(
            {"data_dir": str(tmp_path / host), "host": host, "source": {"url": shop},
             "store": {"url": pg_database}}
        )  # fmt: skip
        return CollectorDaemon(settings, clock=lambda: clock[0])

    web1, web2 = daemon("web-1"), daemon("web-2")
    try:
        web1.request_all()
        web2.request_all()
        waiting = JobQueue(web1.store).recent(limit=100, state=WAITING)
        queued = Counter((j.type, j.requested_by) for j in waiting)
        assert queued == Counter(
            {("performance", "schedule@web-1"): 1, ("performance", "schedule@web-2"): 1,
             ("business", "schedule"): 1, ("seo", "schedule"): 1,
             ("database_health", "schedule"): 1, ("cleanup", "schedule"): 1,
             ("optimization", "schedule"): 1, ("alerts_resolution", "schedule"): 1}
        )  # fmt: skip
        assert [
            web1.steward.lease.hold(clock[0].timestamp()),
            web2.steward.lease.hold(clock[0].timestamp()),
        ] == [
            True,
            False,
        ]
        # web-1 dies (it stops renewing): web-2 takes over once the lease has run out.
        clock[0] += timedelta(seconds=Settings().jobs.scheduler_lease_s - 1)
        assert not web2.steward.lease.hold(clock[0].timestamp())
        clock[0] += timedelta(seconds=2)
        assert web2.steward.lease.hold(clock[0].timestamp())
        assert not web1.steward.lease.hold(clock[0].timestamp())
        # A clean stop hands it over at once.
        web2.close()
        assert web1.steward.lease.hold(clock[0].timestamp())
    finally:
        web1.close()
        with contextlib.suppress(Exception):
            web2.close()
