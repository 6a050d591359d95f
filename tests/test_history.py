"""Figures against the previous period, and business figures by day and by hour."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.history import by_day, change, hour_profile
from monitor.samples import Sample
from monitor.store import HistoryStore
from monitor.timerange import DAY, preset

NOW = 1_800_000_000.0  # 2027-01-15 08:00 UTC


@pytest.fixture
def history(tmp_path: Path) -> Iterator[HistoryStore]:
    store = HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}")
    yield store
    store.close()


def test_a_year_ago_is_read_from_the_rollups_once_raw_samples_are_pruned(
    history: HistoryStore,
) -> None:
    start = int(NOW - 400 * DAY)
    history.write(
        [
            Sample("business.orders24h", 100 + (ts - start) // DAY, ts)
            for ts in range(start, int(NOW), 3600)
        ]
    )
    history.rollup(start)
    history.prune(NOW, raw_days=30, rollup_days=400)
    found = change(history, "business.orders24h", preset("1 y", NOW))
    assert found.value == 499  # the newest day
    assert found.previous == 135  # a year ago exactly, from its hourly rollup
    assert found.percent == pytest.approx((499 - 135) / 135 * 100)


def test_a_day_is_its_last_reading(
    history: HistoryStore,
) -> None:
    day = int(NOW // DAY * DAY)  # 2027-01-15 00:00 UTC
    history.write(
        [
            Sample("business.orders24h", 10, day - 3600),
            Sample("business.orders24h", 12, day - 600),  # 2027-01-14's last
            Sample("business.orders24h", 3, day + 60),
            Sample("business.orders24h", 5, day + 1800),
        ]
    )
    history.rollup(day - DAY)
    rng = preset("7 d", NOW)  # read from the hourly rollups, as any period past two days
    assert by_day(history, ["business.orders24h"], rng) == [
        {"day": "2027-01-14", "business.orders24h": 11},
        {"day": "2027-01-15", "business.orders24h": 4},
    ]


def test_no_previous_sample_means_no_change(history: HistoryStore) -> None:
    history.write([Sample("seo.totalPages", 714336, int(NOW) - 60)])
    found = change(history, "seo.totalPages", preset("24 h", NOW))
    assert (found.value, found.previous, found.percent) == (714336, None, None)


def test_a_swinging_figure_is_summed_up_by_its_average_not_one_sample(tmp_path: Path) -> None:
    from monitor.history import change
    from monitor.samples import Sample
    from monitor.store import HistoryStore
    from monitor.timerange import preset

    store = HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}")
    now = 1_800_000_000.0
    # CPU at 20 % all day, one sample at 100 % just now; the day before, 30 % throughout.
    day = [Sample("performance.cpuUsage", 20.0, now - 86400 + 120 * i) for i in range(1, 720)]
    before = [
        Sample("performance.cpuUsage", 30.0, now - 2 * 86400 + 120 * i) for i in range(1, 720)
    ]
    store.write([*day, *before, Sample("performance.cpuUsage", 100.0, now)])
    rng = preset("24 h", now)
    latest = change(store, "performance.cpuUsage", rng)
    average = change(store, "performance.cpuUsage", rng, "average")
    store.close()
    assert latest.value == 100.0  # one sample
    assert average.value is not None and 20.0 < average.value < 20.2
    assert average.previous == 30.0 and average.summary == "average"


@pytest.mark.parametrize("period", ["24 h", "7 d"])  # raw samples, then hourly rollups
def test_the_hour_profile_is_what_each_hour_adds_to_the_days_count(
    history: HistoryStore, period: str
) -> None:
    day = int(NOW // DAY * DAY) - DAY  # 2027-01-14 00:00 UTC
    today = "business.ordersToday"
    # Two days: 2 orders in the 09:00 hour, 4 more in the 10:00 hour (then 6 in the 10:00 hour
    # the second day); the count starts again at midnight.
    counts = [(day + 9 * 3600 + 300, 1), (day + 9 * 3600 + 3000, 2), (day + 10 * 3600 + 1800, 6),
              (day + DAY + 600, 0), (day + DAY + 9 * 3600 + 600, 2),
              (day + DAY + 10 * 3600 + 600, 8)]  # fmt: skip
    history.write([Sample(today, value, ts) for ts, value in counts])
    history.rollup(day - DAY)
    rows = hour_profile(history, [today], preset(period, day + DAY + 12 * 3600))
    by_hour = {row["hour"]: row[today] for row in rows}
    assert len(rows) == 24 and by_hour["00:00"] == 0
    if period == "7 d":
        assert (by_hour["09:00"], by_hour["10:00"]) == (2, 5)  # (4 + 6) / 2 days
    else:  # the last 24 h hold the second day only
        assert (by_hour["09:00"], by_hour["10:00"]) == (2, 6)
    assert by_hour["03:00"] is None  # never seen
