"""Several hosts, one store: each machine's figures under its host, the hosts' freshness,
`host_down`, the upgrade of figures written before hosts, and the fleet in the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from monitor import health
from monitor.alerts import AlertBook, open_alerts
from monitor.config import DEFAULT_ALERT_RULES, Settings
from monitor.daemon import CollectorDaemon
from monitor.fleet import Fleet, for_host, on_host
from monitor.jobs import JobQueue
from monitor.metrics import shipped
from monitor.samples import Sample
from monitor.store import HistoryStore
from tests.reference_shop import fill_reference_shop
from tests.test_api import _serve

T0 = 1_780_000_000
CPU = "performance.cpuUsage"


def _on(host: str) -> tuple[tuple[str, str], ...]:
    return (("host", host),)


def test_a_read_without_a_host_gets_the_only_host_then_the_stores_own(store: HistoryStore) -> None:
    store.write([Sample(CPU, 10.0, T0, _on("web-1")), Sample("business.orders24h", 5, T0)])
    # One host: every reader written before figures carried their host reads as before.
    assert [p.value for p in store.series(CPU, T0 - 1, T0 + 1)] == [10.0]
    assert store.recent_values(CPU, 1) == [10.0]
    store.write([Sample(CPU, 20.0, T0, _on("web-2"))])
    assert [p.value for p in store.series(CPU, T0 - 1, T0 + 1)] == [10.0]  # the first by name
    store.host = "web-2"
    assert [p.value for p in store.series(CPU, T0 - 1, T0 + 1)] == [20.0]  # this machine's
    assert store.newest_ts(CPU, _on("web-1")) == T0
    assert store.series(CPU, T0 - 1, T0 + 1, _on("web-3")) == []
    latest = store.latest()
    assert {'performance.cpuUsage{host="web-1"}', 'performance.cpuUsage{host="web-2"}'} <= set(
        latest
    )
    one = for_host(store.latest_series(), "web-1")
    assert one[CPU].value == 10.0 and one["business.orders24h"].value == 5
    assert not any("host=" in key for key in one)


def test_hosts_record_their_writes_and_a_quiet_one_is_down(store: HistoryStore) -> None:
    fleet = Fleet(store)
    fleet.beat("web-1", interval_s=60, now=T0)
    fleet.beat("web-2", interval_s=300, now=T0)
    fleet.beat("web-1", interval_s=60, now=T0 + 100)
    fleet.beat("web-1", interval_s=60, now=T0 + 50)  # a late, older write never goes back
    found = {h.name: h for h in fleet.hosts()}
    assert (found["web-1"].first_seen, found["web-1"].last_write) == (T0, T0 + 100)
    # Two of its own intervals: 120 s for web-1, 600 s for web-2.
    states = {s.labels: s.value for s in fleet.states(T0 + 221).samples}
    assert states == {_on("web-1"): 0.0, _on("web-2"): 1.0}
    assert fleet.forget("web-2") and not fleet.forget("web-2")
    assert fleet.names() == ["web-1"]


def test_figures_written_before_hosts_become_the_first_daemons(store: HistoryStore) -> None:
    store.write(
        [
            *(Sample(CPU, 97.0, T0 - 60 * n) for n in range(5)),
            Sample("performance.probe.up", 1, T0, (("probe", "home"),)),
            Sample("business.orders24h", 5, T0),
        ]
    )
    book = AlertBook(store, DEFAULT_ALERT_RULES)
    book.evaluate({(CPU, ())}, now=T0)
    assert [a.subject for a in book.active()] == [CPU]
    moved = Fleet(store).adopt("web-1", shipped().per_host)
    assert len(moved) == 2
    assert book.relabel(moved) == 1
    assert [(a.subject, a.labels) for a in book.active()] == [
        ('performance.cpuUsage{host="web-1"}', '{"host":"web-1"}')
    ]
    keys = set(store.latest())
    assert keys == {
        'performance.cpuUsage{host="web-1"}',
        'performance.probe.up{host="web-1",probe="home"}',
        "business.orders24h",
    }
    assert Fleet(store).adopt("web-2", shipped().per_host) == []  # once only
    # The next sample of the same host continues the same series (and its open alert).
    store.write([Sample(CPU, 98.0, T0 + 60, _on("web-1"))])
    assert [p.value for p in store.series(CPU, T0 - 1, T0 + 61, _on("web-1"))] == [97.0, 98.0]
    assert store.recent_values(CPU, 6, _on("web-1")) == [98.0, *[97.0] * 5]


class Clock:
    def __init__(self) -> None:
        self.now = datetime.fromtimestamp(T0, UTC)

    def __call__(self) -> datetime:
        return self.now


def _daemon(url: str, folder: Path, host: str, clock: Clock) -> CollectorDaemon:
    shop = folder / "shop.sqlite"
    if not shop.exists():
        fill_reference_shop(f"sqlite:///{shop}")
    settings = Settings.model_validate(
        {
            "host": host,
            "data_dir": str(folder),
            "source": {"url": f"sqlite:///{shop}"},
            "store": {"url": url},
            "schedule": {"performance": 60},
        }
    )
    return CollectorDaemon(settings, clock=clock)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.sqlite'}"
    return str(request.getfixturevalue("pg_database"))


def test_two_daemons_keep_their_own_machine_series_and_a_quiet_one_raises_host_down(
    store_url: str, tmp_path: Path
) -> None:
    clock = Clock()
    one = _daemon(store_url, tmp_path, "web-1", clock)
    two = _daemon(store_url, tmp_path, "web-2", clock)
    two.sources.machine.cpu_percent = lambda: 42.0  # type: ignore[method-assign]
    one.sources.machine.cpu_percent = lambda: 7.0  # type: ignore[method-assign]
    try:
        for daemon in (one, two):
            assert daemon.collect("performance").failures == 0
        store = one.store
        assert [p.value for p in store.series(CPU, T0 - 1, T0 + 1, _on("web-1"))] == [7.0]
        assert [p.value for p in store.series(CPU, T0 - 1, T0 + 1, _on("web-2"))] == [42.0]
        assert Fleet(store).names() == ["web-1", "web-2"]
        # web-2 goes quiet for more than two of its 60 s intervals; web-1 keeps writing.
        clock.now += timedelta(seconds=150)
        one.collect("performance")
        assert one.steward.hold()
        one.steward.watch_hosts()
        down = [a for a in open_alerts(store) if a.rule == "host_down"]
        assert [(a.subject, a.severity) for a in down] == [
            ('fleet.hostUp{host="web-2"}', "critical")
        ]
        assert shipped().about(down[0].metric, down[0].subject) == "Host writing (web-2)"
        quick = health.check_freshness(store, one.settings, clock.now.timestamp())
        assert quick.status == health.DEGRADED
        assert quick.reason == "no collection from web-2 for 150 s (expected every 60 s)"
        assert quick.details["host"] == "web-2"
        # It comes back: the alert resolves at the scheduler's next look.
        clock.now += timedelta(seconds=30)
        two.collect("performance")
        one.steward.watch_hosts()
        assert not [a for a in open_alerts(store) if a.rule == "host_down"]
        fresh = health.check_freshness(store, one.settings, clock.now.timestamp())
        assert fresh.status == health.HEALTHY
        assert {h["host"] for h in fresh.details["hosts"]} == {"web-1", "web-2"}
    finally:
        one.close()
        two.close()


@pytest.fixture
def fleet_api(tmp_path: Path) -> Iterator[tuple[httpx.Client, HistoryStore]]:
    clock = Clock()
    url = f"sqlite:///{tmp_path / 'history.sqlite'}"
    one = _daemon(url, tmp_path, "web-1", clock)
    two = _daemon(url, tmp_path, "web-2", clock)
    one.sources.machine.cpu_percent = lambda: 7.0  # type: ignore[method-assign]
    two.sources.machine.cpu_percent = lambda: 42.0  # type: ignore[method-assign]
    now = datetime.now(UTC)
    clock.now = now - timedelta(seconds=600)
    two.collect("performance")  # web-2 last wrote ten minutes ago
    clock.now = now
    one.collect("performance")
    one.request("business")
    one.request("performance")
    two.request("performance")
    one.work()
    two.close()
    one.close()
    for client in _serve(one.settings):
        yield client, HistoryStore(url, create=False)


def test_the_api_lists_the_hosts_and_the_jobs_of_each(
    fleet_api: tuple[httpx.Client, HistoryStore],
) -> None:
    client, store = fleet_api
    hosts = client.get("/api/system/hosts").json()["data"]
    assert hosts["count"] == 2
    states = {h["host"]: (h["state"], h["intervalSeconds"]) for h in hosts["hosts"]}
    assert states == {"web-1": ("up", 60), "web-2": ("quiet", 60)}
    assert hosts["hosts"][1]["ageSeconds"] >= 600
    every = client.get("/api/system/jobs").json()["data"]
    assert every["count"] == len(JobQueue(store).recent()) >= 3
    mine = client.get("/api/system/jobs", params={"host": "web-2"}).json()["data"]
    # web-2's scheduled run waits for it; nothing of web-1's is in its list.
    assert [(j["type"], j["state"]) for j in mine["jobs"]] == [("performance", "waiting")]
    done = client.get(
        "/api/system/jobs", params={"type": "business", "state": "completed", "limit": 5}
    ).json()["data"]
    assert [(j["type"], j["worker"].split(":")[0]) for j in done["jobs"]] == [("business", "web-1")]
    one = client.get(f"/api/system/jobs/{done['jobs'][0]['id']}").json()["data"]
    assert [e["event"] for e in one["events"]][-1] == "completed"
    for params, word in (({"type": "nope"}, "query.type"), ({"state": "x"}, "query.state")):
        refused = client.get("/api/system/jobs", params=params)
        assert refused.status_code == 422 and word in refused.json()["error"]
    assert client.get("/api/system/jobs", params={"limit": 0}).status_code == 422
    assert client.get("/api/system/jobs", params={"host": "a b"}).status_code == 422
    # The seed's figures are this machine's (web-1 here), without the host in their names.
    figures = client.get("/api/system/metrics").json()["data"]["performance"]
    assert figures["cpuUsage"] == 7.0
    other = client.get("/api/system/metrics", params={"host": "web-2"}).json()["data"]
    assert other["performance"]["cpuUsage"] == 42.0
    assert other["business"] == client.get("/api/system/metrics").json()["data"]["business"]
    exposed = client.get("/metrics").text
    assert 'vigie_performance_cpu_usage_ratio{host="web-1"} 0.07' in exposed
    assert 'vigie_performance_cpu_usage_ratio{host="web-2"} 0.42' in exposed
    unknown = client.get("/api/system/metrics", params={"host": "web-9"})
    assert unknown.status_code == 404 and "hosts: web-1, web-2" in unknown.json()["error"]
    store.close()


def test_on_host_replaces_a_host_and_keeps_other_labels() -> None:
    assert on_host((("probe", "home"),), "web-1") == (("host", "web-1"), ("probe", "home"))
    assert on_host((("host", "a"),), "b") == (("host", "b"),)
    assert on_host((), None) == ()


def test_the_command_line_lists_the_hosts_and_forgets_one(tmp_path: Path) -> None:
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'history.sqlite'}"
    store = HistoryStore(url)
    now = datetime.now(UTC).timestamp()
    Fleet(store).beat("web-1", interval_s=120, now=now)
    Fleet(store).beat("web-2", interval_s=120, now=now - 3600)
    store.close()
    config = tmp_path / "vigie.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n[store]\nurl = "{url}"\n', encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "monitor", "hosts", "--config", str(config), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=60)

    listed = run()
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [["web-1", "up"], ["web-2", "quiet"]]
    wrong = run("--forget", "web-9")
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == "vigie: no host 'web-9' writes this store; hosts: web-1, web-2"
    assert run("--forget", "web-2").returncode == 0
    assert [line.split()[0] for line in run().stdout.splitlines()] == ["web-1"]
