"""Faults: a monitored PostgreSQL that stops and comes back, and a daemon killed with -9.

The PostgreSQL here is a cluster of the test's own (initdb + pg_ctl on a spare port), never the
machine's shared server.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.daemon import CollectorDaemon
from monitor.jobs import JobQueue
from monitor.store import HistoryStore
from tests.reference_shop import fill_reference_shop

ROOT = Path(__file__).resolve().parent.parent


def _pg_bin(tool: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"))
    if not found:
        pytest.fail(f"PostgreSQL's {tool} is required (Debian package postgresql)")
    return found[-1]


def _as_postgres(*command: str) -> subprocess.CompletedProcess[str]:
    # initdb and pg_ctl refuse to run as root.
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, *command], capture_output=True, text=True, timeout=60, check=True
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SpareCluster:
    """A throwaway PostgreSQL the test can stop and start."""

    def __init__(self, data: Path, port: int) -> None:
        self.data, self.port = data, port

    def start(self) -> None:
        _as_postgres(
            _pg_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-w",
            "-l",
            str(self.data / "server.log"),
            "-o",
            f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1",
            "start",
        )

    def stop(self) -> None:
        _as_postgres(_pg_bin("pg_ctl"), "-D", str(self.data), "-w", "-m", "fast", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture(scope="module")
def spare_cluster() -> Iterator[SpareCluster]:
    data = Path(tempfile.mkdtemp(prefix="vigie-pg-"))
    shutil.chown(data, "postgres") if os.geteuid() == 0 else None
    _as_postgres(_pg_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync")
    cluster = SpareCluster(data, _free_port())
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            cluster.stop()
        shutil.rmtree(data, ignore_errors=True)


def test_a_database_outage_opens_a_critical_alert_and_its_return_resolves_it(
    spare_cluster: SpareCluster, settings_for
) -> None:
    url = spare_cluster.url()
    fill_reference_shop(url)
    daemon = CollectorDaemon(settings_for(url, source={"url": url, "connect_timeout_s": 2}))

    def health_run() -> None:
        daemon.request("database_health")
        daemon.work()

    health_run()
    assert daemon.alerts.active() == []
    spare_cluster.stop()
    try:
        health_run()  # the first run after the outage: within one interval
        [alert] = daemon.alerts.active()
        assert (alert.rule, alert.severity, alert.state) == ("database_down", "critical", "open")
    finally:
        spare_cluster.start()
    health_run()  # the pooled connections were dead: the pool reconnects by itself
    assert daemon.alerts.active() == []
    [episode] = daemon.alerts.history()
    assert episode.state == "resolved"
    latest = daemon.store.latest()
    assert latest["database.up"].value == 1
    assert latest["database.___xtr_order.recordCount"].value == 8
    daemon.close()


def _active_jobs(store_path: Path, pid: int | None = None) -> list[int]:
    try:
        with sqlite3.connect(store_path) as db:
            rows = db.execute("SELECT id, worker FROM jobs WHERE state = 'active'").fetchall()
    except sqlite3.OperationalError:  # the daemon has not created its tables yet
        return []
    return [job_id for job_id, worker in rows if pid is None or worker.endswith(f":{pid}")]


def test_kill_9_never_corrupts_the_store_and_loses_at_most_the_job_in_flight(
    tmp_path: Path,
) -> None:
    shop = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    fill_reference_shop(shop)
    store_path = tmp_path / "history.sqlite"
    config = tmp_path / "vigie.toml"
    # A business metric that takes a moment, and every job every second: the kill lands in the
    # middle of a job, between its claim and its completion.
    slow = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500000) "
        "SELECT COUNT(*) FROM n"
    )
    config.write_text(
        f'data_dir = "{tmp_path}"\n[source]\nurl = "{shop}"\n'
        f'[store]\nurl = "sqlite:///{store_path}"\n'
        "[schedule]\nperformance = 1\nbusiness = 1\nseo = 1\ndatabase_health = 1\n"
        f'maintenance = 2\n[metrics]\n"business.slow" = "{slow}"\n',
        encoding="utf-8",
    )
    killed_mid_job: list[int] = []
    for _ in range(5):
        proc = subprocess.Popen(
            [sys.executable, "collector_daemon.py", "--config", str(config)],
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while not (store_path.exists() and _active_jobs(store_path, proc.pid)):
            assert time.monotonic() < deadline, "the daemon never started a job"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        in_flight = _active_jobs(store_path, proc.pid)
        assert len(in_flight) <= 1  # at most the job that was running
        killed_mid_job += in_flight
        with sqlite3.connect(store_path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert killed_mid_job, "no kill landed during a job: the test proved nothing"
    # A later daemon takes the orphans back once they are stale, and runs them.
    store = HistoryStore(f"sqlite:///{store_path}")
    queue = JobQueue(store)
    assert queue.requeue_stale(now=time.time(), timeout_s=0) == len(killed_mid_job)
    done = subprocess.run(
        [sys.executable, "collector_daemon.py", "--config", str(config), "--once"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert _active_jobs(store_path) == []
    for job_id in killed_mid_job:
        job = queue.get(job_id)
        assert job is not None and job.state in ("completed", "failed"), job
        assert "requeued" in [e.event for e in queue.events(job_id)]
    store.close()
