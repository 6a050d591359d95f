"""Three daemons on one PostgreSQL store, for real: short intervals for about a minute,
the fleet's scheduler killed with SIGKILL and started again. The shop-wide work runs once per
interval whoever schedules it, each host keeps its own machine series, no job waits twice,
and the killed host raises host_down, resolved when it is back."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from tests.reference_shop import fill_reference_shop

ROOT = Path(__file__).resolve().parent.parent
HOSTS = ("web-1", "web-2", "web-3")
EVERY = {"performance": 3, "business": 3, "seo": 4, "database_health": 3, "maintenance": 6}
SHOP_WIDE = {
    "business": EVERY["business"],
    "seo": EVERY["seo"],
    "database_health": EVERY["database_health"],
    "cleanup": EVERY["maintenance"],
    "optimization": EVERY["maintenance"],
    "alerts_resolution": EVERY["maintenance"],
}
LEASE_S = 4


def _config(folder: Path, host: str, store: str, shop: str) -> Path:
    path = folder / f"{host}.toml"
    schedule = "\n".join(f"{k} = {v}" for k, v in EVERY.items())
    path.write_text(
        f'host = "{host}"\ndata_dir = "{folder / host}"\n'
        f'[source]\nurl = "{shop}"\n[store]\nurl = "{store}"\n'
        f"[schedule]\n{schedule}\n[jobs]\nscheduler_lease_s = {LEASE_S}\nstale_after_s = 10\n",
        encoding="utf-8",
    )
    return path


def _start(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "collector_daemon.py", "--config", str(config)],
            cwd=ROOT,
            stderr=out,
            stdout=out,
        )


def _until(what: Callable[[], object], timeout: float, why: str) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        assert time.monotonic() < deadline, why
        time.sleep(0.5)


def test_three_daemons_act_as_one_vigie_through_a_kill(pg_database: str, tmp_path: Path) -> None:
    shop = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    fill_reference_shop(shop)
    configs = {h: _config(tmp_path, h, pg_database, shop) for h in HOSTS}
    logs = {h: tmp_path / f"{h}.log" for h in HOSTS}
    procs = {h: _start(configs[h], logs[h]) for h in HOSTS}
    engine = create_engine(pg_database)

    def scalar(sql: str, **params: object) -> object:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def host_down(host: str) -> tuple[float, float | None] | None:
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT opened_at, resolved_at FROM alerts WHERE rule = 'host_down' "
                    "AND subject = :s ORDER BY id DESC LIMIT 1"
                ),
                {"s": f'fleet.hostUp{{host="{host}"}}'},
            ).first()
        return None if row is None else (row[0], row[1])

    def writing() -> object:  # the hosts that wrote (none before the store is made)
        return inspect(engine).has_table("hosts") and scalar("SELECT COUNT(*) FROM hosts")

    try:
        _until(
            lambda: (
                inspect(engine).has_table("hosts") and scalar("SELECT COUNT(*) FROM hosts") == 3
            ),
            60,
            "the three daemons did not all write",
        )
        started = time.time()
        time.sleep(12)
        holder = str(scalar("SELECT holder FROM leases WHERE name = 'shop-scheduler'"))
        killed = holder.split(":")[0]
        assert killed in HOSTS and int(holder.split(":")[1]) == procs[killed].pid
        procs[killed].send_signal(signal.SIGKILL)
        procs[killed].wait(10)
        killed_at = time.time()
        _until(lambda: host_down(killed), 45, f"no host_down for {killed}")
        opened, _ = host_down(killed)  # type: ignore[misc]
        # Quiet for two of its intervals, seen by the scheduler that took over the lease.
        assert opened - killed_at <= 2 * EVERY["performance"] + LEASE_S + 10
        procs[killed] = _start(configs[killed], logs[killed])
        back_at = time.time()
        _until(lambda: (host_down(killed) or (0, None))[1], 30, f"host_down of {killed} stays")
        time.sleep(8)
        ended = time.time()
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            proc.wait(30)

    with engine.connect() as conn:
        jobs = conn.execute(
            text(
                "SELECT type, requested_by, worker, state, created_at, started_at FROM jobs "
                "ORDER BY created_at"
            )
        ).all()
        series = {
            host: [
                ts
                for (ts,) in conn.execute(
                    text(
                        "SELECT x.hour + u.s FROM samples x CROSS JOIN LATERAL unnest(x.secs) "
                        "AS u(s) JOIN series s ON s.id = x.series_id "
                        "WHERE s.name = 'performance.cpuUsage' AND s.labels = :l ORDER BY 1"
                    ),
                    {"l": f'{{"host":"{host}"}}'},
                )
            ]
            for host in HOSTS
        }
        unlabelled = conn.execute(
            text("SELECT COUNT(*) FROM series WHERE name LIKE 'performance.%' AND labels = ''")
        ).scalar()
        others_down = conn.execute(
            text("SELECT subject FROM alerts WHERE rule = 'host_down' AND subject NOT LIKE :k"),
            {"k": f'%"{killed}"%'},
        ).all()
    engine.dispose()

    # Shop-wide work: queued once per interval by whoever holds the lease (one extra at most
    # around the kill), and never a second run queued while one waits.
    for job_type, interval in SHOP_WIDE.items():
        runs = [j for j in jobs if j.type == job_type and j.requested_by == "schedule"]
        assert len(runs) >= (ended - started) / interval * 0.6, (job_type, len(runs))
        close = [b for a, b in pairwise(runs) if b.created_at - a.created_at < interval / 2]
        assert len(close) <= 1, (job_type, [(r.created_at, r.worker) for r in runs])
        for a, b in pairwise(runs):
            assert a.started_at is not None and a.started_at <= b.created_at, (job_type, a, b)
    # Each host's machine series is its own, at its own pace; nothing is left without a host.
    assert unlabelled == 0
    for host in HOSTS:
        stamps = series[host]
        assert len(stamps) >= (ended - started) / EVERY["performance"] * 0.5, host
        doubled = [b - a for a, b in pairwise(stamps) if b - a < EVERY["performance"] / 2]
        assert len(doubled) <= 2, (host, doubled)  # an emergency run may add one
        mine = [j for j in jobs if j.requested_by == f"schedule@{host}" and j.worker]
        assert mine and all(j.worker.startswith(f"{host}:") for j in mine), host
    # The killed host's machine series has its gap, and only it.
    gap = [b - a for a, b in pairwise(series[killed])]
    assert max(gap) >= back_at - killed_at - EVERY["performance"]
    assert others_down == []
    for host in HOSTS:
        assert "Traceback" not in logs[host].read_text(encoding="utf-8"), host
