"""The Prometheus export: names in Prometheus' conventions and base units, labels, HELP from the
registry, Vigie's own state, no stale timestamps, OpenMetrics on request."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from monitor.api.backend import Backend
from monitor.api.prometheus import State, exposition
from monitor.config import Settings
from monitor.metrics import catalog, shipped
from monitor.metrics.exposed import exposed
from monitor.store import Latest

CAT = shipped()


@pytest.mark.parametrize(
    ("name", "family", "label", "factor"),
    [
        ("business.orders24h", "vigie_business_orders_24h", "", 1.0),
        ("performance.responseTime", "vigie_performance_response_time_seconds", "", 0.001),
        ("database.*.queryTime", "vigie_database_table_query_time_seconds", "table", 0.001),
        ("database.*.sizeBytes", "vigie_database_table_size_bytes", "table", 1.0),
        ("database.*.recordCount", "vigie_database_table_rows", "table", 1.0),
        ("performance.cpuUsage", "vigie_performance_cpu_usage_ratio", "", 0.01),
        ("performance.errorRate", "vigie_performance_error_ratio", "", 0.01),
        ("performance.memoryUsage", "vigie_performance_memory_usage_bytes", "", 1024.0**2),
        ("performance.uptime", "vigie_performance_uptime_seconds", "", 1.0),
        ("business.minutesSinceLastOrder", "vigie_business_time_since_last_order_seconds", "", 60),
        ("notifications.*.failing", "vigie_notifications_channel_failing", "channel", 1.0),
        ("performance.probe.up", "vigie_performance_probe_up", "", 1.0),
    ],
)
def test_it_names_each_metric_in_prometheus_conventions(
    name: str, family: str, label: str, factor: float
) -> None:
    shown = exposed(CAT.get(name))
    assert (shown.family, shown.label, shown.factor) == (family, label, factor)


def test_a_configured_metric_is_named_from_its_own_words_and_never_as_a_counter() -> None:
    settings = Settings.model_validate(
        {
            "metrics": {
                "business.newsletterSignups": {"sql": "SELECT 1", "title": "Newsletter sign-ups"},
                "business.refundsTotal": {"sql": "SELECT 1", "exposed": "refunds"},
                "business.giftsTotal": "SELECT 1",
            }
        }
    )
    cat = catalog(settings)
    assert exposed(cat.get("business.newsletterSignups")).family == (
        "vigie_business_newsletter_signups"
    )
    assert exposed(cat.get("business.refundsTotal")).family == "vigie_business_refunds"
    # `_total` is a counter's suffix; a gauge of totals says so otherwise.
    assert exposed(cat.get("business.giftsTotal")).family == "vigie_business_gifts_totals"


def test_help_says_the_title_and_the_unit_the_same_for_every_table() -> None:
    body, _ = exposition(
        [
            ("database.orders.queryTime", (), Latest(2.5, 1_800_000_000, False)),
            ("database.customers.queryTime", (), Latest(0.5, 1_800_000_000, False)),
            ("business.revenue24h", (), Latest(15420.5, 1_800_000_000, False)),
        ],
        CAT,
    )
    text = body.decode()
    assert text.count("# HELP vigie_database_table_query_time_seconds ") == 1
    assert (
        "# HELP vigie_database_table_query_time_seconds Read time: time the table's probe query "
        "took (seconds)\n" in text
    )
    assert 'vigie_database_table_query_time_seconds{table="orders"} 0.0025\n' in text
    assert 'vigie_database_table_query_time_seconds{table="customers"} 0.0005\n' in text
    assert "(EUR)\n" in text and "vigie_business_revenue_24h 15420.5\n" in text
    assert "orders" not in text.split("# HELP vigie_database_table_query_time_seconds")[1][:80]


def test_it_keeps_every_label_of_a_family_and_no_timestamps() -> None:
    body, content_type = exposition(
        [
            ("performance.probe.up", (("probe", "home"),), Latest(1.0, 1_800_000_000, False)),
            ("performance.probe.up", (("probe", "api"),), Latest(0.0, 1_800_000_000, False)),
            ("performance.diskUsage", (), Latest(24.1, 1_800_000_000, False)),
        ],
        CAT,
    )
    text = body.decode()
    assert 'vigie_performance_probe_up{probe="home"} 1.0\n' in text
    assert 'vigie_performance_probe_up{probe="api"} 0.0\n' in text
    assert "vigie_performance_disk_usage_ratio 0.241\n" in text  # not 0.24100000000000002
    assert "1800000000" not in text
    assert content_type.startswith("text/plain")


def test_it_tells_vigies_own_state() -> None:
    state = State(
        alerts=[("disk_full", "performance.diskUsage", "critical")],
        collectors={"performance": 1_800_000_000.0, "seo": None},
        jobs={"maintenance": {"waiting": 2, "active": 0}},
        store_bytes=4096,
    )
    text = exposition([], CAT, state)[0].decode()
    assert (
        'vigie_alert{rule="disk_full",severity="critical",subject="performance.diskUsage"} 1.0'
        in text
    )
    assert 'vigie_alerts_open{severity="critical"} 1.0' in text
    assert 'vigie_alerts_open{severity="warning"} 0.0' in text
    assert 'vigie_collector_last_success_timestamp_seconds{collector="performance"} 1.8e+09' in text
    assert 'collector="seo"' not in text  # never ran: absent, not a zero in 1970
    assert 'vigie_jobs{queue="maintenance",state="waiting"} 2.0' in text
    assert "vigie_store_size_bytes 4096.0" in text
    assert 'vigie_build_info{version="' in text


def test_it_speaks_openmetrics_to_a_scraper_that_asks() -> None:
    accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
    body, content_type = exposition([], CAT, State(), accept)
    assert content_type.startswith("application/openmetrics-text")
    assert body.decode().endswith("# EOF\n")
    assert exposition([], CAT, State(), "text/plain")[1].startswith("text/plain")


def test_many_scrapers_at_once_cost_one_rendering_a_second(tmp_path: Path) -> None:
    import asyncio
    import threading

    backend = Backend(Settings.model_validate({"data_dir": str(tmp_path)}))
    rendered: list[float] = []
    release = threading.Event()

    def render() -> str:
        release.wait(5)  # a slow rendering: the scrapers arrive while it runs
        rendered.append(time.monotonic())
        return f"body {len(rendered)}"

    async def scrapes() -> list[str]:
        first = await backend.fresh("m", 0.2, render)
        release.clear()
        await asyncio.sleep(0.25)  # due again
        late = [asyncio.create_task(backend.fresh("m", 0.2, render)) for _ in range(20)]
        await asyncio.sleep(0.05)
        waiting = [t for t in late if not t.done()]
        release.set()
        return [first, *await asyncio.gather(*late), str(len(waiting))]

    release.set()
    answers = asyncio.run(scrapes())
    assert len(rendered) == 2  # 21 scrapes, two renderings
    # While the second rendering ran, every other scraper got the first answer at once.
    assert answers[1:-1].count("body 1") == 19 and answers[1:-1].count("body 2") == 1
    assert answers[-1] == "1"
