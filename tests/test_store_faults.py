"""A store that cannot be written or is corrupt: said in words, nothing lost that fits the buffer.

The full disk and the read-only folder are real: a small tmpfs mounted for the test (the tests
run as root here, as in CI), filled up or remounted read-only.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from monitor import health
from monitor.config import Settings
from monitor.daemon.buffer import StoreWriter
from monitor.samples import Collection, Sample
from monitor.sources.database import SourceDatabase
from monitor.sources.machine import Machine
from monitor.store import HistoryStore
from tests.reference_shop import fill_reference_shop
from tests.test_api import _serve
from tests.test_daemon import StderrReader

ROOT = Path(__file__).resolve().parent.parent
T0 = 1_790_000_000
# How long the full-disk episode lasts; VIGIE_FULL_DISK_S=60 for the figure.
EPISODE_S = float(os.environ.get("VIGIE_FULL_DISK_S", "6"))


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs of the test's own."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.fail(f"these tests mount a tmpfs and need root: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> Path:
    """Write a file until the disk refuses one more byte."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        block = b"\0" * 65536
        while True:
            try:
                os.write(fd, block)
            except OSError:
                if len(block) == 1:
                    break
                block = block[: len(block) // 2]
    finally:
        os.close(fd)
    return filler


def _config(tmp_path: Path, store: Path) -> Path:
    shop = tmp_path / "shop.sqlite"
    fill_reference_shop(f"sqlite:///{shop}")
    config = tmp_path / "vigie.toml"
    config.write_text(
        f'data_dir = "{tmp_path}"\n[source]\nurl = "sqlite:///{shop}"\n'
        f'[store]\nurl = "sqlite:///{store}"\n'
        "[schedule]\nperformance = 2\nbusiness = 3600\nseo = 3600\n"
        "database_health = 3600\nmaintenance = 3600\n",
        encoding="utf-8",
    )
    return config


def test_a_full_disk_is_a_critical_state_and_loses_no_sample(
    small_disk: Path, tmp_path: Path
) -> None:
    store_path = small_disk / "history.sqlite"
    config = _config(tmp_path, store_path)
    proc = subprocess.Popen(
        [sys.executable, "collector_daemon.py", "--config", str(config)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "MONITOR_CONFIG": ""},
    )
    stderr = StderrReader(proc)
    try:
        stderr.wait_for("performance: ", timeout=60)
        filler = _fill(small_disk)
        stderr.wait_for("store_unwritable: the disk holding", timeout=30)
        settings = Settings.model_validate(
            {"data_dir": str(tmp_path), "store": {"url": f"sqlite:///{store_path}"}}
        )
        store = HistoryStore(settings.store_url, create=False)
        database = SourceDatabase(f"sqlite:///{tmp_path / 'shop.sqlite'}")
        state = health.quick(database, store, settings, now=time.time(), machine=Machine())
        store.close()
        database.close()
        assert state.status == health.UNHEALTHY
        assert f"store: store_unwritable: the disk holding {store_path} is full" in state.reasons
        time.sleep(EPISODE_S)
        filler.unlink()
        stderr.wait_for("history store writable again", timeout=30)
        proc.send_signal(signal.SIGTERM)
        stderr.rest(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    said = stderr.text
    assert proc.returncode == 0 and "Traceback" not in said
    # While the disk was full collection went on, into memory, without the job queue.
    assert "kept in memory until the store is back" in said
    assert len(re.findall(r"store_unwritable", said)) <= 2 + EPISODE_S / 60  # said, not shouted
    collected = sum(int(n) for n in re.findall(r" \w+: (\d+) samples, ", said))
    stored = HistoryStore(f"sqlite:///{store_path}", create=False)
    kept = stored.count_samples()
    stored.close()
    print(f"full disk for {EPISODE_S:.0f} s: {collected} samples collected, {kept} stored")
    assert kept == collected, f"{collected - kept} samples lost"


def test_a_read_only_folder_is_named_and_the_buffer_waits(small_disk: Path) -> None:
    url = f"sqlite:///{small_disk / 'history.sqlite'}"
    store = HistoryStore(url)
    writer = StoreWriter(store)
    store.engine.dispose()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        assert health.store_unwritable(url) == (
            f"the folder holding {small_disk / 'history.sqlite'} is read-only"
        )
        batch = Collection(T0, [Sample("a.b", float(i), T0 + i) for i in range(5)])
        assert not writer.offer("test", batch)
        assert writer.unsaved == 5 and writer.problem is not None
        assert "read-only" in writer.problem
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert writer.flush() and writer.unsaved == 0
    assert store.count_samples() == 5
    store.close()


def _corrupt(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(100)  # past SQLite's header: the schema page and all after it are garbage
        handle.write(b"\xa5" * (size - 100))


@pytest.fixture
def corrupt_store(tmp_path: Path) -> Path:
    path = tmp_path / "history.sqlite"
    store = HistoryStore(f"sqlite:///{path}")
    store.write([Sample("a.b", 1.0, T0)])
    store.optimize()  # the WAL folded in: the file alone is the store
    store.close()
    _corrupt(path)
    return path


def _run(*args: str, tmp_path: Path, store: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "MONITOR_CONFIG": "",
            "MONITOR_STORE": f"sqlite:///{store}",
            "MONITOR_SOURCE_DB": f"sqlite:///{tmp_path / 'shop.sqlite'}",
        },
    )


def test_latest_and_the_daemon_name_a_corrupt_store_in_one_line(
    corrupt_store: Path, tmp_path: Path
) -> None:
    fill_reference_shop(f"sqlite:///{tmp_path / 'shop.sqlite'}")
    for args in (("-m", "monitor", "latest"), ("collector_daemon.py", "--once")):
        done = _run(*args, tmp_path=tmp_path, store=corrupt_store)
        assert done.returncode == 2, done
        assert "Traceback" not in done.stderr
        [line] = [x for x in done.stderr.splitlines() if x.startswith("vigie: ")]
        assert f"the history store {corrupt_store} is corrupt" in line
        assert ".dump" in line and "start a new store" in line


def test_the_daemon_stops_when_its_store_turns_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    store = HistoryStore(f"sqlite:///{path}")
    store.write([Sample("a.b", 1.0, T0)])
    store.optimize()
    writer = StoreWriter(store)
    store.engine.dispose()
    _corrupt(path)
    assert not writer.offer("test", Collection(T0 + 1, [Sample("a.b", 2.0, T0 + 1)]))
    assert writer.corrupt is not None and "is corrupt" in str(writer.corrupt)
    assert not writer.flush()  # no retrying a corrupt store


def test_the_api_says_the_store_is_corrupt_and_unhealthy(
    corrupt_store: Path, tmp_path: Path
) -> None:
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "source": {"url": f"sqlite:///{tmp_path / 'shop.sqlite'}"},
            "store": {"url": f"sqlite:///{corrupt_store}"},
        }
    )
    fill_reference_shop(settings.source_url)
    for client in _serve(settings):
        quick = client.get("/api/system/health/quick")
        metrics = client.get("/api/system/metrics")
    assert quick.status_code == 503
    data = quick.json()["data"]
    assert data["status"] == "unhealthy"
    assert any("history store corrupt" in reason for reason in data["reasons"]), data
    assert metrics.status_code == 503
    assert "is corrupt" in metrics.json()["error"] and ".dump" in metrics.json()["error"]


