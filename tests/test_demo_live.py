"""The demo inside the daemon: built on first start, backfilled, caught up, never on a real shop."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from monitor.alerts import AlertBook
from monitor.alerts.past import forget_past
from monitor.collectors import COLLECTORS
from monitor.config import Settings
from monitor.daemon import CollectorDaemon
from monitor.demo.backfill import history
from monitor.demo.incidents import DEMO_RESOLUTION, within
from monitor.demo.live import catch_up, last_order, start_demo
from monitor.demo.shop import ORDER, create_shop
from monitor.demo.simulator import ShopSimulator
from monitor.errors import VigieError
from monitor.fleet import for_host
from monitor.sources.machine import Machine
from tests.reference_shop import NOW, fill_reference_shop
from tests.test_daemon import StderrReader

ROOT = Path(__file__).resolve().parent.parent


def _demo_settings(tmp_path: Path, **demo: object) -> Settings:
    return Settings.model_validate(
        {"data_dir": str(tmp_path), "demo": {"scale": 0.01, "backfill_days": 2, **demo}}
    )


def test_it_builds_the_shop_log_and_history_on_first_start(tmp_path: Path) -> None:
    settings = _demo_settings(tmp_path)
    daemon = CollectorDaemon(settings)
    start_demo(settings, daemon)
    assert (tmp_path / "demo_shop.sqlite").exists()
    assert (tmp_path / "access.log").stat().st_size > 100_000  # a day of traffic
    assert list(daemon.tasks) == ["demo"]  # the shop moves before every round of jobs
    # This machine's figures, under their names without the host (one host: as before).
    latest = for_host(daemon.store.latest_series(), settings.host_name)
    assert f'performance.cpuUsage{{host="{settings.host_name}"}}' in daemon.store.latest()
    assert latest["business.orders24h"].demo  # backfilled samples are marked
    now = daemon.clock().timestamp()
    history = daemon.store.series("performance.cpuUsage", now - 2 * 86400, now)
    assert len(history) > 40  # two days, read from the hourly rollup
    results = {r.job: r for r in daemon.run_once()}
    assert all(r.failures == 0 for r in results.values()), results
    fresh = for_host(daemon.store.latest_series(), settings.host_name)
    assert not fresh["business.orders24h"].demo  # a real collection now
    # This machine's live figures carry on from the backfilled ones (no step to flag).
    assert latest["performance.diskUsage"].demo and not fresh["performance.diskUsage"].demo
    assert fresh["performance.diskUsage"].value == pytest.approx(
        latest["performance.diskUsage"].value, abs=1.0
    )
    assert fresh["performance.uptime"].value == pytest.approx(
        latest["performance.uptime"].value, abs=600
    )
    assert fresh["performance.memoryPercent"].value == pytest.approx(
        latest["performance.memoryPercent"].value, rel=0.25
    )
    assert fresh["business.visitors24h"].value > 20  # ~8,000 a day at scale 1, ~80 at 0.01
    daemon.close()


def test_the_backfilled_history_joins_the_live_readings(tmp_path: Path) -> None:
    """No cliff where the demo's history meets the first live collection: the history ends
    where the collectors read the shop and the machine now."""
    settings = _demo_settings(tmp_path)
    daemon = CollectorDaemon(settings)
    start_demo(settings, daemon)
    mine = settings.host_name
    last = {n: s.value for n, s in for_host(daemon.store.latest_series(), mine).items() if s.demo}
    ran = {r.job: r.failures for r in daemon.run_once()}
    assert set(COLLECTORS) <= set(ran) and not any(ran.values()), ran
    fresh = {
        n: s.value for n, s in for_host(daemon.store.latest_series(), mine).items() if not s.demo
    }
    now = time.time()
    recent = {
        name: sorted(p.value for p in daemon.store.series(name, now - 4 * 3600, now))
        for name in ("performance.responseTime", "database.responseTime")
    }
    daemon.close()
    steady = [
        n for n in fresh if n.endswith((".sizeBytes", ".recordCount")) or n.startswith("seo.")
    ]
    assert len(steady) == 3 + 2 * len(settings.source.critical_tables)
    for name in steady:  # sizes as the database measures them, optimised pages, sitemap
        assert fresh[name] == pytest.approx(last[name], rel=0.02, abs=0.5), name
    assert fresh["business.visitors24h"] == pytest.approx(last["business.visitors24h"], rel=0.1)
    # Noisy figures: the same level (the median of the history's last hours, give or take 2×).
    # At a hundredth of the shop the access log's window may hold no request at all, and then
    # there is no live response time to compare; the database's is always read.
    assert "database.responseTime" in fresh
    for name, values in recent.items():
        if name not in fresh:
            continue
        usual = values[len(values) // 2]
        # Millisecond answers on a two-core machine running the tests two at a time vary by
        # more than 2x: a few milliseconds either way is no cliff (seen: 2.2 ms against a
        # usual 0.4 ms; a wrong anchor would be tens of milliseconds off, or hundreds).
        assert usual / 2 <= fresh[name] <= usual * 2 or abs(fresh[name] - usual) < 3, name


def test_the_demo_history_holds_its_past_incidents_and_their_alerts(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "demo": {"scale": 0.01, "backfill_days": 9},
            # Fewer samples for a quick test; the incidents last 30 to 60 minutes.
            "schedule": {"performance": 300, "business": 900, "seo": 3600,
                         "database_health": 3600},
        }
    )  # fmt: skip
    daemon = CollectorDaemon(settings)
    start_demo(settings, daemon)
    now = daemon.clock().timestamp()
    history = AlertBook(daemon.store, settings.alerts.effective()).history()
    assert AlertBook(daemon.store, settings.alerts.effective()).active() == []
    slow = [(a.rule, a.peak_severity, a.state) for a in history]
    # 8 days ago a slow night (2.4 s: critical), yesterday a slow morning (750 ms: warning).
    assert slow == [
        ("slow_responses", "warning", "resolved"),
        ("slow_responses", "critical", "resolved"),
    ]
    for alert, incident in zip(history, reversed(within(now, 9)), strict=True):
        start, end = incident.span(now)
        # Resolved after the incident, once the readings clear: within an hour, as the level
        # they return to follows the live reading the history is anchored on (CI: 25 min).
        assert start < alert.opened_at < end < (alert.resolved_at or 0) <= end + 3600
    # The chart shows them: the hour of the slow night is far above its neighbours.
    night = within(now, 9)[0].span(now)
    hours = daemon.store.series(
        "performance.responseTime", night[0] - 6 * 3600, night[1] + 6 * 3600
    )
    worst = max(hours, key=lambda p: p.max)
    assert night[0] - 3600 <= worst.ts <= night[1] and worst.max > 2000
    # A real shop taking the store over drops the demo's past alerts with its history.
    assert forget_past(daemon.store, DEMO_RESOLUTION) == 2
    assert AlertBook(daemon.store, []).history() == []
    daemon.close()


def test_it_does_not_backfill_a_store_that_has_history(tmp_path: Path) -> None:
    settings = _demo_settings(tmp_path)
    first = CollectorDaemon(settings)
    start_demo(settings, first)
    count = first.store.count_samples()
    first.close()
    second = CollectorDaemon(settings)
    start_demo(settings, second)
    assert second.store.count_samples() == count
    second.close()


def test_it_refuses_to_simulate_on_a_shop_it_did_not_make(tmp_path: Path) -> None:
    shop = f"sqlite:///{tmp_path / 'real_shop.sqlite'}"
    fill_reference_shop(shop)
    settings = Settings.model_validate(
        {"data_dir": str(tmp_path), "source": {"url": shop}, "demo": {"enabled": True}}
    )
    daemon = CollectorDaemon(settings)
    with pytest.raises(VigieError, match="not a Vigie demo shop"):
        start_demo(settings, daemon)
    daemon.close()
    engine = create_engine(shop)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ORDER)).scalar() == 8
    engine.dispose()


def test_it_catches_up_a_shop_that_slept(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    create_shop(url, scale=0.01, now=NOW - timedelta(hours=5), progress=False)
    asleep = last_order(url)
    assert asleep is not None and asleep <= NOW - timedelta(hours=5)
    simulator = ShopSimulator(create_engine(url), tmp_path / "access.log", seed=1)
    catch_up(simulator, asleep, NOW, fill_log=True)
    awake = last_order(url)
    assert awake is not None and awake > NOW - timedelta(minutes=30)
    assert (tmp_path / "access.log").exists()


def test_the_daemon_honours_sigterm_while_building_the_shop(tmp_path: Path) -> None:
    config = tmp_path / "vigie.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n')
    proc = subprocess.Popen(
        [sys.executable, "collector_daemon.py", "--config", str(config)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    reader = StderrReader(proc)
    reader.wait_for("creating the demo shop", timeout=60)  # the build has begun
    proc.send_signal(signal.SIGTERM)
    start = time.monotonic()
    reader.rest(timeout=30)
    assert proc.returncode == 0, reader.text
    assert time.monotonic() - start < 5
    assert "Traceback" not in reader.text
    assert "backfilled" not in reader.text
    assert not (tmp_path / "access.log").exists()  # stopped before the shop was finished


class _JustBooted(Machine):
    """A host booted two days ago, its disk nearly full: what a 30-day backfill must respect."""

    def disk_percent(self, path: Path) -> float:
        return 99.5

    def uptime_seconds(self) -> float:
        return 2 * 86400


def test_the_backfilled_machine_stays_within_what_it_can_read(tmp_path: Path) -> None:
    settings = _demo_settings(tmp_path, backfill_days=30)
    create_shop(settings.source_url, scale=0.01, now=NOW, progress=False)
    samples = history(settings, NOW, days=30, machine=_JustBooted())
    seen: dict[str, list[float]] = {}
    for sample in samples:
        seen.setdefault(sample.name, []).append(sample.value)
    uptime = seen["performance.uptime"]
    assert min(uptime) >= 0 and uptime[-1] == pytest.approx(2 * 86400, abs=300)
    assert max(uptime) <= 21 * 86400  # rebooted every three weeks before this boot
    for share in ("performance.diskUsage", "performance.cpuUsage", "performance.memoryPercent"):
        assert min(seen[share]) >= 0 and max(seen[share]) <= 100, share
    assert seen["performance.diskUsage"][-1] == pytest.approx(99.5, abs=0.01)


def test_the_backfill_follows_the_scale_for_traffic(tmp_path: Path) -> None:
    create_shop(f"sqlite:///{tmp_path / 'demo_shop.sqlite'}", scale=0.01, progress=False)
    found: dict[float, float] = {}
    for scale in (0.01, 1.0):
        settings = _demo_settings(tmp_path, scale=scale)
        visitors = [s.value for s in history(settings, NOW, 1) if s.name == "business.visitors24h"]
        found[scale] = sum(visitors) / len(visitors)
    assert found[1.0] == pytest.approx(8000, rel=0.05)
    assert found[0.01] == pytest.approx(80, rel=0.1)


def test_a_real_shop_drops_the_demo_history_on_first_start(tmp_path: Path) -> None:
    from collector_daemon import _keep_demo_apart

    settings = _demo_settings(tmp_path)
    daemon = CollectorDaemon(settings)
    _keep_demo_apart(settings, daemon.store)
    start_demo(settings, daemon)
    daemon.run_once()
    assert daemon.store.count_samples() > 1000
    daemon.close()
    shop = tmp_path / "real.sqlite"
    fill_reference_shop(f"sqlite:///{shop}")
    real = Settings.model_validate(
        {"data_dir": str(tmp_path), "source": {"url": f"sqlite:///{shop}"}}
    )
    assert real.store_url == settings.store_url and not real.demo_enabled
    daemon = CollectorDaemon(real)
    _keep_demo_apart(real, daemon.store)
    assert daemon.store.count_samples() == 0
    daemon.run_once()
    assert not any(v.demo for v in daemon.store.latest().values())
    assert daemon.store.latest()["business.totalUsers"].value == 5  # the real shop's figure
    daemon.close()


def test_the_first_start_reports_its_progress_and_clears_it_when_done(tmp_path: Path) -> None:
    from monitor.demo import progress
    from monitor.demo.backfill import backfill
    from monitor.demo.shop import create_shop

    settings = _demo_settings(tmp_path)
    shop: list[float] = []
    create_shop(settings.source_url, scale=0.01, progress=False, report=shop.append)
    assert shop == sorted(shop) and shop[-1] > 0.9  # rows written out of those planned
    history: list[float] = []
    daemon = CollectorDaemon(settings)
    backfill(daemon.store, settings, daemon.clock(), progress=history.append)
    assert history == sorted(history) and history[-1] == 1.0 and len(history) > 3
    progress.report(progress.path_in(tmp_path), "history", 50)
    start_demo(settings, daemon)  # the shop and history exist: it only finishes
    assert progress.read(tmp_path) is None and not progress.path_in(tmp_path).exists()
    daemon.close()
