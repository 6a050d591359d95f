"""Runs the demo inside the daemon: the shop on first start, its history, and its simulator."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, func, select

from monitor.config import Settings
from monitor.daemon import CollectorDaemon, RunResult
from monitor.demo.backfill import backfill
from monitor.demo.shop import ORDER, shop_exists
from monitor.demo.simulator import ShopSimulator
from monitor.errors import VigieError

log = logging.getLogger("vigie.demo")
CATCH_UP_LIMIT = timedelta(days=7)


def ensure_shop(settings: Settings) -> None:
    """Create the demo shop if it is not there yet.

    In a child process: building 700,000 rows would otherwise leave the long-running daemon with
    the memory it needed once."""
    if shop_exists(settings.source_url):
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    log.info("creating the demo shop (first run, a few seconds)")
    command = [
        sys.executable,
        "-m",
        "monitor",
        "demo",
        "create",
        "--url",
        settings.source_url,
        "--scale",
        str(settings.demo.scale),
    ]
    if subprocess.run(command, check=False).returncode != 0:
        raise VigieError(
            "the demo shop could not be created (see the lines above); "
            "delete the data folder and start again"
        )


def last_order(url: str) -> datetime | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            value = conn.execute(select(func.max(ORDER.c.ord_date))).scalar()
    finally:
        engine.dispose()
    return value.replace(tzinfo=UTC) if value is not None else None


def catch_up(
    simulator: ShopSimulator, last: datetime | None, now: datetime, *, fill_log: bool
) -> None:
    """Bring a shop that slept (daemon stopped) up to now, an hour per step, a week at most, so
    orders24h is right from the first collection; a new access log gets the day before too."""
    resume = max(last or now, now - CATCH_UP_LIMIT)
    if fill_log and resume > now - timedelta(hours=24):
        log.info("writing the last 24 h of demo web traffic")
        simulator.fill_traffic(now - timedelta(hours=24), resume)
    simulator.resume_at(resume)
    if now - resume > timedelta(minutes=5):
        log.info("catching the demo shop up from %s", resume.isoformat(timespec="minutes"))
    step = resume
    while step < now:
        step = min(step + timedelta(hours=1), now)
        simulator.tick(step)


def start_demo(settings: Settings, daemon: CollectorDaemon) -> ShopSimulator:
    """Make sure the demo shop, its access log and 30 days of history exist, then register the
    simulator as the daemon's first job so every collection sees a living shop."""
    ensure_shop(settings)
    log_path = settings.access_log_path
    if log_path is None:
        raise VigieError("the demo needs an access log: set access_log.path or leave it empty")
    # The collector's connections are read-only; the simulator writes through its own engine.
    simulator = ShopSimulator(
        create_engine(settings.source_url), log_path, scale=settings.demo.scale
    )
    catch_up(
        simulator, last_order(settings.source_url), daemon.clock(), fill_log=not log_path.exists()
    )
    now = daemon.clock()
    if settings.demo.backfill_days and daemon.store.count_samples() == 0:
        log.info("backfilling %d days of demo history", settings.demo.backfill_days)
        written = backfill(daemon.store, settings, now)
        log.info("backfilled %d demo samples", written)

    def tick() -> RunResult:
        start = time.perf_counter()
        summary = simulator.tick(daemon.clock())
        log.debug("demo: %s", summary)
        return RunResult("demo", 0, 0, time.perf_counter() - start)

    daemon.add_job("demo", tick, first=True)
    return simulator
