"""Maintenance windows: their local times hold across midnight and daylight-saving changes,
matched alerts are held and sent after, the health says `maintenance` for what they cover, and
the API marks covered alerts silenced."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from monitor import health
from monitor.config import Settings, WindowConfig, load_settings
from monitor.errors import ConfigError
from monitor.notifications import windows
from monitor.samples import Sample
from monitor.sources.database import SourceDatabase
from monitor.store import HistoryStore
from tests.receivers import Webhook
from tests.test_api import _serve
from tests.test_health import BusyMachine
from tests.test_notifications import RULE, T0, _book, _orders, _settings


def _utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def _window(**fields: Any) -> WindowConfig:
    return WindowConfig.model_validate({"name": "backup", **fields})


def _running(window: WindowConfig, at: str) -> bool:
    return bool(windows.in_force([window], _utc(at)))


def test_a_nightly_window_across_midnight_holds_its_local_times() -> None:
    nightly = _window(cron="30 23 * * *", duration_min=90, timezone="Europe/Paris")
    # Winter: Paris is UTC+1, so 23:30–01:00 local is 22:30–00:00 UTC.
    assert not _running(nightly, "2026-01-14T22:29")
    assert _running(nightly, "2026-01-14T22:30")
    assert _running(nightly, "2026-01-14T23:59")  # 00:59 local, the next day
    assert not _running(nightly, "2026-01-15T00:00")
    # Summer: UTC+2, the same local hours an hour earlier in UTC.
    assert _running(nightly, "2026-07-14T21:30") and not _running(nightly, "2026-07-14T23:00")


def test_a_weekly_window_keeps_its_local_hours_across_both_daylight_saving_changes() -> None:
    sunday = _window(cron="0 1 * * 0", duration_min=120, timezone="Europe/Paris")
    # 29 March 2026: at 02:00 CET clocks go to 03:00 CEST. 01:00 CET is 00:00 UTC; the end,
    # 03:00 local, is already summer time: 01:00 UTC. The window lasts one real hour.
    [spring] = windows.spans(sunday, _utc("2026-03-28T12:00"), _utc("2026-03-29T12:00"))
    assert (spring.start, spring.end) == (_utc("2026-03-29T00:00"), _utc("2026-03-29T01:00"))
    # 25 October 2026: at 03:00 CEST clocks go back to 02:00 CET. 01:00 CEST is 23:00 UTC the
    # day before; 03:00 local is then winter time, 02:00 UTC: three real hours.
    [autumn] = windows.spans(sunday, _utc("2026-10-24T12:00"), _utc("2026-10-25T12:00"))
    assert (autumn.start, autumn.end) == (_utc("2026-10-24T23:00"), _utc("2026-10-25T02:00"))
    # The Sundays on either side start at 01:00 local too.
    assert _running(sunday, "2026-03-22T00:30") and _running(sunday, "2026-04-04T23:30")
    assert not _running(sunday, "2026-03-29T01:30")  # 03:30 local: over


def test_a_one_off_window_reads_naive_times_in_its_time_zone() -> None:
    once = _window(start="2026-12-24T22:00", end="2026-12-25T02:00", timezone="Europe/Paris")
    assert _running(once, "2026-12-24T21:00") and not _running(once, "2026-12-25T01:00")
    assert windows.between([once], _utc("2026-12-01T00:00"), _utc("2026-12-31T00:00")) == [
        windows.Span(once, _utc("2026-12-24T21:00"), _utc("2026-12-25T01:00"))
    ]


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"cron": "0 25 * * *", "duration_min": 60}, "is not a cron expression"),
        ({"cron": "0 0 30 2 *", "duration_min": 60}, "never fires"),
        ({"cron": "0 2 * * 0", "duration_min": 60, "timezone": "Paris"}, "unknown time zone"),
        ({"cron": "0 2 * * 0"}, "needs duration_min > 0"),
        ({"start": "2026-01-02T00:00", "end": "2026-01-01T00:00"}, "end after start"),
        ({"start": "2026-01-01T00:00", "cron": "0 2 * * 0", "duration_min": 5}, "either start"),
    ],
)
def test_a_wrong_window_stops_start_up_in_one_line(
    tmp_path: Path, fields: dict[str, Any], words: str
) -> None:
    lines = [f"{key} = {value!r}".replace("'", '"') for key, value in fields.items()]
    path = tmp_path / "vigie.toml"
    path.write_text('[[maintenance_windows]]\nname = "backup"\n' + "\n".join(lines) + "\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert words in str(caught.value) and "\n" not in str(caught.value)


def _with_window(settings: Settings, **fields: Any) -> Settings:
    return settings.model_copy(update={"maintenance_windows": [_window(**fields)]})


def test_alerts_in_a_window_are_held_and_sent_when_it_ends_if_still_open(
    tmp_path: Path, webhook: Webhook
) -> None:
    start = datetime.fromtimestamp(T0 - 60, UTC).replace(tzinfo=None).isoformat()
    end = datetime.fromtimestamp(T0 + 1800, UTC).replace(tzinfo=None).isoformat()
    settings = _with_window(
        _settings(tmp_path, webhook.url), start=start, end=end, rule="orders_*",
        comment="payment provider migration",
    )  # fmt: skip
    store = HistoryStore(settings.store_url)
    book, notifier = _book(settings, store)
    _orders(book, 0, T0)
    assert [a.rule for a in book.active()] == [RULE.name]  # open and shown as ever
    assert notifier.drain(T0 + 60) == 0 and webhook.got == []
    assert notifier.drain(T0 + 1801) == 1  # the window is over and orders are still stopped
    store.close()
    assert len(webhook.got) == 1 and "Orders stopped" in webhook.got[0]["title"]


def test_the_quick_health_says_maintenance_for_what_a_window_covers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite'}"
    store = HistoryStore(url)
    store.write([Sample(health.FRESHNESS_METRIC, 1.0, T0)])
    base = Settings.model_validate({"data_dir": str(tmp_path), "store": {"url": url}})
    down = SourceDatabase("postgresql+psycopg://vigie@127.0.0.1:1/shop")
    start, end = (datetime.fromtimestamp(T0 + d, UTC).isoformat() for d in (-60, 3600))

    def status(settings: Settings) -> health.Health:
        return health.quick(down, store, settings, now=T0 + 1, machine=BusyMachine(10))

    assert status(base).status == health.UNHEALTHY
    planned = status(_with_window(base, start=start, end=end, rule="database_*"))
    assert planned.status == health.MAINTENANCE
    [reason] = planned.reasons
    assert reason.startswith("database: ") and "maintenance window backup until" in reason
    # A window over other rules leaves the database's failure as it is.
    assert status(_with_window(base, start=start, end=end, rule="disk_*")).status == "unhealthy"
    down.close()
    store.close()


def test_the_api_answers_200_in_maintenance_and_marks_covered_alerts_silenced(
    tmp_path: Path,
) -> None:
    from monitor.alerts import AlertBook

    now = datetime.now(UTC).timestamp()
    url = f"sqlite:///{tmp_path / 'h.sqlite'}"
    store = HistoryStore(url)
    store.write([Sample(health.FRESHNESS_METRIC, 1.0, now), Sample("business.orders24h", 0, now)])
    AlertBook(store, [RULE]).evaluate({("business.orders24h", ())}, now=now)
    store.close()
    start, end = (datetime.fromtimestamp(now + d, UTC).isoformat() for d in (-60, 3600))
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "store": {"url": url},
            "source": {"url": "postgresql+psycopg://vigie@127.0.0.1:1/shop"},
            "maintenance_windows": [
                {"name": "db-upgrade", "start": start, "end": end, "rule": "database_*"},
                {"name": "psp", "start": start, "end": end, "rule": "orders_*",
                 "comment": "payment provider migration"},
            ],
        }
    )  # fmt: skip
    for client in _serve(settings):
        quick = client.get("/api/system/health/quick")
        assert quick.status_code == 200  # planned: a load balancer keeps the node
        body = quick.json()["data"]
        assert {c["name"]: c["status"] for c in body["checks"]}["database"] == "maintenance"
        [alert] = client.get("/api/system/alerts").json()["data"]["byPriority"]["error"]
        assert alert["silenced"] is True
        assert "maintenance window psp" in alert["silencedBy"]
        assert "payment provider migration" in alert["silencedBy"]


def test_check_config_says_when_each_window_runs_next(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from monitor.__main__ import main

    config = tmp_path / "vigie.toml"
    config.write_text(
        f'data_dir = "{tmp_path}"\n[[maintenance_windows]]\nname = "once"\n'
        'start = 2099-03-29T01:00:00\nend = 2099-03-29T03:00:00\ntimezone = "Europe/Paris"\n'
        'rule = "database_*"\n',
        encoding="utf-8",
    )
    assert main(["--config", str(config), "check-config"]) == 0
    said = capsys.readouterr().out.splitlines()
    # 29 March 2099 is a spring-forward Sunday in Paris: 01:00 CET to 03:00 CEST.
    assert said[1] == (
        "maintenance window once: 2099-03-29 00:00 UTC to 2099-03-29 01:00 UTC (database_* on *)"
    )


def test_a_window_starting_in_the_spring_forward_gap_keeps_its_length() -> None:
    nightly = _window(cron="30 2 * * *", duration_min=40, timezone="Europe/Paris")
    # 02:30 does not exist in Paris on 29 March 2026: the window starts at 03:30 CEST.
    [gap] = windows.spans(nightly, _utc("2026-03-28T12:00"), _utc("2026-03-29T12:00"))
    assert (gap.start, gap.end) == (_utc("2026-03-29T01:30"), _utc("2026-03-29T02:10"))


def test_a_resolution_held_by_a_window_is_sent_after_it_if_the_opening_was(
    tmp_path: Path, webhook: Webhook
) -> None:
    start = datetime.fromtimestamp(T0 + 600, UTC).replace(tzinfo=None).isoformat()
    end = datetime.fromtimestamp(T0 + 1800, UTC).replace(tzinfo=None).isoformat()
    settings = _with_window(_settings(tmp_path, webhook.url), start=start, end=end)
    store = HistoryStore(settings.store_url)
    book, notifier = _book(settings, store)
    _orders(book, 0, T0)
    assert notifier.drain(T0 + 1) == 1  # heard before the window
    _orders(book, 12, T0 + 900)  # resolves during the window: held
    assert notifier.drain(T0 + 901) == 0
    assert notifier.drain(T0 + 1801) == 1  # the window is over: they hear it resolved
    store.close()
    assert [m["title"].split(":")[0] for m in webhook.got] == ["Orders stopped", "Resolved"]
