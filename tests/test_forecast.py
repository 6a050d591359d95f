"""Backtests, forecasts and table growth on synthetic series whose truth is known."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from monitor.insights.forecast import (
    MODEL,
    NAIVE,
    SEASONAL,
    Accuracy,
    backtest,
    forecast,
    table_growth,
)
from monitor.insights.regression import DAY
from monitor.samples import Sample
from monitor.store import HistoryStore

T0 = 1_800_000_000.0
HOUR = 3600.0


def _hourly(days: float, value, seed: int = 0) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    return [(T0 + i * HOUR, value(i * HOUR / DAY, rng)) for i in range(int(days * 24))]


def test_a_real_trend_beats_both_baselines() -> None:
    points = _hourly(14, lambda d, rng: 40 + 2 * d + rng.gauss(0, 0.5))
    found = backtest("performance.diskUsage", points, daily=False)
    assert found is not None
    assert found.method == MODEL
    assert found.model_mae < found.naive_mae
    # Every 6 h from hour 48 to a day before the last point (hour 335).
    assert found.origins == len(range(48, 335 - 24 + 1, 6))


def test_a_random_walk_is_left_to_the_naive_forecast() -> None:
    # Nothing to learn: a trend fitted on a random walk forecasts worse than "it stays there".
    def walk(seed: int) -> list[tuple[float, float]]:
        rng, level, points = random.Random(seed), 50.0, []
        for i in range(14 * 24):
            level += rng.gauss(0, 1)
            points.append((T0 + i * HOUR, level))
        return points

    methods = [backtest("m", walk(seed), daily=False) for seed in range(20)]
    assert sum(m is not None and m.method != MODEL for m in methods) >= 15


def test_a_daily_rhythm_is_better_forecast_by_yesterday_than_by_the_last_value() -> None:
    def visits(d: float, rng: random.Random) -> float:
        return 300 + 200 * math.sin((d * 24 - 9) / 24 * 2 * math.pi) + rng.gauss(0, 10)

    found = backtest("performance.requestsPerMinute", _hourly(14, visits), daily=True)
    assert found is not None
    assert found.seasonal_mae < found.naive_mae / 3
    assert found.method in (MODEL, SEASONAL)


def test_a_baseline_forecast_carries_its_backtest_error_as_its_band() -> None:
    points = _hourly(7, lambda d, rng: 10 + rng.gauss(0, 1), seed=3)
    accuracy = Accuracy("m", 10, 24, model_mae=2.0, naive_mae=1.0, seasonal_mae=1.5)
    predicted = forecast("m", points, accuracy, daily=False)
    assert predicted is not None and predicted.method == NAIVE
    assert len(predicted.ts) == 24
    assert predicted.ts[0] == points[-1][0] + HOUR
    assert set(predicted.value) == {points[-1][1]}  # the last value goes on
    half = [hi - v for v, hi in zip(predicted.value, predicted.high, strict=True)]
    assert half == pytest.approx([1.96 * 1.25 * 1.0] * 24)


def test_a_model_forecast_widens_with_the_distance() -> None:
    points = _hourly(7, lambda d, rng: 40 + 2 * d + rng.gauss(0, 0.5), seed=3)
    accuracy = Accuracy("m", 10, 24, model_mae=0.1, naive_mae=1.0, seasonal_mae=1.5)
    predicted = forecast("m", points, accuracy, daily=False)
    assert predicted is not None and predicted.method == MODEL
    widths = [hi - lo for lo, hi in zip(predicted.low, predicted.high, strict=True)]
    assert widths == sorted(widths) and widths[-1] > widths[0]
    assert predicted.value[-1] == pytest.approx(40 + 2 * 8, abs=0.5)  # the trend, a day on


@pytest.mark.parametrize("share", ["performance.diskUsage", "performance.memoryPercent"])
def test_a_forecast_stays_within_what_the_metric_can_take(share: str) -> None:
    accuracy = Accuracy("m", 10, 24, model_mae=0.1, naive_mae=5.0, seasonal_mae=5.0)
    filling = _hourly(7, lambda d, rng: 88 + 1.5 * d + rng.gauss(0, 0.2), seed=1)
    disk = forecast(share, filling, accuracy, daily=False)
    assert disk is not None and max(disk.high) == 100.0 and max(disk.value) <= 100.0
    assert max(disk.low) < 100.0
    falling = _hourly(7, lambda d, rng: 8 - 1.1 * d + rng.gauss(0, 0.2), seed=1)
    times = forecast("performance.responseTime", falling, accuracy, daily=False)
    assert times is not None and min(times.low) == 0.0 and min(times.value) >= 0.0


def test_too_short_a_history_is_not_backtested() -> None:
    assert backtest("m", _hourly(1.5, lambda d, rng: 1.0), daily=False) is None


def test_it_forecasts_a_tables_growth(tmp_path: Path) -> None:
    store = HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}")
    now = T0 + 7 * DAY
    store.write(
        [
            Sample("database.___xtr_order.recordCount", 50_000 + 1_000 * (ts - T0) / DAY, int(ts))
            for ts in range(int(T0), int(now) + 1, 3600)
        ]
        + [
            Sample("database.___xtr_order.sizeBytes", 2**30 + 2**20 * (ts - T0) / DAY, int(ts))
            for ts in range(int(T0), int(now) + 1, 3600)
        ]
    )
    store.rollup(T0)
    growth = table_growth(store, "___xtr_order", now=now, days=30)
    assert growth is not None
    assert growth.rows_per_day == pytest.approx(1000, rel=0.01)
    assert growth.rows_then == pytest.approx(57_000 + 30_000, rel=0.01)
    # In the Tables page's words and sizes: the table's title, 1 GiB + 37 MiB.
    assert (
        growth.sentence() == "Orders will hold 87,000 rows / 1.04 GB in 30 days (+1,000 rows a day)"
    )
    assert table_growth(store, "___xtr_customer", now=now) is None  # never collected
    store.close()


def _ar_trend(seed: int, days: float) -> list[tuple[float, float]]:
    """A rising series with strongly autocorrelated noise: a slow hour is followed by another."""
    rng = random.Random(seed)
    noise, found = 0.0, []
    for i in range(int(days * 24)):
        noise = 0.85 * noise + rng.gauss(0, 0.8)
        found.append((T0 + i * HOUR, 40 + 1.5 * i / 24 + noise))
    return found


def test_the_forecast_band_is_widened_to_hold_what_the_backtest_saw() -> None:
    held_raw = held_widened = total = 0
    reported = []
    for seed in range(20):
        points = _ar_trend(seed, 15)
        known, future = points[: 14 * 24], dict(points[14 * 24 :])
        accuracy = backtest("m", known, daily=False)
        assert accuracy is not None
        predicted = forecast("m", known, accuracy, daily=False)
        assert predicted is not None
        factor = accuracy.widen[accuracy.method]
        reported.append(accuracy.held[accuracy.method])
        for ts, value, low, high in zip(
            predicted.ts, predicted.value, predicted.low, predicted.high, strict=True
        ):
            actual = future[ts]
            half = (high - low) / 2
            held_widened += low <= actual <= high
            held_raw += abs(actual - value) <= half / factor
            total += 1
    # Widened (or narrowed) by the backtest's factor, the band holds about 95 % of the next
    # day's readings; what the backtest said of the model's own band is what happened too.
    assert 0.88 <= held_widened / total <= 1.0, held_widened / total
    assert sum(reported) / len(reported) == pytest.approx(held_raw / total, abs=0.1)
