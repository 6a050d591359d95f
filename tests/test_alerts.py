"""Alerts: hold times, hysteresis, escalation, one open alert per rule and subject, exactly once."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

from monitor.alerts import AlertBook, held_level, level
from monitor.alerts.past import episodes, forget_past, record_past
from monitor.audit import entries
from monitor.config import DEFAULT_ALERT_RULES, AlertRule
from monitor.samples import Labels, Sample
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


def test_it_grades_a_value_by_the_highest_threshold_crossed() -> None:
    assert [level(DISK, v) for v in (70, 80, 91, 99)] == [None, "warning", "error", "critical"]


def test_it_holds_a_level_only_when_the_whole_window_reached_it() -> None:
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


def test_it_resolves_stale_alerts_in_maintenance(store: HistoryStore) -> None:
    book = AlertBook(store, [TABLES])
    store.write([Sample("database.orders.accessible", 0, T)])
    book.evaluate([("database.orders.accessible", ())], now=T)
    assert book.resolve_stale(now=T + 1800, stale_after_s=3600) == 0
    assert book.resolve_stale(now=T + 3601, stale_after_s=3600) == 1
    assert book.active() == []


def test_it_ships_a_rule_for_every_kind_of_trouble_the_collectors_see(
    reference_shop: str, access_log: Path, settings_for
) -> None:
    from monitor.collectors import COLLECTORS
    from monitor.sources import Sources
    from tests.reference_shop import NOW

    sources = Sources.from_settings(
        settings_for(reference_shop, access_log={"path": str(access_log)})
    )
    emitted = [
        (s.name, s.labels) for collect in COLLECTORS.values() for s in collect(sources, NOW).samples
    ]
    sources.close()
    book = AlertBook(HistoryStore("sqlite://"), DEFAULT_ALERT_RULES)
    watched = {metric for _, _, metric, _ in book.subjects(emitted)}
    used = {rule.name for rule, _, _, _ in book.subjects(emitted)}
    # Every shipped rule matches something real (probe_down needs a configured probe, and
    # notification_failing a channel, host_down a fleet: the daemon writes those series) …
    unseen = {"probe_down", "notification_failing", "host_down"}
    assert used == {r.name for r in DEFAULT_ALERT_RULES} - unseen
    # … and the troubles the issue names are each watched.
    assert {
        "performance.diskUsage",
        "performance.memoryPercent",
        "performance.cpuUsage",
        "performance.responseTime",
        "performance.errorRate",
        "database.up",
        "database.___xtr_order.accessible",
        "business.minutesSinceLastOrder",
        "seo.sitemapHealth",
    } <= watched


def test_it_does_not_flap_between_two_severities(store: HistoryStore) -> None:
    book = AlertBook(store, [DISK])
    steps = _feed(store, book, "performance.diskUsage", [96, 96, 94, 96, 96, 94, 96, 96])
    assert [s for s in steps if s] == [["opened:critical"]]


def test_a_critical_episode_asks_for_one_emergency(store: HistoryStore) -> None:
    book = AlertBook(store, [DISK])
    changes = []
    for i, value in enumerate([96, 96, 85, 85, 96, 96]):
        store.write([Sample("performance.diskUsage", value, T + 120 * i)])
        changes += book.evaluate([("performance.diskUsage", ())], now=T + 120 * i)
    assert [(c.kind, c.severity, c.first_critical) for c in changes] == [
        ("opened", "critical", True),
        ("eased", "warning", False),
        ("escalated", "critical", False),
    ]


def test_an_escalation_needs_a_new_acknowledgement(store: HistoryStore) -> None:
    book = AlertBook(store, [DISK])
    _feed(store, book, "performance.diskUsage", [85, 85])
    [alert] = book.active()
    book.acknowledge(alert.id, "ops:alice", now=T + 300)
    _feed(store, book, "performance.diskUsage", [97, 97], start=T + 400)
    [worse] = book.active()
    assert (worse.severity, worse.acknowledged_by) == ("critical", None)


def test_an_alert_in_the_hysteresis_band_shows_its_current_value(store: HistoryStore) -> None:
    book = AlertBook(store, [DISK])
    _feed(store, book, "performance.diskUsage", [99, 99, 78, 78])
    [alert] = book.active()
    assert (alert.severity, alert.value, alert.updated_at) == ("warning", 78, T + 360)


def test_it_resolves_the_alerts_of_a_removed_rule(store: HistoryStore) -> None:
    store.write([Sample("database.orders.accessible", 0, T)])
    AlertBook(store, [TABLES]).evaluate([("database.orders.accessible", ())], now=T)
    assert AlertBook(store, [DISK]).resolve_stale(now=T + 1, stale_after_s=3600) == 1
    assert AlertBook(store, [TABLES]).active() == []


def test_a_labelled_alert_is_not_taken_for_stale(store: HistoryStore) -> None:
    probe = AlertRule(name="probe_down", metric="performance.probe.up", when="below", error=1)
    book = AlertBook(store, [probe])
    labels = (("probe", "shop"),)
    store.write([Sample("performance.probe.up", 0, T, labels)])
    book.evaluate([("performance.probe.up", labels)], now=T)
    store.write([Sample("performance.probe.up", 0, T + 1800, labels)])
    assert book.resolve_stale(now=T + 3700, stale_after_s=3600) == 0
    [alert] = book.active()
    assert alert.subject == 'performance.probe.up{probe="shop"}'


def test_it_refuses_rules_it_could_not_tell_apart() -> None:
    from pydantic import ValidationError

    from monitor.config import AlertsConfig

    with pytest.raises(ValidationError, match=r"one \* at most"):
        AlertRule(name="x", metric="database.*.*", error=1)
    with pytest.raises(ValidationError, match="given twice: a"):
        AlertsConfig(
            rules=[
                AlertRule(name="a", metric="x.y", error=1),
                AlertRule(name="a", metric="x.z", error=1),
            ]
        )


def test_it_changes_an_alert_exactly_once_with_two_evaluators(pg_database: str) -> None:
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


ORDERS_USUAL = AlertRule(
    name="orders_below_usual",
    metric="business.orders24h",
    when="below",
    warning=-40,
    error=-70,
    clear=-25,
    baseline="seasonal",
)


def _weeks_of_orders(store: HistoryStore, usual: float, weeks: int) -> None:
    store.write(
        [Sample("business.orders24h", usual, T - w * 7 * 86400) for w in range(1, weeks + 1)]
    )


def test_a_seasonal_rule_fires_far_below_the_usual_hour_of_the_week(store: HistoryStore) -> None:
    _weeks_of_orders(store, 200, weeks=3)
    book = AlertBook(store, [ORDERS_USUAL])
    store.write([Sample("business.orders24h", 50, T)])  # 75 % below
    [change] = book.evaluate([("business.orders24h", ())], now=T)
    assert (change.kind, change.severity) == ("opened", "error")
    assert book.active()[0].value == pytest.approx(-75.0)


def test_a_seasonal_rule_stays_quiet_at_a_normal_level(store: HistoryStore) -> None:
    _weeks_of_orders(store, 200, weeks=3)
    store.write([Sample("business.orders24h", 170, T)])  # 15 % below: a normal wobble
    assert AlertBook(store, [ORDERS_USUAL]).evaluate([("business.orders24h", ())], now=T) == []


def test_a_seasonal_rule_waits_for_two_weeks_of_history(store: HistoryStore) -> None:
    _weeks_of_orders(store, 200, weeks=1)
    store.write([Sample("business.orders24h", 10, T)])
    assert AlertBook(store, [ORDERS_USUAL]).evaluate([("business.orders24h", ())], now=T) == []


TABLE_SLOWER = next(r for r in DEFAULT_ALERT_RULES if r.name == "table_slower_than_usual")
ORDER_TIME = "database.___xtr_order.queryTime"


def _day_of(store: HistoryStore, name: str, usual: float, labels: Labels = ()) -> None:
    """24 h of samples every 5 min jittering around `usual` (±50 %, one in ten at 3×)."""
    rng = random.Random(name)
    store.write(
        [
            Sample(name, usual * (3 if i % 10 == 0 else rng.uniform(0.5, 1.5)), ts, labels)
            for i, ts in enumerate(range(T - 86400, T, 300))
        ]
    )


def test_a_recent_rule_fires_on_a_hundredfold_jump_and_resolves(store: HistoryStore) -> None:
    _day_of(store, ORDER_TIME, 0.3)
    book = AlertBook(store, [TABLE_SLOWER])
    steps = _feed(store, book, ORDER_TIME, [30, 31, 0.3, 0.3], start=T, step=300)
    assert steps == [[], ["opened:error"], [], ["resolved:error"]]
    [opened] = book.history()
    assert opened.subject == "___xtr_order"
    assert opened.threshold == 50 and opened.value == pytest.approx(100, rel=0.2)


def test_a_recent_rule_stays_quiet_on_jitter_and_below_its_floor(store: HistoryStore) -> None:
    customers = "database.___xtr_customer.queryTime"
    _day_of(store, ORDER_TIME, 0.1)
    _day_of(store, customers, 2.0)
    book = AlertBook(store, [TABLE_SLOWER])
    # 0.5 ms (5×) and 4 ms (40× its usual) stay under the 5 ms floor.
    steps = _feed(store, book, ORDER_TIME, [0.5, 0.5, 4, 4, 4], start=T, step=300)
    assert steps == [[]] * 5
    # Above the floor, 3 to 8 times the usual is jitter, not 10×.
    steps = _feed(store, book, customers, [6, 9, 16, 12, 6], start=T, step=300)
    assert steps == [[]] * 5


def test_a_recent_rule_judges_each_series_against_its_own_usual(store: HistoryStore) -> None:
    sitemap = "database.__sitemap_p_link.queryTime"
    _day_of(store, ORDER_TIME, 0.3)
    _day_of(store, sitemap, 40)  # always slow: slow is its usual
    labelled = AlertRule(
        name="probe_slower", metric="performance.probe.ms", warning=10, baseline="recent"
    )
    fast, slow = (("probe", "home"),), (("probe", "search"),)
    _day_of(store, "performance.probe.ms", 20, fast)
    _day_of(store, "performance.probe.ms", 400, slow)
    book = AlertBook(store, [TABLE_SLOWER, labelled])
    for ts in (T, T + 300):
        store.write(
            [
                Sample(ORDER_TIME, 35, ts),
                Sample(sitemap, 45, ts),
                Sample("performance.probe.ms", 900, ts, fast),
                Sample("performance.probe.ms", 900, ts, slow),
            ]
        )
    series = [(ORDER_TIME, ()), (sitemap, ()), ("performance.probe.ms", fast)]
    changes = book.evaluate([*series, ("performance.probe.ms", slow)], now=T + 300)
    assert sorted(c.subject for c in changes) == [
        "___xtr_order",
        'performance.probe.ms{probe="home"}',
    ]


def test_a_recent_rule_waits_for_twelve_past_samples(store: HistoryStore) -> None:
    store.write([Sample(ORDER_TIME, 0.2, T - 300 * i) for i in range(1, 11)])
    book = AlertBook(store, [TABLE_SLOWER])
    assert _feed(store, book, ORDER_TIME, [30, 30], start=T, step=300) == [[], []]


def test_the_history_of_a_period_holds_the_alerts_open_during_it(store: HistoryStore) -> None:
    book = AlertBook(store, [DISK])
    # One episode from T to T + 480 (cleared by two samples at 70 %).
    _feed(store, book, "performance.diskUsage", [96, 96, 96, 96, 70, 70], start=T - 120)
    [episode] = book.history()
    assert episode.resolved_at is not None
    assert [a.id for a in book.history(since=T + 300, until=T + 400)] == [episode.id]
    assert book.history(since=episode.resolved_at + 1) == []  # over before the period
    assert book.history(since=0, until=episode.opened_at - 1) == []  # began after it


def test_the_past_is_read_as_the_live_book_would_have(store: HistoryStore, tmp_path: Path) -> None:
    values: list[float] = [70, 85, 86, 92, 97, 98, 85, 78, 74, 70, 96, 97, 60, 81, 60, 60]
    book = AlertBook(store, [DISK])
    _feed(store, book, "performance.diskUsage", values)
    live = [(a.opened_at, a.resolved_at, a.peak_severity) for a in book.history()]
    found = episodes(DISK, [(T + i * 120, float(v)) for i, v in enumerate(values)])
    assert sorted((e.opened_at, e.resolved_at, e.severity) for e in found) == sorted(live)
    assert [(e.severity, e.peak, e.threshold) for e in found] == [
        ("critical", 98, 95),
        ("critical", 97, 95),
    ]
    # Written resolved, nothing open, and removed again by their resolution.
    other = HistoryStore(f"sqlite:///{tmp_path / 'past.sqlite'}")
    try:
        assert record_past(other, DISK, "performance.diskUsage", found, "replayed") == 2
        assert AlertBook(other, [DISK]).active() == []
        past = AlertBook(other, [DISK]).history()
        assert [(a.state, a.rule, a.resolution) for a in past] == [
            ("resolved", "disk_full", "replayed")
        ] * 2
        assert forget_past(other, "replayed") == 2
        assert AlertBook(other, [DISK]).history() == []
    finally:
        other.close()
