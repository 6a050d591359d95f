"""Notifications through real receivers on loopback: a JSON webhook (http.server) and an SMTP
server (aiosmtpd), both reached through Apprise as in production."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from monitor.alerts import AlertBook
from monitor.config import AlertRule, Settings
from monitor.errors import ConfigError
from monitor.notifications.channels import channels
from monitor.notifications.outbox import Notifier
from monitor.notifications.tables import notifications_table
from monitor.samples import Sample
from monitor.store import HistoryStore
from tests.conftest import make_database
from tests.receivers import SECRET, Webhook
from tests.reference_shop import fill_reference_shop

ROOT = Path(__file__).resolve().parent.parent
T0 = 1_790_000_000.0
RULE = AlertRule(name="orders_stopped", metric="business.orders24h", when="below", error=1,
                 message="Orders stopped")  # fmt: skip


class Mailbox:
    """aiosmtpd's handler: every message the SMTP server accepted."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, _server: object, _session: object, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


def _settings(tmp_path: Path, url: str, store: str | None = None, **notify: Any) -> Settings:
    return Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "store": {"url": store or f"sqlite:///{tmp_path / 'h.sqlite'}"},
            "notify": {
                "group_wait_s": 0,
                "dashboard_url": "https://vigie.shop.internal",
                "channels": [{"name": "ops", "url": url, "min_severity": "warning"}],
                **notify,
            },
        }
    )


def _book(settings: Settings, store: HistoryStore, worker: str = "w") -> tuple[AlertBook, Notifier]:
    notifier = Notifier(store, settings, channels(settings), worker)
    return AlertBook(store, [RULE], on_change=notifier.on_change), notifier


def _orders(book: AlertBook, value: float, at: float, subject: str = "business.orders24h") -> None:
    book.store.write([Sample(subject, value, at)])
    book.evaluate({(subject, ())}, now=at)


def test_an_alert_opening_and_resolving_is_one_message_each(
    tmp_path: Path, webhook: Webhook
) -> None:
    settings = _settings(tmp_path, webhook.url)
    store = HistoryStore(settings.store_url)
    book, notifier = _book(settings, store)
    _orders(book, 0, T0)
    assert notifier.drain(T0 + 1) == 1
    _orders(book, 0, T0 + 300)  # still stopped: nothing new to say
    _orders(book, 12, T0 + 5400)
    assert notifier.drain(T0 + 5401) == 1
    assert notifier.drain(T0 + 5402) == 0
    store.close()
    [opened, resolved] = webhook.got
    assert opened["title"] == "Orders stopped: 0 orders (threshold 1)"
    assert "Orders in 24 h is 0 orders (threshold 1)." in opened["message"]
    assert "https://vigie.shop.internal/alerts?alert=1" in opened["message"]
    assert opened["type"] == "failure"
    assert resolved["title"] == "Resolved: Orders stopped (Orders in 24 h), after 1 h 30"


def test_a_message_says_the_usual_level_and_what_to_do(tmp_path: Path, webhook: Webhook) -> None:
    settings = _settings(tmp_path, webhook.url)
    store = HistoryStore(settings.store_url)
    week = [Sample("business.orders24h", 150 + (h % 3) * 10, T0 - h * 3600) for h in range(1, 169)]
    store.write(week)
    store.rollup(T0 - 170 * 3600)
    book, notifier = _book(settings, store)
    _orders(book, 0, T0)
    assert notifier.drain(T0 + 1) == 1
    store.close()
    [opened] = webhook.got
    assert opened["title"] == "Orders stopped: 0 orders (usually 160)"
    body = opened["message"].splitlines()
    assert body[:2] == [
        "Error: Orders stopped (Orders in 24 h).",
        "Orders in 24 h is 0 orders (threshold 1; usually 160).",
    ]
    assert body[3].startswith("Why it matters: No order for hours usually means checkout")
    assert "What to do: Place a test order" in body[3]


def test_a_burst_within_the_group_window_is_one_message(tmp_path: Path, webhook: Webhook) -> None:
    rule = AlertRule(name="table_down", metric="database.*.up", when="below", error=1,
                     message="A table cannot be read")  # fmt: skip
    settings = _settings(tmp_path, webhook.url, group_wait_s=30)
    store = HistoryStore(settings.store_url)
    notifier = Notifier(store, settings, channels(settings), "w")
    book = AlertBook(store, [rule], on_change=notifier.on_change)
    tables = [f"database.t{i}.up" for i in range(50)]
    store.write([Sample(name, 0, T0) for name in tables])
    book.evaluate({(name, ()) for name in tables}, now=T0)
    assert notifier.drain(T0 + 10) == 0  # the group is still gathering
    assert notifier.drain(T0 + 31) == 50
    store.close()
    [message] = webhook.got
    assert message["title"].startswith("50 alert changes: A table cannot be read")
    assert message["message"].count("A table cannot be read") == 100  # title and line each


