"""Silences: held messages, sent when the silence ends if the alert is still open; the API's
create, list and end, ops only and audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.access import NotAuthorized, Person
from monitor.audit import entries
from monitor.config import Settings
from monitor.daemon import CollectorDaemon
from monitor.notifications import silences
from monitor.store import HistoryStore
from tests.receivers import Webhook
from tests.test_api import _serve
from tests.test_notifications import RULE, T0, _book, _orders, _settings

TOKEN = "silence-t0ken"
ANA = Person("ana", "ops")


def _silence(store: HistoryStore, settings: Settings, now: float, rule: str = "orders_*") -> int:
    return silences.create(
        store, ANA, rule=rule, subject="*", max_severity="critical",
        duration_s=3600, comment="payment provider migration", now=now,
    )  # fmt: skip


def _end(store: HistoryStore, settings: Settings, silence_id: int, now: float) -> None:
    silences.end(store, ANA, silence_id, now=now)


def test_a_silenced_alert_is_sent_when_the_silence_ends_while_it_is_open(
    tmp_path: Path, webhook: Webhook
) -> None:
    settings = _settings(tmp_path, webhook.url)
    store = HistoryStore(settings.store_url)
    book, notifier = _book(settings, store)
    silence = _silence(store, settings, T0 - 10)
    _orders(book, 0, T0)
    assert [a.rule for a in book.active()] == [RULE.name]  # it opens and shows as ever
    assert notifier.drain(T0 + 1) == 0 and webhook.got == []
    _end(store, settings, silence, T0 + 600)
    assert notifier.drain(T0 + 601) == 1
    store.close()
    assert [m["title"] for m in webhook.got] == ["Orders stopped: 0 orders (threshold 1)"]


def test_an_alert_that_resolves_under_its_silence_is_never_sent(
    tmp_path: Path, webhook: Webhook
) -> None:
    settings = _settings(tmp_path, webhook.url)
    store = HistoryStore(settings.store_url)
    book, notifier = _book(settings, store)
    _silence(store, settings, T0 - 10)
    _orders(book, 0, T0)
    _orders(book, 20, T0 + 300)
    assert notifier.drain(T0 + 301) == 0
    assert notifier.drain(T0 + 3700) == 0  # the silence is over: nothing left to say
    store.close()
    assert webhook.got == []


def test_a_silence_matches_only_its_rules_and_subjects(tmp_path: Path, webhook: Webhook) -> None:
    settings = _settings(tmp_path, webhook.url)
    store = HistoryStore(settings.store_url)
    book, notifier = _book(settings, store)
    _silence(store, settings, T0 - 10, rule="disk_*")
    _orders(book, 0, T0)
    assert notifier.drain(T0 + 1) == 1
    store.close()


def test_only_ops_may_silence(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "json://127.0.0.1:1/x")
    store = HistoryStore(settings.store_url)
    with pytest.raises(NotAuthorized):
        silences.create(store, Person("vic", "viewer"), rule="*", subject="*",
                        max_severity="critical", duration_s=60, comment="x", now=T0)  # fmt: skip
    with pytest.raises(NotAuthorized):
        silences.end(store, Person("vic", "viewer"), 1, now=T0)
    assert [(e.actor, e.action, e.outcome, e.times) for e in entries(store)] == [
        ("vic", "silence", "refused", 2)
    ]
    store.close()


def test_the_api_creates_lists_and_ends_silences(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "source": {"url": f"sqlite:///{tmp_path / 'shop.sqlite'}"},
            "store": {"url": f"sqlite:///{tmp_path / 'h.sqlite'}"},
            "ops": {"token": TOKEN},
        }
    )
    CollectorDaemon(settings).close()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    body = {"rule": "orders_*", "subject": "*", "duration_s": 3600,
            "comment": "payment provider migration"}  # fmt: skip
    for api in _serve(settings):
        assert api.post("/api/system/silences", content=b"{not json").status_code == 401
        created = api.post("/api/system/silences", json=body, headers=auth)
        assert created.status_code == 201
        silence_id = created.json()["data"]["id"]
        [listed] = api.get("/api/system/silences").json()["data"]
        assert (listed["rule"], listed["active"], listed["createdBy"]) == (
            "orders_*",
            True,
            "ops token",
        )
        assert api.delete(f"/api/system/silences/{silence_id}").status_code == 401
        assert api.delete(f"/api/system/silences/{silence_id}", headers=auth).status_code == 200
        again = api.delete(f"/api/system/silences/{silence_id}", headers=auth)
        assert again.status_code == 404 and "no silence" in again.json()["error"]
        assert api.get("/api/system/silences").json()["data"][0]["active"] is False
        assert api.options("/api/system/silences").headers["allow"] == "GET, OPTIONS, POST"
    store = HistoryStore(settings.store_url, create=False)
    outcomes = {(e.action, e.outcome) for e in entries(store)}
    store.close()
    assert {("silence", "created"), ("silence", "ended"),
            ("silence", "refused")} <= outcomes  # fmt: skip
