"""The Prometheus export: names, labels, no stale timestamps."""

from __future__ import annotations

from monitor.api.prometheus import exposition, family_name
from monitor.store import Latest


def test_it_names_families_after_the_metrics() -> None:
    assert family_name("performance.cpuUsage") == ("vigie_performance_cpuUsage", ())
    assert family_name("database.___xtr_order.recordCount") == (
        "vigie_database_table_recordCount",
        (("table", "___xtr_order"),),
    )


def test_it_keeps_every_label_of_a_family_and_no_timestamps() -> None:
    body, content_type = exposition(
        [
            ("performance.probe.up", (("probe", "home"),), Latest(1.0, 1_800_000_000, False)),
            ("performance.probe.up", (("probe", "api"),), Latest(0.0, 1_800_000_000, False)),
            ("business.totalUsers", (), Latest(5.0, 1_800_000_000, False)),
        ]
    )
    text = body.decode()
    assert 'vigie_performance_probe_up{probe="home"} 1.0\n' in text
    assert 'vigie_performance_probe_up{probe="api"} 0.0\n' in text
    assert "vigie_business_totalUsers 5.0\n" in text
    assert "1800000000" not in text
    assert content_type.startswith("text/plain")