def test_a_receiver_down_for_a_while_gets_every_message_once(
    tmp_path: Path, webhook: Webhook
) -> None:
    settings = _settings(tmp_path, webhook.url)
    store = HistoryStore(settings.store_url)
    book, notifier = _book(settings, store)
    webhook.down = True
    _orders(book, 0, T0)
    assert notifier.drain(T0 + 1) == 0
    assert notifier.drain(T0 + 5) == 0  # backing off: not tried again yet
    with store.engine.connect() as conn:
        row = conn.execute(select(notifications_table)).mappings().one()
    assert (row["state"], row["attempts"], row["next_at"]) == ("waiting", 1, T0 + 11)
    assert row["answer"] and SECRET not in row["answer"]  # the service's answer, masked
    webhook.down = False
    assert notifier.drain(T0 + 12) == 1
    assert notifier.drain(T0 + 600) == 0
    store.close()
    assert len(webhook.got) == 1


def test_a_dead_daemons_claim_is_taken_back(tmp_path: Path, webhook: Webhook) -> None:
    settings = _settings(tmp_path, webhook.url)
    store = HistoryStore(settings.store_url)
    book, notifier = _book(settings, store)
    _orders(book, 0, T0)
    with store.writing() as conn:  # what a daemon killed mid-send leaves behind
        conn.execute(
            notifications_table.update().values(state="sending", worker="gone", claimed_at=T0)
        )
    assert notifier.drain(T0 + 60) == 0
    assert notifier.drain(T0 + 121) == 1
    store.close()
    assert len(webhook.got) == 1


