"""Every default metric's exact value on the reference shop, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.collectors import COLLECTORS
from monitor.samples import Collection
from monitor.sources import Sources
from tests.reference_shop import EXPECTED, EXPECTED_COUNTS, EXPECTED_TRAFFIC, NOW


def _values(collection: Collection) -> dict[str, float]:
    return {s.name: s.value for s in collection.samples if not s.labels}


def test_it_computes_every_business_and_seo_metric_exactly(
    reference_shop, access_log, settings_for
) -> None:
    settings = settings_for(reference_shop, access_log={"path": str(access_log)})
    sources = Sources.from_settings(settings)
    try:
        got = _values(COLLECTORS["business"](sources, NOW)) | _values(
            COLLECTORS["seo"](sources, NOW)
        )
    finally:
        sources.close()
    for name, expected in EXPECTED.items():
        assert got[name] == pytest.approx(expected), name
    assert got["business.visitors24h"] == EXPECTED_TRAFFIC["business.visitors24h"]
    assert got["business.conversionRate"] == pytest.approx(
        EXPECTED_TRAFFIC["business.conversionRate"]
    )


def test_it_reads_response_time_rate_and_errors_from_the_access_log(
    tmp_path: Path, access_log, settings_for
) -> None:
    settings = settings_for(
        f"sqlite:///{tmp_path / 'none.sqlite'}", access_log={"path": str(access_log)}
    )
    sources = Sources.from_settings(settings)
    got = _values(COLLECTORS["performance"](sources, NOW))
    sources.close()
    for name in (
        "performance.responseTime",
        "performance.requestsPerMinute",
        "performance.errorRate",
    ):
        assert got[name] == pytest.approx(EXPECTED_TRAFFIC[name]), name
    assert 0 <= got["performance.cpuUsage"] <= 100
    assert 0 < got["performance.diskUsage"] <= 100
    assert got["performance.memoryUsage"] > 0
    assert got["performance.uptime"] > 0


def test_it_reports_each_critical_table(reference_shop, settings_for) -> None:
    sources = Sources.from_settings(settings_for(reference_shop))
    collection = COLLECTORS["database_health"](sources, NOW)
    sources.close()
    got = _values(collection)
    assert got["database.up"] == 1
    assert got["database.responseTime"] > 0
    for table, count in EXPECTED_COUNTS.items():
        assert got[f"database.{table}.accessible"] == 1
        assert got[f"database.{table}.recordCount"] == count, table
        assert got[f"database.{table}.queryTime"] >= 0
    if sources.database.dialect == "postgresql":
        assert got["database.connections"] >= 1
        assert got["database.__sitemap_p_link.sizeBytes"] > 0
    advice = [n for n in collection.notes if n.kind == "recommendation"]
    assert [n.subject for n in advice] == ["___xtr_order_line"]
    assert "empty" in advice[0].text


def test_it_fails_one_broken_metric_and_keeps_the_others(reference_shop, settings_for) -> None:
    settings = settings_for(
        reference_shop,
        metrics={
            "business.broken": "SELECT nope FROM nowhere",
            "business.activeUsers": "",  # switched off
        },
    )
    sources = Sources.from_settings(settings)
    collection = COLLECTORS["business"](sources, NOW)
    sources.close()
    got = _values(collection)
    assert "business.broken" not in got
    assert "business.activeUsers" not in got
    assert got["business.orders24h"] == EXPECTED["business.orders24h"]
    assert got["business.revenue24h"] == pytest.approx(EXPECTED["business.revenue24h"])
    [failure] = collection.failures
    assert failure.subject == "business.broken"
    assert "nowhere" in failure.text


def test_it_records_a_missing_table_as_inaccessible(reference_shop, settings_for) -> None:
    settings = settings_for(
        reference_shop,
        source={"url": reference_shop, "critical_tables": ["___xtr_customer", "no_such_table"]},
    )
    sources = Sources.from_settings(settings)
    collection = COLLECTORS["database_health"](sources, NOW)
    sources.close()
    got = _values(collection)
    assert got["database.no_such_table.accessible"] == 0
    assert got["database.___xtr_customer.recordCount"] == 5
    assert [n.subject for n in collection.failures] == ["no_such_table"]


def test_it_fails_every_metric_when_the_database_is_unreachable(settings_for) -> None:
    url = "postgresql+psycopg://vigie:s3cret-pw@127.0.0.1:1/shop"
    settings = settings_for(url, source={"url": url, "connect_timeout_s": 1})
    sources = Sources.from_settings(settings)
    business = COLLECTORS["business"](sources, NOW)
    health = COLLECTORS["database_health"](sources, NOW)
    sources.close()
    assert {n.subject for n in business.failures} >= {"business.totalUsers", "business.orders24h"}
    assert _values(health) == {"database.up": 0}
    for note in business.notes + health.notes:
        assert "s3cret-pw" not in note.text
        assert "\n" not in note.text


def test_it_counts_malformed_log_lines_as_a_metric(
    tmp_path: Path, access_log, settings_for
) -> None:
    settings = settings_for(
        f"sqlite:///{tmp_path / 'none.sqlite'}", access_log={"path": str(access_log)}
    )
    sources = Sources.from_settings(settings)
    got = _values(COLLECTORS["performance"](sources, NOW))
    sources.close()
    assert got["performance.malformedLogLines"] == 1
