"""Availability from a constructed history with known outages, a gap with no data and a
maintenance window: every figure exact."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.alerts.past import episodes, record_past
from monitor.availability import as_dict, availability
from monitor.config import Settings
from monitor.metrics import shipped
from monitor.samples import Sample
from monitor.store import HistoryStore
from tests.test_app import fresh_caches  # noqa: F401 — the fixture

DAY = 86400
NOW = int(datetime(2026, 11, 20, tzinfo=UTC).timestamp())  # midnight: whole days before it
TABLE = "___xtr_order"
METRIC = f"database.{TABLE}.accessible"


def _at(days_ago: int, clock: str, now: int = NOW) -> int:
    hours, minutes = (int(part) for part in clock.split(":"))
    return now - days_ago * DAY + hours * 3600 + minutes * 60


def _fill(folder: Path, now: int) -> tuple[HistoryStore, Settings]:
    """Three days before `now` (a midnight) of the orders table read every 5 minutes, down
    10:00-10:30 two days before; no reading from 03:00 to 05:00 the last day (Vigie was
    stopped); a maintenance window that day 14:00-15:00, the table down in its first half;
    the alert the outage raised."""

    def value(ts: int) -> float:
        down = _at(2, "10:00", now) <= ts < _at(2, "10:30", now)
        planned = _at(1, "14:00", now) <= ts < _at(1, "14:30", now)
        return 0.0 if down or planned else 1.0

    gap = (_at(1, "03:00", now), _at(1, "05:00", now))
    stamps = [ts for ts in range(now - 3 * DAY, now, 300) if not gap[0] <= ts < gap[1]]
    store = HistoryStore(f"sqlite:///{folder / 'history.sqlite'}")
    store.write([Sample(METRIC, value(ts), ts) for ts in stamps])
    window = {
        "name": "upgrade",
        "start": datetime.fromtimestamp(_at(1, "14:00", now), UTC).isoformat(),
        "end": datetime.fromtimestamp(_at(1, "15:00", now), UTC).isoformat(),
        "rule": "table_*",
        "subject": TABLE,
    }
    settings = Settings.model_validate(
        {
            "data_dir": str(folder),
            "store": {"url": store.url},
            "maintenance_windows": [window],
        }
    )
    rule = next(r for r in settings.alerts.effective() if r.name == "table_inaccessible")
    points = [(float(ts), value(ts)) for ts in stamps if ts < _at(1, "00:00", now)]
    assert record_past(store, rule, METRIC, episodes(rule, points), "test") == 1
    return store, settings


@pytest.fixture
def known(tmp_path: Path) -> tuple[HistoryStore, Settings]:
    return _fill(tmp_path, NOW)


def test_a_tables_availability_is_exact(known: tuple[HistoryStore, Settings]) -> None:
    store, settings = known
    found = {a.component.key: a for a in availability(store, settings, now=NOW, days=7)}
    orders = found[f"table:{TABLE}"]
    # The gap: the last reading before it (02:55) stands for 1.5 of its 5-minute interval.
    gap = _at(1, "05:00") - (_at(1, "02:55") + 450)
    week = orders.periods["7d"]
    assert (week.down, week.maintenance, week.nodata) == (1800, 3600, 4 * DAY + gap)
    assert week.up == 3 * DAY - 1800 - 3600 - gap
    assert week.availability == pytest.approx(100 * week.up / (week.up + 1800))
    day = orders.periods["24h"]  # yesterday: the gap and the window, no downtime
    assert (day.up, day.down, day.maintenance, day.nodata) == (DAY - 3600 - gap, 0, 3600, gap)
    assert day.availability == 100.0
    [incident] = orders.incidents  # the planned half hour of downtime is not one
    assert (incident.start, incident.end) == (_at(2, "10:00"), _at(2, "10:30"))
    assert incident.cause is not None and incident.cause.rule == "table_inaccessible"
    assert orders.mttr_s == orders.longest_s == 1800
    bars = {datetime.fromtimestamp(d, UTC).date().isoformat(): f for d, f in orders.days}
    assert bars["2026-11-17"].availability == 100.0
    assert bars["2026-11-18"].availability == pytest.approx(100 * (DAY - 1800) / DAY)
    assert bars["2026-11-19"].availability == 100.0
    assert bars["2026-11-16"].availability is None  # before the history: no data, not up
    assert len(bars) == 90 and max(bars) == "2026-11-20"


def test_a_component_never_watched_says_no_data(known: tuple[HistoryStore, Settings]) -> None:
    store, settings = known
    shop = next(a for a in availability(store, settings, now=NOW) if a.component.key == "shop")
    assert shop.periods["30d"].availability is None and shop.periods["30d"].nodata == 30 * DAY
    shown = as_dict(shop, shipped())
    assert shown["periods"]["30d"]["availability"] is None and shown["incidents"] == []
    assert shown["mttrSeconds"] is None


def test_the_scheduler_records_the_shops_verdict_over_time(tmp_path: Path) -> None:
    from monitor.daemon import CollectorDaemon
    from tests.reference_shop import fill_reference_shop

    shop = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    fill_reference_shop(shop)
    for url, up in ((shop, 1.0), ("postgresql+psycopg://vigie@127.0.0.1:1/shop", 0.0)):
        settings = Settings.model_validate(
            {
                "data_dir": str(tmp_path),
                "source": {"url": url},
                "store": {"url": f"sqlite:///{tmp_path / f'h{up}.sqlite'}"},
            }
        )
        daemon = CollectorDaemon(settings)
        daemon.collect("performance")  # the collector is fresh: the database decides
        # A quiet host is ops' news (critical), not the shop down for its customers.
        quiet = Sample("fleet.hostUp", 0.0, time.time(), (("host", "web-9"),))
        daemon.store.write([quiet])
        daemon.alerts.evaluate({(quiet.name, quiet.labels)}, now=time.time())
        assert [a.rule for a in daemon.alerts.active() if a.severity == "critical"] == ["host_down"]
        daemon.steward.record_health()
        assert daemon.store.latest()["health.up"].value == up, url
        daemon.close()


def test_the_api_gives_the_same_figures(tmp_path: Path) -> None:
    from tests.test_api import _serve

    midnight = int(time.time()) // DAY * DAY
    store, settings = _fill(tmp_path, midnight)
    store.close()
    for client in _serve(settings):
        answer = client.get("/api/system/availability", params={"days": 7})
        assert answer.status_code == 200, answer.text
        found = {c["component"]: c for c in answer.json()["data"]["components"]}
        orders = found[f"table:{TABLE}"]
        assert orders["title"] == "Orders" and orders["kind"] == "table"
        week = orders["periods"]["7d"]
        assert (week["downSeconds"], week["maintenanceSeconds"]) == (1800, 3600)
        [incident] = orders["incidents"]
        assert (
            incident["durationSeconds"] == 1800
            and incident["cause"]["rule"] == "table_inaccessible"
        )
        assert incident["start"] == datetime.fromtimestamp(
            _at(2, "10:00", midnight), UTC
        ).isoformat().replace("+00:00", "Z")
        assert orders["mttrSeconds"] == orders["longestSeconds"] == 1800
        assert found["shop"]["periods"]["90d"]["availability"] is None  # never watched
        assert len(orders["daily"]) == 90
        for wrong in ("0", "91", "week"):
            refused = client.get("/api/system/availability", params={"days": wrong})
            assert refused.status_code == 422 and "days" in refused.json()["error"]


def test_the_page_shows_each_component_and_one_components_incidents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_app import open_page

    midnight = int(time.time()) // DAY * DAY
    store, _ = _fill(tmp_path, midnight)
    store.close()
    start = datetime.fromtimestamp(_at(1, "14:00", midnight), UTC).isoformat()
    end = datetime.fromtimestamp(_at(1, "15:00", midnight), UTC).isoformat()
    config = tmp_path / "vigie.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'[[maintenance_windows]]\nname = "upgrade"\nstart = {start}\nend = {end}\n'
        + f'rule = "table_*"\nsubject = "{TABLE}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("MONITOR_STORE", store.url)
    app = open_page("availability")
    [summary, *_] = app.dataframe
    table = summary.value
    rows = {r["Component"]: r for r in table.to_dict("records")}
    assert rows["The shop"]["90 days"] == "no data"  # never watched: not "100 %"
    assert rows["Orders"]["Last 24 h"] == "100 %" and rows["Orders"]["Longest"] == "30 min"
    assert rows["Orders"]["Incidents"] == 1
    app.pills(key="availability_component").set_value(f"table:{TABLE}").run()
    assert any(s.value == "Incidents of the last 30 days (1)" for s in app.subheader)
    [incidents] = [d for d in app.dataframe if "Cause" in d.value.columns]
    assert incidents.value["Cause"][0].startswith("A critical table cannot be read")
    tiles = {m.label: m.value for m in app.metric}
    assert tiles["24 h"] == "100 %"


def test_the_demo_has_its_night_without_a_database(tmp_path: Path) -> None:
    from monitor.daemon import CollectorDaemon
    from monitor.demo.live import start_demo

    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "demo": {"scale": 0.01, "backfill_days": 14},
            "schedule": {"performance": 600, "business": 3600, "seo": 3600, "database_health": 300},
        }
    )
    daemon = CollectorDaemon(settings)
    start_demo(settings, daemon)
    now = daemon.clock().timestamp()
    found = {a.component.key: a for a in availability(daemon.store, settings, now=now, days=14)}
    daemon.close()
    [night] = found["shop"].incidents
    assert night.seconds == 900 and night.cause is not None
    assert (night.cause.rule, night.cause.severity) == ("database_down", "critical")
    assert found["shop"].periods["7d"].availability == 100.0
    assert found["shop"].periods["30d"].availability == pytest.approx(
        100 * (1 - 900 / (14 * DAY)), abs=0.01
    )
