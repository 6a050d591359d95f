"""Runs the demo inside the daemon: the shop on first start, its history, and its simulator."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, func, select

from monitor.collectors import COLLECTORS
from monitor.config import SOURCE_ENV, Settings, redact_url
from monitor.daemon import CollectorDaemon
from monitor.demo.backfill import backfill
from monitor.demo.progress import ENV, Reporter, done, path_in
from monitor.demo.shop import ORDER, is_demo_shop, tables_with_rows
from monitor.demo.simulator import ShopSimulator
from monitor.errors import VigieError

log = logging.getLogger("vigie.demo")
CATCH_UP_LIMIT = timedelta(days=7)


def ensure_shop(settings: Settings, stopping: Callable[[], bool] = lambda: False) -> bool:
    """Create the demo shop if it is not there yet; False if a stop was requested meanwhile.

    In a child process: building 700,000 rows would otherwise leave the long-running daemon with
    the memory it needed once. The URL goes through the environment, not the command line, where
    any local user could read a password."""
    url = settings.source_url
    if is_demo_shop(url):
        return True
    if tables_with_rows(url):
        raise VigieError(
            f"demo.enabled is on but {redact_url(url)} is not a Vigie demo shop: Vigie will not "
            "write simulated orders into it (turn demo.enabled off, or point source.url at a "
            "database made by `python -m monitor demo create`)"
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    log.info("creating the demo shop (first run, a few seconds)")
    command = [
        sys.executable,
        "-m",
        "monitor",
        "demo",
        "create",
        "--scale",
        str(settings.demo.scale),
    ]
    env = {**os.environ, SOURCE_ENV: settings.source_url, ENV: str(path_in(settings.data_dir))}
    with subprocess.Popen(command, env=env) as child:
        while child.poll() is None:
            if stopping():
                child.terminate()
                child.wait()
                return False
            time.sleep(0.2)
    if child.returncode != 0:
        raise VigieError(
            "the demo shop could not be created (see the lines above); "
            "delete the data folder and start again"
        )
    return True


def last_order(url: str) -> datetime | None:
    """When the shop's newest order was placed (aware UTC), or None for no orders."""
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


def reading_now(daemon: CollectorDaemon) -> dict[str, float]:
    """What every collector reads now (nothing written): where the backfilled history ends,
    so the first live samples carry on from it."""
    found: dict[str, float] = {}
    for name, collect in COLLECTORS.items():
        try:
            collection = collect(daemon.sources, daemon.clock())
        except Exception as exc:  # a history ending on its defaults beats no demo at all
            log.warning(
                "demo: could not read %s now (%s); its history ends on its usual", name, exc
            )
            continue
        found |= {s.name: s.value for s in collection.samples if not s.labels}
    return found


def start_demo(settings: Settings, daemon: CollectorDaemon) -> ShopSimulator | None:
    """Make sure the demo shop, its access log and 30 days of history exist, then register the
    simulator as the daemon's first job so every collection sees a living shop. None if a stop
    was requested while the shop was being built."""
    if not ensure_shop(settings, daemon.stop_request):
        return None
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
    building = path_in(settings.data_dir)
    if settings.demo.backfill_days and not daemon.store.has_samples():
        log.info("backfilling %d days of demo history", settings.demo.backfill_days)
        written = backfill(
            daemon.store, settings, daemon.clock(), stopping=daemon.stop_request,
            progress=Reporter(building, "history"), anchors=reading_now(daemon),
        )  # fmt: skip
        log.info("backfilled %d demo samples", written)
    done(building)

    def tick() -> None:
        log.debug("demo: %s", simulator.tick(daemon.clock()))

    daemon.add_task("demo", tick)
    return simulator
