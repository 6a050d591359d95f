"""Every default metric's exact value on the reference shop, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.collectors import COLLECTORS
from monitor.samples import Collection
from monitor.sources import Sources
from monitor.sources.machine import Machine
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


def _performance_from_log(tmp_path: Path, access_log: Path, settings_for) -> dict[str, float]:
    settings = settings_for(
        f"sqlite:///{tmp_path / 'none.sqlite'}", access_log={"path": str(access_log)}
    )
    sources = Sources.from_settings(settings)
    try:
        return _values(COLLECTORS["performance"](sources, NOW))
    finally:
        sources.close()


def test_it_reads_response_time_rate_and_errors_from_the_access_log(
    tmp_path: Path, access_log, settings_for
) -> None:
    got = _performance_from_log(tmp_path, access_log, settings_for)
    for name in (
        "performance.responseTime",
        "performance.requestsPerMinute",
        "performance.errorRate",
    ):
        assert got[name] == pytest.approx(EXPECTED_TRAFFIC[name]), name


class FixedMachine(Machine):
    """A host whose figures the test chooses."""

    def cpu_percent(self) -> float:
        return 37.5

    def memory_used_mb(self) -> float:
        return 2048.0

    def memory_percent(self) -> float:
        return 25.0

    def disk_percent(self, path: Path) -> float:
        assert path.exists()
        return 61.0

    def uptime_seconds(self) -> float:
        return 86400.0


def test_it_reports_the_machine_figures(tmp_path: Path, settings_for) -> None:
    settings = settings_for(f"sqlite:///{tmp_path / 'none.sqlite'}", demo={"enabled": False})
    sources = Sources.from_settings(settings)
    sources.machine = FixedMachine()
    got = _values(COLLECTORS["performance"](sources, NOW))
    sources.close()
    assert got == {
        "performance.cpuUsage": 37.5,
        "performance.memoryUsage": 2048.0,
        "performance.memoryPercent": 25.0,
        "performance.diskUsage": 61.0,
        "performance.uptime": 86400.0,
    }


def test_the_real_machine_gives_plausible_figures(tmp_path: Path) -> None:
    machine = Machine()
    assert 0 <= machine.cpu_percent() <= 100
    assert 0 <= machine.cpu_percent() <= 100  # the second call measures since the first
    assert 0 < machine.disk_percent(tmp_path / "not" / "yet") <= 100
    assert machine.memory_used_mb() > 10
    assert 0 < machine.memory_percent() < 100
    assert machine.uptime_seconds() > 0


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
        assert got[f"database.{table}.sizeBytes"] > 0
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


def test_it_times_each_tables_probe_in_a_read_only_transaction(
    reference_shop, settings_for
) -> None:
    tables = ["___xtr_customer", "___xtr_order"]
    # Accepted by the config (it starts with WITH), refused by the database: the probe runs
    # read-only like every query Vigie sends to the shop.
    sneaky = "WITH gone AS (DELETE FROM ___xtr_customer RETURNING 1) SELECT COUNT(*) FROM gone"
    probes = {"___xtr_customer": sneaky}
    settings = settings_for(
        reference_shop,
        source={"url": reference_shop, "critical_tables": tables, "table_probes": probes},
    )
    sources = Sources.from_settings(settings)
    collection = COLLECTORS["database_health"](sources, NOW)
    sources.close()
    got = _values(collection)
    assert got["database.___xtr_customer.accessible"] == 0
    [failure] = collection.failures
    assert failure.subject == "___xtr_customer"
    assert failure.text.startswith("probe of ___xtr_customer failed: ")
    assert got["database.___xtr_order.queryTime"] >= 0
    assert got["database.___xtr_order.recordCount"] == EXPECTED_COUNTS["___xtr_order"]
    settings = settings_for(
        reference_shop, source={"url": reference_shop, "critical_tables": tables}
    )
    sources = Sources.from_settings(settings)
    again = _values(COLLECTORS["database_health"](sources, NOW))
    sources.close()
    assert again["database.___xtr_customer.recordCount"] == EXPECTED_COUNTS["___xtr_customer"]


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
    got = _performance_from_log(tmp_path, access_log, settings_for)
    assert got["performance.malformedLogLines"] == 1


@pytest.fixture
def http_site():
    """A real HTTP server on 127.0.0.1: / answers 200, /broken answers 503."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(503 if self.path == "/broken" else 200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_it_probes_urls_and_falls_back_on_them_without_a_log(
    tmp_path: Path, http_site: str, settings_for
) -> None:
    probes = [
        {"name": "home", "url": f"{http_site}/"},
        {"name": "api", "url": f"{http_site}/broken"},
        {"name": "gone", "url": "http://127.0.0.1:1/", "timeout_s": 1},
    ]
    settings = settings_for(
        f"sqlite:///{tmp_path / 'none.sqlite'}", probes=probes, demo={"enabled": False}
    )
    sources = Sources.from_settings(settings)
    collection = COLLECTORS["performance"](sources, NOW)
    sources.close()
    up = {
        dict(s.labels)["probe"]: s.value
        for s in collection.samples
        if s.name == "performance.probe.up"
    }
    assert up == {"home": 1.0, "api": 0.0, "gone": 0.0}
    [home_ms] = [s.value for s in collection.samples if s.name == "performance.probe.responseTime"]
    assert 0 < home_ms < 1000
    assert _values(collection)["performance.responseTime"] == home_ms


def test_it_records_a_non_finite_value_as_a_failure(reference_shop, settings_for) -> None:
    settings = settings_for(
        reference_shop,
        metrics={
            "business.ratio": "SELECT CAST('NaN' AS DOUBLE PRECISION)"
            if reference_shop.startswith("postgresql")
            else "SELECT 1e999"
        },
    )
    sources = Sources.from_settings(settings)
    collection = COLLECTORS["business"](sources, NOW)
    sources.close()
    assert "business.ratio" not in _values(collection)
    assert [n.subject for n in collection.failures] == ["business.ratio"]


def test_it_explains_a_missing_conversion_rate(reference_shop, access_log, settings_for) -> None:
    settings = settings_for(
        reference_shop, access_log={"path": str(access_log)}, metrics={"business.paidOrders24h": ""}
    )
    sources = Sources.from_settings(settings)
    collection = COLLECTORS["business"](sources, NOW)
    sources.close()
    assert "business.conversionRate" not in _values(collection)
    [failure] = collection.failures
    assert "business.paidOrders24h" in failure.text
