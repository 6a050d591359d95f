"""Periods and charts thinned to what a browser draws smoothly."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.store import Point
from monitor.timerange import DAY, MAX_POINTS, custom, preset, thin

NOW = 1_800_000_000.0


def test_a_preset_ends_now_and_its_previous_period_comes_just_before() -> None:
    week = preset("7 d", NOW)
    assert (week.start, week.end) == (NOW - 7 * DAY, NOW)
    before = week.previous()
    assert (before.start, before.end) == (NOW - 14 * DAY, NOW - 7 * DAY)


def test_an_unknown_preset_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="24 h, 7 d, 30 d, 1 y"):
        preset("2 w", NOW)


def test_a_custom_period_takes_whole_days_in_any_order() -> None:
    found = custom(date(2026, 11, 20), date(2026, 11, 10), now=NOW)
    assert found.start == 1_794_268_800.0  # 2026-11-10 00:00 UTC
    assert found.end == 1_795_219_200.0  # 2026-11-21 00:00 UTC
    assert found.label == "2026-11-10 → 2026-11-20"


def test_a_custom_period_never_ends_in_the_future() -> None:
    # NOW is 2027-01-15 08:00 UTC: a period through today stops at now.
    assert custom(date(2027, 1, 1), date(2027, 1, 15), now=NOW).end == NOW


def test_a_year_of_samples_is_thinned_keeping_its_extremes() -> None:
    year = preset("1 y", NOW)
    points = [Point(int(year.start) + i * 120, 50.0, 50.0, 50.0) for i in range(262_800)]
    points[100_000] = Point(points[100_000].ts, 99.0, 99.0, 99.0)  # one spike
    thinned = thin(points, year)
    assert len(thinned) <= MAX_POINTS
    assert max(p.max for p in thinned) == 99.0
    assert [p.ts for p in thinned] == sorted(p.ts for p in thinned)


def test_a_short_series_is_left_alone() -> None:
    points = [Point(int(NOW) - i, 1.0, 1.0, 1.0) for i in range(10)][::-1]
    assert thin(points, preset("24 h", NOW)) == points


def test_an_hour_starting_before_the_period_joins_its_first_bucket() -> None:
    year = preset("1 y", NOW)
    start_hour = int(year.start) // 3600 * 3600  # the rollup hour the period starts in
    points = [Point(start_hour + i * 3600, 1.0, 0.0, 2.0) for i in range(8761)]
    assert len(thin(points, year)) == MAX_POINTS
