"""Calibration benchmark (on demand, not a test): do Insights' predictions mean what they say?

Builds series with a known future, hourly as Insights reads 14 days of history, in five
families: a trend with autocorrelated noise, a trend with daily and weekly cycles, a random
walk with drift, a step then a trend, and no trend at all (daily cycle and noise). The
threshold is put where the underlying trend crosses it 1 to 6 days after the last reading; the
truth is the first hour the simulated future actually passes it. Prints, for the 80 % and
95 % intervals, stated against observed coverage; the median relative error of the crossing
time; the false-issue rate on the series with no trend; how often issues predicted with each
confidence happened within the horizon; and the anomaly detector's precision and recall on
injected spikes, steps and drifts.

    .venv/bin/python bench/calibration_bench.py [--series 60]   (per family)
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from monitor.insights.calibration import Interval, predicted_crossing
from monitor.insights.regression import DAY, anomalies

HOUR = 3600.0
PAST_H, FUTURE_H = 14 * 24, 40 * 24
HORIZON = 7.0
LEVELS = (0.8, 0.95)
END = 1_800_000_000.0 // DAY * DAY + 13 * HOUR  # the last reading: 13:00 UTC


def _ar(rng: np.random.Generator, n: int, sd: float, rho: float) -> np.ndarray:
    noise = np.empty(n)
    noise[0] = rng.normal(0, sd)
    shocks = rng.normal(0, sd * math.sqrt(1 - rho**2), n)
    for i in range(1, n):
        noise[i] = rho * noise[i - 1] + shocks[i]
    return noise


Family = Callable[[np.random.Generator, np.ndarray], tuple[np.ndarray, float, float]]


def linear(rng: np.random.Generator, hours: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(series, slope a day, the trend's level at the last reading)."""
    slope = rng.uniform(0.5, 3.0)
    level = 40 + rng.uniform(-5, 5)
    noise = _ar(rng, len(hours), rng.uniform(0.5, 2.0), rng.uniform(0.5, 0.9))
    return level + slope * hours / 24 + noise, slope, level


def cycles(rng: np.random.Generator, hours: np.ndarray) -> tuple[np.ndarray, float, float]:
    series, slope, level = linear(rng, hours)
    day = rng.uniform(1, 6) * np.sin(2 * np.pi * (hours + 13) / 24)
    week = rng.uniform(0, 2) * np.sin(2 * np.pi * hours / (7 * 24) + rng.uniform(0, 2 * np.pi))
    return series + day + week, slope, level


def random_walk(rng: np.random.Generator, hours: np.ndarray) -> tuple[np.ndarray, float, float]:
    slope = rng.uniform(1.0, 3.0)
    steps = rng.normal(slope / 24, rng.uniform(0.1, 0.3), len(hours))
    walk = np.cumsum(steps)
    walk -= walk[PAST_H - 1]  # the walk stands at 0 at the last reading
    level = 40.0
    return level + walk, slope, level


def step_then_trend(rng: np.random.Generator, hours: np.ndarray) -> tuple[np.ndarray, float, float]:
    slope = rng.uniform(0.5, 3.0)
    since = -rng.uniform(4, 6) * 24  # the trend began 4-6 days before the last reading
    level = 40.0
    trend = np.where(hours >= since, slope * (hours - since) / 24, 0.0)
    base = level - slope * (-since) / 24
    step = np.where(hours >= since - 24 * rng.uniform(1, 3), rng.uniform(3, 8), 0.0)
    noise = _ar(rng, len(hours), rng.uniform(0.5, 1.5), 0.7)
    return base + step + trend + noise - step[PAST_H - 1] + step, slope, level + step[-1]


def flat(rng: np.random.Generator, hours: np.ndarray) -> tuple[np.ndarray, float, float]:
    level = 40 + rng.uniform(-5, 5)
    day = rng.uniform(0, 5) * np.sin(2 * np.pi * (hours + 13) / 24)
    return level + day + _ar(rng, len(hours), rng.uniform(0.5, 2.0), 0.8), 0.0, level


FAMILIES: dict[str, Family] = {
    "trend + AR(1) noise": linear,
    "trend + daily/weekly": cycles,
    "random walk + drift": random_walk,
    "step, then trend": step_then_trend,
}


@dataclass(frozen=True)
class Result:
    truth: float  # days to the first reading past the threshold (inf: not within 40 days)
    by_level: dict[float, Interval | None]


