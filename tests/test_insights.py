"""Insights on synthetic series whose truth is known."""

from __future__ import annotations

import math
import random

from monitor.insights.calibration import predicted_crossing
from monitor.insights.findings import DAY, anomalies, fit, trend

T0 = 1_800_000_000.0
STEP = 600.0  # a sample every 10 minutes


def _series(days: float, value, seed: int = 0) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    return [(T0 + i * STEP, value(i * STEP / DAY, rng)) for i in range(int(days * DAY / STEP))]


def test_it_predicts_when_a_rising_metric_crosses_its_threshold() -> None:
    # Disk rising 1 %/day from 60 % with noise; 90 % is 30 - 14 = 16 days after the last point.
    points = _series(14, lambda d, rng: 60 + d + rng.gauss(0, 0.5))
    found = predicted_crossing(points, 90, True, daily=False, history_days=14, horizon_days=30)
    assert found is not None
    predicted = found[1][0.95]
    true_days = 30 - points[-1][0] / DAY + T0 / DAY
    assert abs(predicted.days - true_days) <= 0.1 * true_days
    assert predicted.days_low <= true_days <= predicted.days_high
    assert predicted.days_high - predicted.days_low < 0.5 * true_days  # and says something
    assert predicted.confidence > 0.9


def test_a_flat_noisy_metric_rarely_raises_a_predicted_issue() -> None:
    raised = 0
    for seed in range(100):
        points = _series(7, lambda d, rng: 50 + rng.gauss(0, 5), seed)
        if predicted_crossing(points, 80, True, daily=False, horizon_days=7) is not None:
            raised += 1
    assert raised < 5


def test_a_daily_rhythm_without_trend_is_not_a_predicted_outage() -> None:
    # Orders per hour: busy by day, near zero at night; the threshold sits above the nightly dip.
    def orders(d: float, rng: random.Random) -> float:
        hour = (d * 24) % 24
        return max(0.0, 8 + 7 * math.sin((hour - 9) / 24 * 2 * math.pi) + rng.gauss(0, 1))

    points = _series(14, orders, seed=4)
    fitted = fit(points, daily=True)
    assert fitted is not None
    assert trend(fitted) == "stable"
    assert predicted_crossing(points, 2, False, daily=True, horizon_days=7) is None


def test_a_step_change_is_flagged_as_an_anomaly() -> None:
    # Response time steps from ~100 ms to ~160 ms for the last two hours of three days.
    points = _series(3, lambda d, rng: 100 + (60 if d > 2.92 else 0) + rng.gauss(0, 2), seed=9)
    step = [t for t, _ in points if (t - T0) / DAY > 2.92]
    flagged = [t for t, _ in anomalies(points)]
    assert flagged == step  # every point after the step, and nothing before it


def test_a_single_spike_is_flagged_alone() -> None:
    points = _series(3, lambda d, rng: 100 + rng.gauss(0, 2), seed=9)
    points[200] = (points[200][0], 160.0)
    assert [t for t, _ in anomalies(points)] == [points[200][0]]


def test_a_rounded_reading_on_a_smooth_series_is_no_anomaly() -> None:
    # A disk filling smoothly, then a live reading rounded to 0.1 % (as psutil gives it).
    points = _series(7, lambda d, rng: 24.6 + 0.07 * d, seed=1)
    points[-1] = (points[-1][0], round(points[-1][1] + 0.04, 1))
    assert anomalies(points) == []
    points[-1] = (points[-1][0], points[-1][1] + 3.0)  # a real jump still shows
    assert [t for t, _ in anomalies(points)] == [points[-1][0]]


def test_it_names_the_direction_of_a_significant_trend() -> None:
    rising = fit(_series(7, lambda d, rng: 100 + 5 * d + rng.gauss(0, 1)))
    assert trend(rising) == "growing"
    assert trend(rising, higher_is_better=False) == "worsening"
    flat = fit(_series(7, lambda d, rng: 100 + rng.gauss(0, 1)))
    assert trend(flat) == "stable"


