"""Recommendations: worded, ranked by severity, and "all good" only when nothing is wrong."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from monitor.alerts import Alert
from monitor.config import Settings
from monitor.insights.advice import recommend
from monitor.insights.findings import report
from monitor.insights.forecast import Growth
from monitor.insights.seasonal import Baseline
from monitor.overview import Freshness
from monitor.samples import Note
from tests.known_history import fill

NOW = 1_800_000_000.0
FRESH = [Freshness("performance", int(NOW) - 60, 120, 60.0)]


def _alert(rule: str, severity: str, message: str, value: float) -> Alert:
    return Alert(
        1, rule, "performance.diskUsage", "performance.diskUsage", "", severity, severity,
        "open", value, 95, message, NOW, NOW, None, None, None, None,
    )  # fmt: skip


def _nothing(**overrides: object) -> dict[str, Any]:
    return {
        "active": [],
        "predicted": [],
        "freshness": FRESH,
        "baselines": [],
        "table_notes": [],
        "growth": [],
    } | overrides


def test_it_says_nothing_when_all_is_well() -> None:
    assert recommend(**_nothing()) == []


def test_it_words_an_open_alert_with_why_and_what_to_do() -> None:
    [advice] = recommend(
        **_nothing(active=[_alert("disk_full", "critical", "The data disk is filling up", 97)])
    )
    assert advice.severity == "critical"
    assert advice.what == "The data disk is filling up: Disk usage is 97 %"
    assert "orders are lost" in advice.why
    assert advice.action.startswith("Free space")


def test_it_ranks_the_most_severe_first() -> None:
    found = recommend(
        **_nothing(
            active=[_alert("cpu_high", "warning", "The CPU is busy", 90)],
            table_notes=[Note("___xtr_order", "recommendation", "run ANALYZE", int(NOW))],
            freshness=[Freshness("performance", int(NOW) - 900, 120, 900.0)],
        )
    )
    assert [a.severity for a in found] == ["error", "warning", "info"]
    assert found[0].what == "The collector has stopped writing (machine and site figures)"


def test_a_prediction_already_alerted_is_not_said_twice() -> None:
    issue = {"rule": "disk_full", "metric": "performance.diskUsage", "threshold": 80.0,
             "inDays": 3.5, "confidence": 0.93}  # fmt: skip
    [advice] = recommend(**_nothing(predicted=[issue]))
    assert advice.what == "Disk usage is expected to reach 80 % in 3.5 days (93% confidence)"
    assert advice.severity == "warning"
    alert = _alert("disk_full", "warning", "The data disk is filling up", 82)
    assert len(recommend(**_nothing(predicted=[issue], active=[alert]))) == 1


def test_only_a_notable_departure_from_the_usual_week_is_advice() -> None:
    quiet = Baseline("business.orders24h", 90, 100, 4, NOW)  # 10 % below: a normal wobble
    low = Baseline("business.orders24h", 40, 100, 4, NOW)
    assert recommend(**_nothing(baselines=[quiet])) == []
    [advice] = recommend(**_nothing(baselines=[low]))
    assert advice.severity == "warning"
    assert "60 % below a normal" in advice.what


def test_a_fast_growing_table_is_worth_planning_for() -> None:
    slow = Growth("___xtr_order", 30, 100_000, 100, None, None)
    fast = Growth("___xtr_order", 30, 100_000, 2_000, None, None)
    assert recommend(**_nothing(growth=[slow])) == []
    [advice] = recommend(**_nothing(growth=[fast]))
    assert advice.what == "Orders will hold 160,000 rows in 30 days (+2,000 rows a day)"


def test_the_report_is_not_all_good_with_an_alert_open(tmp_path: Path) -> None:
    url = fill(tmp_path / "history.sqlite")
    settings = Settings.model_validate(
        {"data_dir": str(tmp_path), "store": {"url": url}, "source": {"url": "sqlite:///x.db"}}
    )
    from monitor.store import HistoryStore

    store = HistoryStore(url)
    found = report(store, settings, now=time.time())
    store.close()
    assert found["allGood"] is False
    assert found["advice"][0]["severity"] == "critical"
    assert found["recommendations"][0].startswith("The data disk is filling up")
    assert len(found["recommendations"]) == len(found["advice"])
