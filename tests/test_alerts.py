"""Alerts: hold times, hysteresis, escalation, one open alert per rule and subject, exactly once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from monitor.alerts import AlertBook, held_level, level
from monitor.audit import entries
from monitor.config import DEFAULT_ALERT_RULES, AlertRule
from monitor.samples import Sample
from monitor.store import HistoryStore

T = 1_800_000_000
DISK = AlertRule(
    name="disk_full",
    metric="performance.diskUsage",
    warning=80,
    error=90,
    critical=95,
    clear=75,
    for_samples=2,
)
TABLES = AlertRule(name="table_inaccessible", metric="database.*.accessible", when="below", error=1)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'history.sqlite'}"
    else:
        url = request.getfixturevalue("pg_database")
    history = HistoryStore(url)
    yield history
    history.close()


def _feed(
    store: HistoryStore,
    book: AlertBook,
    name: str,
    values: list[float],
    start: int = T,
    step: int = 120,
) -> list[list[str]]:
    """Write values one by one, evaluating after each; returns the changes of every step."""
    seen = []
    for i, value in enumerate(values):
        store.write([Sample(name, value, start + i * step)])
        changes = book.evaluate([(name, ())], now=start + i * step)
        seen.append([f"{c.kind}:{c.severity}" for c in changes])
    return seen


def test_a_level_is_the_highest_threshold_crossed() -> None:
    assert [level(DISK, v) for v in (70, 80, 91, 99)] == [None, "warning", "error", "critical"]
    assert held_level(DISK, [99, 85]) == "warning"  # both held warning, only one critical
    assert held_level(DISK, [99]) is None  # not enough samples yet


def test_it_fires_only_after_the_hold_and_clears_with_hysteresis(store: HistoryStore) -> None:
    book = AlertBook(store, [DISK])
    steps = _feed(store, book, "performance.diskUsage", [85, 70, 85, 86, 78, 76, 74])
    assert steps == [
        [],  # one sample over: not yet
        [],  # back under
        [],  # over again, but only once in a row
        ["opened:warning"],
        [],  # under the threshold but above clear (75): stays open, no flapping
        [],
        ["resolved:warning"],  # past the clear threshold
    ]
    [alert] = book.history()
    assert alert.state == "resolved" and "74" in (alert.resolution or "")


def test_it_escalates_and_eases_one_alert(store: HistoryStore) -> None:
    book = AlertBook(store, [DISK])
    steps = _feed(store, book, "performance.diskUsage", [92, 93, 97, 98, 85, 85])
    assert [s for s in steps if s] == [["opened:error"], ["escalated:critical"], ["eased:warning"]]
    [alert] = book.active()
    assert alert.severity == "warning"
    assert len(book.history()) == 1  # one episode, not three alerts


def test_a_wildcard_rule_gives_one_alert_per_table(store: HistoryStore) -> None:
    book = AlertBook(store, [TABLES])
    store.write(
        [
            Sample("database.orders.accessible", 0, T),
            Sample("database.customers.accessible", 1, T),
            Sample("database.links.accessible", 0, T),
        ]
    )
    series = [
        (n, ())
        for n in (
            "database.orders.accessible",
            "database.customers.accessible",
            "database.links.accessible",
        )
    ]
    changes = book.evaluate(series, now=T)
    assert sorted(c.subject for c in changes) == ["links", "orders"]
    assert book.evaluate(series, now=T + 1) == []  # no duplicate while open
    store.write([Sample("database.orders.accessible", 1, T + 300)])
    assert [(c.kind, c.subject) for c in book.evaluate(series, now=T + 300)] == [
        ("resolved", "orders")
    ]


def test_it_is_acknowledged_once_and_audited(store: HistoryStore) -> None:
    book = AlertBook(store, [TABLES])
    store.write([Sample("database.orders.accessible", 0, T)])
    book.evaluate([("database.orders.accessible", ())], now=T)
    [alert] = book.active()
    assert book.acknowledge(alert.id, "ops:alice", now=T + 5)
    assert not book.acknowledge(alert.id, "ops:bob", now=T + 6)
    [seen] = book.active()
    assert (seen.acknowledged_by, seen.acknowledged_at) == ("ops:alice", T + 5)
    assert [(e.actor, e.outcome) for e in entries(store)] == [
        ("ops:bob", "refused"),
        ("ops:alice", "done"),
    ]


def test_hourly_maintenance_resolves_stale_alerts(store: HistoryStore) -> None:
    book = AlertBook(store, [TABLES])
    store.write([Sample("database.orders.accessible", 0, T)])
    book.evaluate([("database.orders.accessible", ())], now=T)
    assert book.resolve_stale(now=T + 1800, stale_after_s=3600) == 0
    assert book.resolve_stale(now=T + 3601, stale_after_s=3600) == 1
    assert book.active() == []


def test_the_shipped_rules_cover_the_default_metrics() -> None:
    watched = {rule.metric for rule in DEFAULT_ALERT_RULES}
    assert watched >= {
        "performance.diskUsage",
        "performance.memoryPercent",
        "performance.cpuUsage",
        "performance.responseTime",
        "performance.errorRate",
        "database.up",
        "database.*.accessible",
        "business.minutesSinceLastOrder",
        "seo.sitemapHealth",
    }


def test_two_evaluators_change_an_alert_exactly_once(pg_database: str) -> None:
    stores = [HistoryStore(pg_database) for _ in range(2)]
    books = [AlertBook(s, [TABLES]) for s in stores]
    results: list[list[str]] = [[], []]
    names = [f"database.t{i}.accessible" for i in range(30)]
    for round_, value in enumerate([0, 1]):  # every table fails, then every table comes back
        stores[0].write([Sample(n, value, T + round_) for n in names])
        start = threading.Barrier(2)

        def evaluate(i: int, round_: int = round_, start: threading.Barrier = start) -> None:
            start.wait()
            for name in names:
                results[i] += [c.kind for c in books[i].evaluate([(name, ())], now=T + round_)]

        threads = [threading.Thread(target=evaluate, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    every = results[0] + results[1]
    assert every.count("opened") == 30 and every.count("resolved") == 30
    assert len(books[0].history()) == 30
    for store in stores:
        store.close()