def test_it_lists_the_rule_a_trend_will_break_and_the_area_trends(tmp_path) -> None:
    from monitor.config import DEFAULT_ALERT_RULES
    from monitor.insights.findings import summarize
    from monitor.samples import Sample
    from monitor.store import HistoryStore

    store = HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}")
    rng = random.Random(1)
    now = T0 + 7 * DAY
    # Disk from 65 % rising 1.5 %/day: 75.5 % now, the 80 % warning in 3 days.
    store.write(
        [
            Sample("performance.diskUsage", 65 + 1.5 * i / 144 + rng.gauss(0, 0.3), T0 + i * STEP)
            for i in range(7 * 144)
        ]
    )
    store.rollup(T0)
    summary = summarize(store, DEFAULT_ALERT_RULES, now=now)
    store.close()
    [issue] = summary["predictedIssues"]
    assert issue["rule"] == "disk_full" and issue["severity"] == "warning"
    assert abs(issue["inDays"] - 3) <= 0.3
    # Only the disk was collected: no area's own metric has history to say anything about.
    assert set(summary["trends"].values()) == {"not enough data"}
    # The registry says less disk in use is better: a filling disk is worsening.
    assert summary["metricTrends"]["performance.diskUsage"] == "worsening"


def test_it_compares_a_metric_with_the_same_hour_of_previous_weeks(tmp_path) -> None:
    from monitor.insights.seasonal import baseline as seasonal_baseline
    from monitor.samples import Sample
    from monitor.store import HistoryStore

    store = HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}")
    now = T0 + 29 * DAY
    usual = [
        Sample("business.orders24h", v, now - week * 7 * DAY)
        for week, v in ((1, 95), (2, 100), (3, 105), (4, 110))
    ]
    store.write([*usual, Sample("business.orders24h", 60, now - 60)])
    baseline = seasonal_baseline(store, "business.orders24h", now=now)
    store.close()
    assert baseline is not None and baseline.usual == 102.5 and baseline.weeks == 4
    assert round(baseline.deviation_percent) == -41
    assert "41 % below a normal" in baseline.sentence()


def test_it_needs_two_past_weeks_for_a_baseline(tmp_path) -> None:
    from monitor.insights.seasonal import baseline as seasonal_baseline
    from monitor.samples import Sample
    from monitor.store import HistoryStore

    store = HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}")
    now = T0 + 29 * DAY
    store.write(
        [Sample("business.orders24h", 100, now - 7 * DAY), Sample("business.orders24h", 60, now)]
    )
    assert seasonal_baseline(store, "business.orders24h", now=now) is None
    store.close()


def test_only_issues_within_the_horizon_are_listed(tmp_path) -> None:
    from monitor.config import DEFAULT_ALERT_RULES
    from monitor.insights.findings import summarize
    from monitor.samples import Sample
    from monitor.store import HistoryStore

    # Disk rising 1 %/day from 60 %: the warning (80 %) is 10 days after the last point.
    store = HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}")
    rng = random.Random(2)
    end = int(T0 + 10 * DAY)
    store.write(
        [
            Sample("performance.diskUsage", 60 + (ts - T0) / DAY + rng.gauss(0, 0.2), ts)
            for ts in range(int(T0), end + 1, 600)
        ]
    )
    store.rollup(T0)
    rules = [r for r in DEFAULT_ALERT_RULES if r.name == "disk_full"]
    assert summarize(store, rules, now=end, horizon_days=7)["predictedIssues"] == []
    [issue] = summarize(store, rules, now=end, horizon_days=14)["predictedIssues"]
    assert issue["threshold"] == 80
    assert 9 <= issue["inDays"] <= 11
    assert issue["backtested"] is True
    store.close()


def test_a_wildcard_rule_is_predicted_for_each_table_it_watches(tmp_path) -> None:
    from monitor.config import AlertRule
    from monitor.insights.findings import summarize
    from monitor.samples import Sample
    from monitor.store import HistoryStore

    store = HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}")
    rng = random.Random(5)
    end = int(T0 + 7 * DAY)
    # Orders slow down 10 ms a day (20 → 90 ms); customers stay at 20 ms.
    store.write(
        [
            Sample("database.orders.queryTime", 20 + 10 * (ts - T0) / DAY + rng.gauss(0, 1), ts)
            for ts in range(int(T0), end + 1, 600)
        ]
        + [
            Sample("database.customers.queryTime", 20 + rng.gauss(0, 1), ts)
            for ts in range(int(T0), end + 1, 600)
        ]
    )
    store.rollup(T0)
    rule = AlertRule(name="table_slow", metric="database.*.queryTime", warning=100)
    [issue] = summarize(store, [rule], now=end)["predictedIssues"]
    store.close()
    assert issue["metric"] == "database.orders.queryTime"
    assert abs(issue["inDays"] - 1) <= 0.2


def test_the_line_above_the_advice_never_contradicts_the_anomalies() -> None:
    from monitor.insights.findings import in_short

    assert in_short(0, 0) == "All good: no alert open, nothing predicted, nothing unusual."
    said = in_short(0, 3)
    assert said is not None and "nothing unusual" not in said and "3 unusual reading" in said
    assert in_short(2, 3) is None  # the advice speaks for itself
