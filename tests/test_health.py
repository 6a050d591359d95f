"""Health checks: freshness, resource thresholds, the worst status wins, no secrets shown."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from monitor import health
from monitor.config import Settings, SourceConfig
from monitor.samples import Sample
from monitor.sources.database import SourceDatabase
from monitor.sources.machine import Machine
from monitor.store import HistoryStore

T = 1_800_000_000


class BusyMachine(Machine):
    def __init__(self, percent: float) -> None:
        super().__init__()
        self.percent = percent

    def memory_percent(self) -> float:
        return self.percent

    def memory_used_mb(self) -> float:
        return 1000.0

    def disk_percent(self, path: Path) -> float:
        return self.percent


def test_it_calls_a_collector_that_stopped_writing_degraded(tmp_path: Path) -> None:
    store = HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}")
    settings = Settings()  # performance every 120 s: stale after 240 s
    assert health.check_freshness(store, settings, T).reason == "nothing collected yet"
    store.write([Sample(health.FRESHNESS_METRIC, 1.0, T - 100)])
    assert health.check_freshness(store, settings, T).status == health.HEALTHY
    stale = health.check_freshness(store, settings, T + 300)
    assert stale.status == health.DEGRADED and "no collection for 400 s" in (stale.reason or "")
    store.close()


def test_memory_and_disk_follow_the_shipped_alert_rules(tmp_path: Path) -> None:
    settings = Settings.model_validate({"data_dir": str(tmp_path)})
    # memory_high: warning 85, error 92, critical 97; disk_full: 80, 90, 95.
    assert health.check_memory(BusyMachine(50), settings).status == health.HEALTHY
    busy = health.check_memory(BusyMachine(92), settings)
    assert busy.status == health.DEGRADED and busy.reason == "92 % used (error)"
    assert health.check_disk(BusyMachine(81), settings).status == health.DEGRADED
    assert health.check_disk(BusyMachine(96), settings).status == health.UNHEALTHY


def test_health_takes_its_thresholds_from_the_configured_rules(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "alerts": {
                "rules": [
                    {"name": "memory_high", "metric": "performance.memoryPercent", "critical": 40},
                    {"name": "disk_full", "metric": "performance.diskUsage", "warning": 99},
                    {"name": "database_slow", "metric": "database.responseTime", "error": 0.0},
                ]
            },
        }
    )
    assert health.check_memory(BusyMachine(50), settings).status == health.UNHEALTHY
    assert health.check_disk(BusyMachine(96), settings).status == health.HEALTHY
    database = SourceDatabase(f"sqlite:///{tmp_path / 'h.sqlite'}")
    HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}").close()
    slow = health.check_database(database, settings)
    database.close()
    assert slow.status == health.DEGRADED and "(error)" in (slow.reason or "")


def test_one_status_for_the_same_state_whichever_view_asks(tmp_path: Path) -> None:
    from monitor.alerts import AlertBook
    from monitor.config import AlertRule

    url = f"sqlite:///{tmp_path / 'h.sqlite'}"
    store = HistoryStore(url)
    settings = Settings.model_validate({"data_dir": str(tmp_path), "store": {"url": url}})
    store.write([Sample(health.FRESHNESS_METRIC, 1.0, T), Sample("x.y", 5.0, T)])
    rule = AlertRule(name="x_high", metric="x.y", warning=1, message="x is high")
    AlertBook(store, [rule]).evaluate({("x.y", ())}, now=T)
    database = SourceDatabase(url)
    quick = health.quick(database, store, settings, now=T + 1, machine=BusyMachine(10))
    detailed = health.detailed(database, store, settings, now=T + 1, machine=BusyMachine(10))
    database.close()
    store.close()
    assert quick.status == detailed.status == health.DEGRADED  # a warning alert degrades
    assert quick.reasons == detailed.reasons == ["warning alert x high: x is high"]


def test_the_worst_check_decides() -> None:
    checks = [health.Check("a", health.HEALTHY), health.Check("b", health.DEGRADED)]
    assert health.overall(checks).status == health.DEGRADED
    assert health.overall([*checks, health.Check("c", health.UNHEALTHY, reason="x")]).reasons == [
        "c: x"
    ]


def test_an_unreachable_database_is_unhealthy_without_its_password() -> None:
    database = SourceDatabase(
        "postgresql+psycopg://vigie:h34lth-pw@127.0.0.1:1/shop", SourceConfig(connect_timeout_s=1)
    )
    check = health.check_database(database)
    database.close()
    assert check.status == health.UNHEALTHY
    assert "h34lth-pw" not in (check.reason or "")


def test_a_probe_url_is_shown_without_credentials_or_query() -> None:
    assert health.public_url("https://u:pw@shop.example:8443/health?key=k#x") == (
        "https://shop.example:8443/health"
    )


class _Interface(NamedTuple):
    isup: bool


class _Counters(NamedTuple):
    errin: int
    errout: int


def test_the_network_is_degraded_with_only_loopback_up() -> None:
    def only_loopback() -> dict[str, _Interface]:
        return {"lo": _Interface(True), "eth0": _Interface(False)}

    check = health.check_network(only_loopback, lambda: _Counters(3, 4))
    assert check.status == health.DEGRADED and check.reason == "no network interface is up"
    assert check.details == {"interfacesUp": [], "errorsIn": 3, "errorsOut": 4}
    assert not check.decides  # shown for information: the probe rules weigh on the status


def test_the_network_is_healthy_with_an_interface_up() -> None:
    check = health.check_network(
        lambda: {"lo": _Interface(True), "eth0": _Interface(True)}, lambda: _Counters(0, 0)
    )
    assert check.status == health.HEALTHY and check.details["interfacesUp"] == ["eth0"]