def test_two_daemons_on_one_postgresql_store_send_each_change_once(
    tmp_path: Path, webhook: Webhook, pg_server: str
) -> None:
    rule = AlertRule(name="down", metric="database.*.up", when="below", error=1)
    series = {(f"database.t{i}.up", ()) for i in range(20)}
    with make_database(pg_server) as url:
        settings = _settings(tmp_path, webhook.url, store=url)
        daemons = []
        for worker in ("a", "b"):
            store = HistoryStore(url)
            notifier = Notifier(store, settings, channels(settings), worker)
            daemons.append(
                (store, AlertBook(store, [rule], on_change=notifier.on_change), notifier)
            )
        daemons[0][0].write([Sample(name, 0, T0) for name, _ in series])
        for _, book, _ in daemons:  # both see the same samples; one opens each alert
            book.evaluate(series, now=T0)
        delivered: list[int] = []
        threads = [
            threading.Thread(target=lambda n=notifier: delivered.append(n.drain(T0 + 1)))
            for _, _, notifier in daemons
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for store, _, _ in daemons:
            store.close()
    assert sum(delivered) == 20
    opened = [
        line for got in webhook.got for line in got["message"].splitlines()
        if line.startswith("Error: ")
    ]  # fmt: skip
    assert len(opened) == 20 and len(set(opened)) == 20  # each change once, none twice


def test_mail_goes_through_a_real_smtp_server(tmp_path: Path, smtp: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp
    url = f"mailto://127.0.0.1:{port}?mode=insecure&from=vigie@shop.example&to=ops@shop.example"
    settings = _settings(tmp_path, url)
    store = HistoryStore(settings.store_url)
    book, notifier = _book(settings, store)
    _orders(book, 0, T0)
    assert notifier.drain(T0 + 1) == 1
    store.close()
    [mail] = mailbox.messages
    assert mail["Subject"] == "Orders stopped: 0 orders (threshold 1)"
    assert mail["To"] == "ops@shop.example"


def test_with_no_channel_the_message_is_kept_in_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings.model_validate(
        {"data_dir": str(tmp_path), "store": {"url": f"sqlite:///{tmp_path / 'h.sqlite'}"}}
    )
    store = HistoryStore(settings.store_url)
    book, _ = _book(settings, store)
    with caplog.at_level(logging.INFO, logger="vigie.notify"):
        _orders(book, 0, T0)
    store.close()
    assert "not sent: no channel: Orders stopped: 0 orders (threshold 1)" in caplog.text


def test_a_wrong_channel_stops_start_up_in_one_line(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "nosuchservice://token-1234567890")
    with pytest.raises(ConfigError, match=r"notify\.channels 'ops': not a notification URL"):
        channels(settings)
    config = tmp_path / "vigie.toml"
    config.write_text(
        f'data_dir = "{tmp_path}"\n[[notify.channels]]\nname = "ops"\n'
        'url = "nosuchservice://token-1234567890"\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "collector_daemon.py", "--config", str(config), "--once"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "MONITOR_CONFIG": ""},
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "notify.channels 'ops'" in done.stderr and "token-1234567890" not in done.stderr


def test_notify_test_says_what_each_channel_answered(tmp_path: Path, webhook: Webhook) -> None:
    config = tmp_path / "vigie.toml"
    config.write_text(
        f'data_dir = "{tmp_path}"\n'
        f'[[notify.channels]]\nname = "ops"\nurl_env = "VIGIE_TEST_HOOK"\n'
        '[[notify.channels]]\nname = "nobody"\nurl = "json://127.0.0.1:1/secret-path-991"\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "notify", "test", "--config", str(config)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "MONITOR_CONFIG": "", "VIGIE_TEST_HOOK": webhook.url},
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert done.returncode == 1, done
    assert lines[0].startswith("ops: sent")
    assert lines[1].startswith("nobody: failed") and "secret-path-991" not in done.stdout
    assert [m["title"] for m in webhook.got] == ["Vigie test message"]


def test_an_unacknowledged_alert_is_sent_again_until_someone_acknowledges_it(
    tmp_path: Path, webhook: Webhook
) -> None:
    settings = _settings(tmp_path, webhook.url, repeat_after_s={"error": 3600})
    store = HistoryStore(settings.store_url)
    book, notifier = _book(settings, store)
    _orders(book, 0, T0)
    assert notifier.drain(T0 + 1) == 1
    assert notifier.drain(T0 + 1800) == 0
    assert notifier.drain(T0 + 3602) == 1
    assert notifier.drain(T0 + 3700) == 0  # once per hour, not once per round
    [alert] = book.active()
    assert book.acknowledge(alert.id, "ops:ana", now=T0 + 4000)
    assert notifier.drain(T0 + 9000) == 0
    store.close()
    assert [m["title"] for m in webhook.got] == [
        "Orders stopped: 0 orders (threshold 1)",
        "Still open: Orders stopped: 0 orders (threshold 1)",
    ]
    assert "1 h 00 ago" in webhook.got[1]["message"]


def test_a_failing_channel_is_an_alert_told_to_the_other_channels_only(
    tmp_path: Path, webhook: Webhook
) -> None:
    from monitor.daemon import CollectorDaemon

    spare = Webhook()
    shop = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    fill_reference_shop(shop)
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "source": {"url": shop},
            "store": {"url": f"sqlite:///{tmp_path / 'h.sqlite'}"},
            "alerts": {"rules": [RULE.model_dump()]},  # the shipped rules, this one replaced
            "notify": {
                "group_wait_s": 0,
                "channels": [
                    {"name": "ops", "url": webhook.url, "min_severity": "warning"},
                    {"name": "spare", "url": spare.url, "min_severity": "warning"},
                ],
            },
        }
    )
    clock = [T0]
    daemon = CollectorDaemon(settings, clock=lambda: datetime.fromtimestamp(clock[0], UTC))
    webhook.down = True
    daemon.store.write([Sample("business.orders24h", 0, T0)])
    daemon.alerts.evaluate({("business.orders24h", ())}, now=T0)
    for step in (1, 15, 40, 80):  # past each backoff: 10 s, 20 s, 40 s
        clock[0] = T0 + step
        daemon.notify(flush=True)
    failing = [a for a in daemon.alerts.active() if a.rule == "notification_failing"]
    assert [(a.subject, a.severity) for a in failing] == [("ops", "error")]
    spare_titles = [m["title"] for m in spare.got]
    assert any("keeps refusing" in t and "(ops)" in t for t in spare_titles), spare_titles
    webhook.down = False
    clock[0] = T0 + 400
    daemon.notify(flush=True)
    assert not [a for a in daemon.alerts.active() if a.rule == "notification_failing"]
    daemon.close()
    spare.close()
    # ops got its own messages once it came back, and never the news of its own failure.
    assert webhook.got and all("keeps refusing" not in m["message"] for m in webhook.got)


def test_a_flapping_metric_under_hysteresis_is_one_message_each_way(
    tmp_path: Path, webhook: Webhook
) -> None:
    rule = AlertRule(name="disk_full", metric="performance.diskUsage", warning=80, clear=75,
                     for_samples=2, message="The data disk is filling up")  # fmt: skip
    settings = _settings(tmp_path, webhook.url)
    store = HistoryStore(settings.store_url)
    notifier = Notifier(store, settings, channels(settings), "w")
    book = AlertBook(store, [rule], on_change=notifier.on_change)
    # Around the threshold for 200 samples, never down to the clear level, then well below.
    # Two samples on each side in turn: `for_samples` alone would open and resolve it 50 times.
    values = [83.5 if i % 4 < 2 else 77.5 for i in range(200)] + [70.0, 70.0]
    for i, value in enumerate(values):
        at = T0 + 60 * i
        store.write([Sample("performance.diskUsage", value, at)])
        book.evaluate({("performance.diskUsage", ())}, now=at)
        notifier.drain(at + 1)
    store.close()
    titles = [m["title"] for m in webhook.got]
    assert len(titles) == 2, titles
    assert titles[0] == "The data disk is filling up: 83.5 % (threshold 80 %)"
    assert titles[1].startswith("Resolved: The data disk is filling up (Disk usage), after 3 h")
