"""Settings: defaults that run the demo, overrides, and one-line errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import DEFAULT_METRIC_SQL, DEFAULT_TABLE_PROBES, load_settings
from monitor.errors import ConfigError


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "vigie.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_it_runs_the_demo_with_no_settings() -> None:
    settings = load_settings(environ={})
    assert settings.demo_enabled
    assert settings.source_url.endswith("demo_shop.sqlite")
    assert settings.store_url.endswith("history.sqlite")
    assert settings.schedule.performance == 120 and settings.schedule.seo == 600
    assert settings.metric_sql == DEFAULT_METRIC_SQL


def test_it_takes_the_two_urls_from_the_environment() -> None:
    settings = load_settings(
        environ={
            "MONITOR_SOURCE_DB": "postgresql://u@db/shop",
            "MONITOR_STORE": "sqlite:////tmp/h.sqlite",
        }
    )
    assert settings.source_url == "postgresql+psycopg://u@db/shop"
    assert settings.store_url == "sqlite:////tmp/h.sqlite"
    assert not settings.demo_enabled


def test_it_reads_the_file_named_by_monitor_config(tmp_path: Path) -> None:
    path = _write(tmp_path, '[schedule]\nbusiness = 60\n[metrics]\n"seo.pages" = "SELECT 1"\n')
    settings = load_settings(environ={"MONITOR_CONFIG": str(path)})
    assert settings.schedule.business == 60
    assert settings.metric_sql["seo.pages"] == "SELECT 1"
    assert "business.totalUsers" in settings.metric_sql


def test_it_probes_the_critical_tables_newest_rows_by_default() -> None:
    source = load_settings(environ={}).source
    assert set(DEFAULT_TABLE_PROBES) == set(source.critical_tables)
    assert source.probe_sql("___xtr_order", "sqlite") == (
        "SELECT ord_id FROM ___xtr_order ORDER BY ord_date DESC LIMIT 10"
    )


def test_it_takes_probes_from_the_config_per_database_or_reads_any_row(tmp_path: Path) -> None:
    body = (
        '[source]\ncritical_tables = ["___xtr_order", "__seo_page", "products"]\n'
        '[source.table_probes]\n__seo_page = ""\n'
        '[source.table_probes.products]\nsqlite = "SELECT id FROM products ORDER BY id DESC"\n'
    )
    source = load_settings(_write(tmp_path, body), environ={}).source
    assert source.probe_sql("products", "sqlite") == "SELECT id FROM products ORDER BY id DESC"
    assert source.probe_sql("products", "postgresql") == "SELECT 1 FROM products LIMIT 1"
    assert source.probe_sql("__seo_page", "sqlite") == "SELECT 1 FROM __seo_page LIMIT 1"
    assert source.probe_sql("___xtr_order", "postgresql") == DEFAULT_TABLE_PROBES["___xtr_order"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '[schedule]\nperformance = "fast"',
            "schedule.performance = 'fast': Input should be a valid integer",
        ),
        (
            "[schedule]\nperformance = 0",
            "schedule.performance = 0: Input should be greater than or equal to 1",
        ),
        ("[sorce]\nurl = 'x'", "sorce: unknown setting; allowed here: data_dir"),
        (
            '[access_log]\nrequest_time_unit = "h"',
            "access_log.request_time_unit = 'h': Input should be 's', 'ms' or 'us'",
        ),
        (
            '[metrics]\n"revenue" = "SELECT 1"',
            "metric name 'revenue' must look like business.<name>",
        ),
        ('[source]\ncritical_tables = ["orders; drop"]', "is not a plain table name"),
        ("[store]\nurl = 'not a url'", "store.url = 'not a url': not a database URL"),
        (f'[metrics]\n"business.{"x" * 130}" = "SELECT 1"', "is longer than 120"),
        (
            '[source.table_probes]\n___xtr_order = "DELETE FROM ___xtr_order"',
            "source.table_probes: probe of '___xtr_order' must be one SELECT",
        ),
        (
            '[source.table_probes.___xtr_order]\nmysql = "SELECT 1"',
            "probe of '___xtr_order': per-database SQL takes the keys sqlite and postgresql",
        ),
        (
            '[source.table_probes]\nproducts = "SELECT 1 FROM products"',
            "table_probes.products: not a critical table",
        ),
        (
            '[[alerts.rules]]\nname = "x"\nmetric = "m"\nwarning = -1\nbaseline = "recent"',
            "thresholds are ratios to the usual (10 = ten times it) and must be above 0",
        ),
        (
            '[[alerts.rules]]\nname = "x"\nmetric = "m"\nwhen = "below"\nwarning = 1\n'
            "min_value = 5",
            "min_value only suits when = 'above'",
        ),
    ],
)
def test_it_names_the_key_the_value_and_what_is_allowed(
    tmp_path: Path, body: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(_write(tmp_path, body), environ={})
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://shop:p4ssw0rd@db/shop", "not supported"),
        ("postgresql://shop:p4ssw0rd@db:abc/shop", "not a database URL"),
    ],
)
def test_it_never_shows_a_password_in_an_error(tmp_path: Path, url: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(_write(tmp_path, f'[source]\nurl = "{url}"'), environ={})
    assert "p4ssw0rd" not in str(caught.value)
    assert expected in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"MONITOR_SOURCE_DB": url})
    assert "p4ssw0rd" not in str(caught.value)


def test_it_refuses_raw_reads_beyond_raw_retention(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="must not exceed raw_retention_days"):
        load_settings(_write(tmp_path, "[store]\nraw_retention_days = 1"), environ={})


def test_it_says_when_the_config_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        load_settings(tmp_path, environ={})


def test_it_says_when_the_config_file_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_it_says_when_the_file_is_not_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(_write(tmp_path, "[schedule\n"), environ={})