def run(family: Family, rng: np.random.Generator, daily: bool) -> Result:
    hours = np.arange(-PAST_H + 1, FUTURE_H + 1, dtype=float)  # 0 = the last reading
    series, slope, level = family(rng, hours)
    if slope:
        threshold = level + slope * rng.uniform(1, 6)
    else:  # no trend: a threshold a little above the highest reading so far
        threshold = float(series[:PAST_H].max()) + rng.uniform(0.5, 3)
    ts = END + hours * HOUR
    past = list(zip(ts[:PAST_H], series[:PAST_H], strict=True))
    future = series[PAST_H:]
    passed = np.nonzero(future >= threshold)[0]
    truth = (passed[0] + 1) / 24 if len(passed) else math.inf
    predicted = predicted_crossing(past, threshold, True, daily=daily, horizon_days=HORIZON,
                                   levels=LEVELS)  # fmt: skip
    found = {level: None if predicted is None else predicted[1][level] for level in LEVELS}
    return Result(truth, found)


def anomaly_scores(rng: np.random.Generator, count: int) -> tuple[float, float]:
    """Precision and recall of the detector on a week of hourly readings with one injected
    spike, step or drift each (an event is found when a flagged point falls inside it)."""
    true_hits = flagged = found_events = 0
    for i in range(count):
        hours = np.arange(7 * 24, dtype=float)
        base = 50 + 3 * np.sin(2 * np.pi * hours / 24) + _ar(rng, len(hours), 1.0, 0.5)
        at = int(rng.integers(48, len(hours) - 24))
        kind = ("spike", "step", "drift")[i % 3]
        if kind == "spike":
            base[at] += rng.choice([-1, 1]) * rng.uniform(12, 20)
            event = range(at, at + 1)
        elif kind == "step":
            base[at : at + 6] += rng.uniform(12, 20)  # a level that jumps, then comes back
            event = range(at, at + 6)
        else:
            ramp = np.clip((hours - at) / 6, 0, 1) * rng.uniform(12, 20)
            base += np.where(hours < at + 12, ramp, 0)  # drifts away for 12 h, then back
            event = range(at, at + 12)
        points = list(zip(END + hours * HOUR, base, strict=True))
        flags = {round((t - END) / HOUR) for t, _ in anomalies(points, daily=True)}
        flagged += len(flags)
        true_hits += len(flags & set(event))
        found_events += bool(flags & set(event))
    return (true_hits / flagged if flagged else 1.0), found_events / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=60, help="series per family")
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.monotonic()
    results: dict[str, list[Result]] = {}
    for name, family in FAMILIES.items():
        daily = name != "trend + AR(1) noise"
        results[name] = [run(family, rng, daily=daily) for _ in range(args.series)]
    flats = [run(flat, rng, daily=True) for _ in range(args.series)]
    total = sum(len(r) for r in results.values()) + len(flats)
    print(f"{total} series ({args.series} per family), {time.monotonic() - started:.0f} s\n")
    print(f"{'family':24} {'predicted':>9} {'80 % held':>10} {'95 % held':>10} {'median err':>11}")
    every = [r for rows in results.values() for r in rows]
    for name, rows in [*results.items(), ("all with a trend", every)]:
        told = [r for r in rows if r.by_level[0.95] is not None]
        held = {
            level: [
                i.days_low <= r.truth <= i.days_high
                for r in rows
                if (i := r.by_level[level]) is not None
            ]
            for level in LEVELS
        }
        errors = [
            abs(i.days - r.truth) / r.truth
            for r in told
            if (i := r.by_level[0.95]) is not None and math.isfinite(r.truth)
        ]
        print(
            f"{name:24} {len(told):>4}/{len(rows):<4} "
            f"{100 * np.mean(held[0.8] or [False]):>9.0f}% "
            f"{100 * np.mean(held[0.95] or [False]):>9.0f}% "
            f"{100 * statistics.median(errors or [0]):>10.1f}%"
        )
    false = [r for r in flats if r.by_level[0.95] is not None]
    print(f"\nno trend: {len(false)} of {len(flats)} series predicted an issue "
          f"({100 * len(false) / len(flats):.1f} % false issues)")  # fmt: skip
    print("\nconfidence   issues   happened within the horizon")
    issues = [(i, r.truth) for r in [*every, *flats] if (i := r.by_level[0.95]) is not None]
    for low, high in ((0.5, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 1.01)):
        bucket = [truth for i, truth in issues if low <= i.confidence < high]
        if bucket:
            happened = sum(truth <= HORIZON for truth in bucket)
            share = 100 * happened / len(bucket)
            print(f"{low:.2f}-{min(high, 1):.2f}   {len(bucket):>6}   {share:.0f} %")
    precision, recall = anomaly_scores(rng, 3 * args.series)
    print(f"\nanomalies (spikes, steps, drifts): precision {precision:.2f}, recall {recall:.2f}")


if __name__ == "__main__":
    main()