def _overview(tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    config = tmp_path / "dashboard.toml"
    config.write_text(
        f'data_dir = "{tmp_path}"\n[source]\nurl = "sqlite:///{tmp_path / "shop.sqlite"}"\n'
        f'[store]\nurl = "{store_url}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    monkeypatch.delenv("MONITOR_STORE", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    app.switch_page("pages/overview.py").run()
    st.cache_data.clear()
    st.cache_resource.clear()
    return app


def test_the_overview_shows_a_full_disk_in_words(
    small_disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_reference_shop(f"sqlite:///{tmp_path / 'shop.sqlite'}")
    url = f"sqlite:///{small_disk / 'history.sqlite'}"
    store = HistoryStore(url)  # held open, as the running daemon holds it
    store.write([Sample(health.FRESHNESS_METRIC, 5.0, time.time())])
    _fill(small_disk)
    captions = [c.value for c in _overview(tmp_path, url, monkeypatch).caption]
    store.close()
    expected = f"store: store_unwritable: the disk holding {small_disk / 'history.sqlite'} is full"
    assert expected in captions, captions


def test_a_read_only_store_folder_is_named_where_the_store_cannot_be_read(
    small_disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_reference_shop(f"sqlite:///{tmp_path / 'shop.sqlite'}")
    url = f"sqlite:///{small_disk / 'history.sqlite'}"
    store = HistoryStore(url)
    store.write([Sample(health.FRESHNESS_METRIC, 5.0, time.time())])
    store.close()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    warnings = [w.value for w in _overview(tmp_path, url, monkeypatch).warning]
    assert any("store_unwritable" in w and "is read-only" in w for w in warnings), warnings
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "source": {"url": f"sqlite:///{tmp_path / 'shop.sqlite'}"},
            "store": {"url": url},
        }
    )
    for client in _serve(settings):
        quick = client.get("/api/system/health/quick").json()["data"]
    folder = f"the folder holding {small_disk / 'history.sqlite'} is read-only"
    assert f"store: store_unwritable: {folder}" in quick["reasons"], quick


def test_the_buffer_keeps_the_newest_samples_up_to_its_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    store = HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}")
    writer = StoreWriter(store, capacity=100)
    real_write = store.write

    def full(_samples: object, **_kw: object) -> int:
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(store, "write", full)
    for batch in range(3):
        samples = [Sample("a.b", float(batch * 60 + i), T0 + batch * 60 + i) for i in range(60)]
        assert not writer.offer("test", Collection(T0, samples))
    assert writer.unsaved == 100 and writer.dropped == 80
    monkeypatch.setattr(store, "write", real_write)
    assert writer.flush()
    kept = store.series("a.b", T0, T0 + 3600)
    assert [p.value for p in kept] == [float(v) for v in range(80, 180)]  # the newest 100
    store.close()
