"""The metric registry end to end: a metric added in the configuration alone is collected and
shows under its area in the API, in /metrics with its help, on its area's page and the
Overview's headlines, in Insights and in CSV; figures follow the configured locale and
currency."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import create_engine, text

from monitor.config import Settings, load_settings
from monitor.metrics import Catalog, catalog
from monitor.samples import Sample
from monitor.store import HistoryStore
from tests.reference_shop import fill_reference_shop
from tests.test_api import _serve
from tests.test_app import charts, open_page
from tests.test_daemon import _run

SIGNUPS = "business.newsletterSignups"
CONFIG = f"""
[metrics."{SIGNUPS}"]
sql = "SELECT COUNT(*) FROM newsletter WHERE created_at >= :since"
title = "Newsletter sign-ups"
unit = "sign-ups"
area = "business"
better = "higher"
headline = true
help = "People who joined the newsletter in the last 24 hours"
"""


@pytest.fixture(scope="module")
def shop_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A shop with a newsletter table, a config that adds the metric, one collection, and a
    week of its history (for Insights)."""
    folder = tmp_path_factory.mktemp("registry")
    shop = f"sqlite:///{folder / 'shop.sqlite'}"
    fill_reference_shop(shop)
    now = datetime.now(UTC).replace(tzinfo=None)
    engine = create_engine(shop)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE newsletter (id INTEGER PRIMARY KEY, created_at TEXT)"))
        for hours in (1, 5, 20, 30, 50):  # three in the last 24 h
            moment = (now - timedelta(hours=hours)).isoformat(" ", timespec="seconds")
            conn.execute(text("INSERT INTO newsletter (created_at) VALUES (:t)"), {"t": moment})
    engine.dispose()
    store_url = f"sqlite:///{folder / 'history.sqlite'}"
    config = folder / "vigie.toml"
    config.write_text(
        f'locale = "fr_FR"\ncurrency = "EUR"\ndata_dir = "{folder}"\n'
        f'[source]\nurl = "{shop}"\n[store]\nurl = "{store_url}"\n' + CONFIG,
        encoding="utf-8",
    )
    done = _run("collector_daemon.py", "--config", str(config), "--once", timeout=120)
    assert done.returncode == 0, done.stderr
    store = HistoryStore(store_url)
    start = time.time() - 7 * 86400
    week = [Sample(SIGNUPS, 2 + (i % 24) / 6 + i / 40, start + i * 3600) for i in range(166)]
    # The hour before the collection read 3 too: the pages round "now" down to 15 s, and may
    # not see the collected sample itself yet.
    store.write([*week, Sample(SIGNUPS, 3, time.time() - 3600)])
    store.rollup(start - 3600)
    store.close()
    return config


def test_the_metric_is_collected_and_served_by_the_api(shop_config: Path) -> None:
    for client in _serve(load_settings(shop_config)):
        business = client.get("/api/system/metrics").json()["data"]["business"]
        assert business["newsletterSignups"] == 3
        dashboard = client.get("/api/system/dashboard").json()["data"]
        assert dashboard["metrics"]["business"]["newsletterSignups"] == 3
        exposed = client.get("/metrics").text
        assert (
            "# HELP vigie_business_newsletter_signups Newsletter sign-ups: people who joined the "
            "newsletter in the last 24 hours (sign-ups)\n" in exposed
        )
        assert "\nvigie_business_newsletter_signups 3.0\n" in exposed
        trends = client.get("/api/system/insights").json()["data"]["metricTrends"]
        assert SIGNUPS in trends


@pytest.fixture
def dashboard_config(shop_config: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("MONITOR_CONFIG", str(shop_config))
    monkeypatch.delenv("MONITOR_STORE", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield shop_config
    st.cache_data.clear()
    st.cache_resource.clear()


def test_the_metric_has_its_tile_chart_and_headline_on_the_pages(dashboard_config: Path) -> None:
    business = open_page("business")
    tiles = {m.label: m.value for m in business.metric}
    assert tiles["Newsletter sign-ups · latest"] == "3"
    business.pills(key="business_metric").set_value(SIGNUPS).run()
    [figure] = charts(business)
    assert figure["layout"]["title"]["text"].startswith("Newsletter sign-ups, against")
    assert [t["name"] for t in figure["data"] if t.get("showlegend") is not False] == [
        "this period",
        "previous period",
    ]
    business.segmented_control(key="business_view").set_value("By day").run()
    assert "Newsletter sign-ups" in business.dataframe[0].value.columns  # its words
    overview = {m.label: m.value for m in open_page("overview").metric}
    assert overview["Newsletter sign-ups · latest"] == "3"


def test_money_and_numbers_follow_the_locale_and_currency() -> None:
    french = catalog(Settings.model_validate({"locale": "fr_FR", "currency": "EUR"}))
    assert french.figure("business.revenue24h", 16157.98) == "16\u202f157,98\u00a0€"
    assert french.figure("business.orders24h", 1234) == "1\u202f234 orders"
    assert Catalog().figure("business.revenue24h", 16157.98) == "€16,157.98"
    swiss = catalog(Settings.model_validate({"locale": "de_CH", "currency": "CHF"}))
    assert swiss.figure("business.averageBasket", 128.5).startswith("CHF")


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [("locale", "xx_YY", "unknown locale"), ("currency", "EURO", "unknown currency")],
)
def test_a_wrong_locale_or_currency_is_one_line(
    tmp_path: Path, key: str, value: str, words: str
) -> None:
    from monitor.errors import ConfigError

    config = tmp_path / "vigie.toml"
    config.write_text(f'{key} = "{value}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_a_shipped_metric_can_be_reworded_and_the_old_sql_forms_still_work(
    tmp_path: Path,
) -> None:
    settings = Settings.model_validate(
        {
            "metrics": {
                "performance.cpuUsage": {"title": "Processor load"},
                "seo.pages": "SELECT 1",
                "business.x": {"sqlite": "SELECT 1", "postgresql": "SELECT 2"},
            }
        }
    )
    cat = catalog(settings)
    assert cat.title("performance.cpuUsage") == "Processor load"
    assert cat.get("performance.cpuUsage").kind == "share"  # the rest is kept
    assert settings.metric_sql["seo.pages"] == "SELECT 1"
    assert settings.metric_sql["business.x"] == {"sqlite": "SELECT 1", "postgresql": "SELECT 2"}
    assert cat.title("database.___xtr_order.queryTime") == "Orders: Read time"
    assert cat.title("database.___xtr_stock.queryTime") == "Xtr stock: Read time"


def test_an_area_other_than_the_names_is_refused_in_one_line(tmp_path: Path) -> None:
    from monitor.errors import ConfigError

    config = tmp_path / "vigie.toml"
    config.write_text('[metrics."business.signups"]\narea = "performance"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    assert "name it performance.signups" in str(caught.value)
