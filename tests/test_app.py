"""Every dashboard page, run through app.py's navigation (AppTest) against a store with known
content: the values shown, the ops gate, and the explanations for a store that is not ready."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import plotly
import pytest
import streamlit as st
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

import dashboard
from monitor.alerts import AlertBook
from monitor.audit import entries
from monitor.config import DEFAULT_ALERT_RULES
from monitor.jobs import JobQueue
from monitor.store import HistoryStore
from tests.known_history import RECOMMENDATION, TABLE, fill

ROOT = Path(__file__).resolve().parent.parent
# A failing page's message in full, whatever .streamlit/config.toml shows people.
st.set_option("client.showErrorDetails", "full")
APP = str(ROOT / "app.py")
PAGES = (
    "overview",
    "health",
    "alerts",
    "tables",
    "business",
    "seo",
    "insights",
    "jobs",
    "maintenance",
)
OPS_SECRET = "s3cret-ops"


@pytest.fixture(autouse=True)
def fresh_caches(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Each test its own settings: Streamlit's caches outlive an AppTest run."""
    config = tmp_path / "vigie.toml"
    config.write_text(
        f'data_dir = "{tmp_path}"\n[source]\nurl = "sqlite:///{tmp_path / "shop.sqlite"}"\n'
        f'[ops]\ntoken = "{OPS_SECRET}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def known(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = fill(tmp_path / "history.sqlite")
    monkeypatch.setenv("MONITOR_STORE", url)
    return url


def open_page(page: str, *, ops: bool = False) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60).run()
    if ops:  # what the sidebar's Ops fields keep (AppTest drops app.py's own widgets)
        app.session_state["ops_token"] = OPS_SECRET
    app.switch_page(f"pages/{page}.py").run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def metrics(app: AppTest) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta) for m in app.metric}


def charts(app: AppTest) -> list[dict[str, Any]]:
    """The plotly figures the page sends to its chart component (static/chart.js)."""
    drawn = [e for e in app.get("bidi_component") if e.proto.component_name == "vigie_chart"]
    return [json.loads(json.loads(e.proto.json)) for e in drawn]


def title(figure: dict[str, Any]) -> str:
    return str(figure["layout"]["title"]["text"])


def test_it_shows_the_headline_figures_against_the_previous_period(known: str) -> None:
    shown = metrics(open_page("overview"))
    assert shown["Orders in 24 h · latest"] == ("120", "+20.0 %")
    assert shown["Revenue in 24 h · latest"] == ("€15,420.50", "+28.5 %")
    # Averages over the period (180 ms before, 240 ms since): a sample on the edge of the
    # period, which "now" rounded to 15 s may take in, moves the change a little.
    value, delta = shown["Response time · average"]
    assert value == "240 ms" and 32.5 <= float(str(delta).rstrip(" %")) <= 33.4
    assert shown["Sitemap pages · latest"] == ("714,336", "0 %")  # unchanged: grey, not "+0.0 %"
    value, delta = shown["Server errors · average"]
    assert value in ("0.25 %", "0.26 %") and -50.1 <= float(str(delta).rstrip(" %")) <= -49
    assert shown[":red[■] critical"][0] == "1"
    assert shown[":yellow[■] warning"][0] == "0"


def test_it_explains_why_the_status_is_not_healthy(known: str) -> None:
    app = open_page("overview")
    captions = [c.value for c in app.caption]
    assert "critical alert disk full: The data disk is filling up" in captions
    # The configured shop database does not exist: the quick check says so.
    assert any(c.startswith("database: ") for c in captions)


def test_it_shows_when_each_collector_last_wrote(known: str) -> None:
    app = open_page("overview")
    collectors = app.dataframe[0].value
    assert list(collectors["Collector"]) == [
        "Machine and site figures",
        "Business figures",
        "SEO figures",
        "Database health",
    ]
    assert list(collectors["Late"]) == ["no"] * 4
    assert not app.warning


def test_it_warns_when_the_daemon_stopped_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    monkeypatch.setenv("MONITOR_STORE", fill(tmp_path / "old.sqlite", now=time.time() - 3600))
    warning = open_page("overview").warning[0].value
    assert "looks stopped or stuck" in warning
    assert "performance last wrote 60 min ago" in warning


def test_it_shows_every_health_check(known: str) -> None:
    app = open_page("health")
    names = [m.value for m in app.markdown]
    for check in ("**database**", "**collector**", "**memory**", "**disk**", "**network**"):
        assert check in names


def test_it_shows_the_critical_tables(known: str) -> None:
    app = open_page("tables")
    rows = app.dataframe[0].value.set_index("Table")
    order = rows.loc["Orders"]  # the table's title; its name stays in the CSV
    assert order["Readable"] == "yes"
    assert order["Rows"] == "121,500 rows"
    assert order["Growth"] == "+1,500 rows"
    assert order["Read time"] == "0.6 ms"
    assert order["Size"] == "52 MB"
    assert order["Advice"] == RECOMMENDATION
    assert rows.loc["Customers"]["Rows"] == "—"  # never collected


def test_it_draws_one_tables_history(known: str) -> None:
    app = open_page("tables")
    # The first table with figures is picked, not the first one in the list.
    assert app.selectbox(key="table").value == TABLE
    drawn = charts(app)
    assert len(drawn) == 3
    assert title(drawn[0]).startswith("Orders: Rows")  # the table's title, not its name
    assert f"`{TABLE}`" in [c.value for c in app.caption][-1]  # which ops can look up
    assert drawn[0]["data"][-1]["y"][-1] == 121_500
    app.selectbox(key="table").select("___xtr_customer").run()
    assert charts(app) == []
    assert "Customers: Rows: nothing collected in this period." in [i.value for i in app.info]


def test_chart_keys_never_hold_a_double_underscore_nor_meet() -> None:
    keys = ["chart-___xtr_order-recordCount", "a__b", "a_-b", "a-_b", "a--b", "a-u", "a_"]
    spelt = [dashboard.component_key(k) for k in keys]
    assert len(set(spelt)) == len(keys)
    assert not [k for k in spelt if "__" in k]


def test_the_chart_bundle_is_the_plotly_js_that_plotly_writes_figures_for() -> None:
    """static/plotly-basic.min.js draws the figures plotly builds: an upgrade of one without
    the other (npm pack plotly.js-basic-dist-min@<version>) must not go unnoticed."""
    shipped = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    ours = ROOT / "static" / "plotly-basic.min.js"

    def version(bundle: Path) -> str:
        with bundle.open(encoding="utf-8") as head:
            found = re.search(r"plotly\.js .*?v(\d+\.\d+\.\d+)", head.read(300))
        assert found, f"no version in {bundle}'s header"
        return found.group(1)

    assert version(ours) == version(shipped)


def test_it_shows_the_business_figures_by_day(known: str) -> None:
    app = open_page("business")
    shown = metrics(app)
    assert shown["Average basket · latest"] == ("€128.50", "+7.1 %")
    assert shown["Active customers · latest"][0] == "41,200"
    [chart] = charts(app)
    assert title(chart).startswith("Orders in 24 h, against the previous 24 h")
    app.pills(key="business_metric").set_value("business.revenue24h").run()
    [chart] = charts(app)
    assert title(chart).startswith("Revenue in 24 h, against the previous 24 h")
    app.segmented_control(key="business_view").set_value("By day").run()
    days = app.dataframe[0].value
    assert days["Orders in 24 h"].iloc[-1] == 120
    assert days["Revenue in 24 h"].iloc[-1] == 15420.5


def test_it_shows_the_seo_figures(known: str) -> None:
    shown = metrics(open_page("seo"))
    assert shown["Optimised pages · latest"] == ("512,345", "+2.5 %")
    assert shown["Sitemap health · latest"] == ("98.25 %", "+0.8 %")


def test_it_lists_open_alerts_and_their_history(known: str) -> None:
    app = open_page("alerts")
    assert app.subheader[0].value == "Open alerts (1)"
    history = app.dataframe[0].value
    assert list(history["Rule"]) == ["Disk full"]
    assert list(history["Metric"]) == ["Disk usage"]
    assert list(history["Severity"]) == ["critical"]
    app.multiselect(key="alert_severity").select("warning").run()
    assert app.dataframe[0].value.empty


def test_it_refuses_acknowledging_without_the_ops_secret(known: str) -> None:
    button = open_page("alerts").button(key="ack-1")
    assert button.disabled


def test_it_acknowledges_an_alert_for_ops(known: str) -> None:
    app = open_page("alerts", ops=True)
    app.button(key="ack-1").click().run()
    store = HistoryStore(known)
    alert = AlertBook(store, DEFAULT_ALERT_RULES).active()[0]
    assert alert.acknowledged_by == "ops secret"
    assert entries(store)[0].action == "acknowledge"
    assert entries(store)[0].actor == "ops secret"
    store.close()


def test_it_shows_the_queues_and_failures(known: str) -> None:
    app = open_page("jobs")
    queues = app.dataframe[0].value.set_index("Queue")
    assert queues.loc["metrics"]["Failed"] == 1
    assert queues.loc["maintenance"]["Completed"] == 1
    failures = app.dataframe[2].value
    assert list(failures["Error"]) == ["the shop database refused the connection"]


def test_it_disables_maintenance_without_the_ops_secret(known: str) -> None:
    app = open_page("maintenance")
    assert all(b.disabled for b in app.button)
    assert "Maintenance is for ops" in app.info[0].value


def test_it_queues_maintenance_after_confirmation(known: str) -> None:
    app = open_page("maintenance", ops=True)
    app.button(key="run-cleanup").click().run()
    store = HistoryStore(known)
    assert JobQueue(store).recent(state="waiting") == []  # nothing before confirming
    app.button(key="confirm").click().run()
    assert not app.exception
    waiting = JobQueue(store).recent(state="waiting")
    assert [(j.type, j.requested_by) for j in waiting] == [("cleanup", "ops secret")]
    newest = entries(store)[0]
    assert (newest.actor, newest.target, newest.outcome) == (
        "ops secret",
        "cleanup",
        "requested",
    )
    store.close()
    assert "Clean up: waiting" in app.get("progress")[0].proto.text


def test_it_cancels_a_maintenance_request(known: str) -> None:
    app = open_page("maintenance", ops=True)
    app.button(key="run-optimization").click().run()
    app.button(key="cancel").click().run()
    store = HistoryStore(known)
    assert JobQueue(store).recent(state="waiting") == []
    store.close()


def test_it_shows_the_insights(known: str) -> None:
    app = open_page("insights")
    assert app.success[0].value.startswith("No metric is expected to cross")
    # The open critical alert is the first advice, with why and what to do.
    assert app.markdown[1].value == "**The data disk is filling up: Disk usage is 97 %**"
    assert "orders are lost" in app.caption[1].value  # under the line of when it was read
    trends = app.dataframe[0].value
    assert list(trends["Scope"])[:3] == ["performance", "business", "seo"]
    accuracy = app.dataframe[1].value.set_index("Metric")
    # A step is no trend: the model loses to "it stays where it is", and the page says so.
    assert accuracy.loc["Disk usage"]["Method"] == "naive"
    assert "does not beat a baseline for Disk usage" in app.caption[-1].value
    assert len(charts(app)) == 1
    # Under the forecast, how well its band held in the backtests, and how it was widened.
    held = [c.value for c in app.caption if "95 % band of the" in c.value]
    assert held and re.search(
        r"the 95 % band of the naive forecast held \d+ % of the readings; the band shown is "
        r"[\d.]+ times as wide",
        held[0],
    ), held


@pytest.mark.parametrize("page", PAGES)
def test_it_explains_a_missing_store(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITOR_STORE", f"sqlite:///{tmp_path / 'nothing.sqlite'}")
    app = open_page(page)
    assert "start the collector daemon" in app.warning[0].value


def test_it_explains_a_store_never_written_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    HistoryStore(url).close()
    monkeypatch.setenv("MONITOR_STORE", url)
    assert "has not written to it yet" in open_page("overview").info[0].value


def test_it_explains_a_store_from_an_older_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = fill(tmp_path / "v1.sqlite")
    store = HistoryStore(url)
    with store.writing() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    store.close()
    monkeypatch.setenv("MONITOR_STORE", url)
    warning = open_page("business").warning[0].value
    assert "is from an older Vigie (v1)" in warning


def test_it_explains_a_wrong_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[store]\nraw_retention_days = -3\n", encoding="utf-8")
    monkeypatch.setenv("MONITOR_CONFIG", str(bad))
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert "store.raw_retention_days" in app.error[0].value


def test_the_chosen_period_applies_to_every_page(known: str) -> None:
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.session_state["period"] = "7 d"  # what the sidebar's period control keeps
    app.switch_page("pages/overview.py").run()
    assert app.subheader[1].value.startswith("Headline figures (7 d,")
    # Three days of history: nothing a week earlier to compare with.
    assert metrics(app)["Orders in 24 h · latest"] == ("120", "")
    app.switch_page("pages/tables.py").run()
    assert app.subheader[0].value == "Critical tables (growth over 7 d)"


def test_it_shows_what_a_finished_maintenance_did(known: str) -> None:
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.session_state["maintenance_jobs"] = [1]  # the known store's completed optimisation
    app.switch_page("pages/maintenance.py").run()
    assert app.success[0].value == "Optimise done in 10,000 ms: bytes freed 4,096"
    audit = app.dataframe[0].value
    assert list(audit["Who"]) == ["schedule", "dashboard:ana"]
    assert list(audit["Outcome"]) == ["failed", "completed"]


def test_an_empty_period_explains_itself_by_day(known: str) -> None:
    from datetime import date

    app = AppTest.from_file(APP, default_timeout=60).run()
    app.session_state["period"] = "Custom"
    app.session_state["period_dates"] = (date(2020, 1, 1), date(2020, 1, 7))
    app.switch_page("pages/business.py").run()
    app.segmented_control(key="business_view").set_value("By day").run()
    assert not app.exception
    assert app.info[0].value == "No business figures were collected in 2020-01-01 → 2020-01-07."


def test_a_store_lost_while_the_page_runs_is_a_warning(known: str) -> None:
    import sqlite3

    app = open_page("overview")
    with sqlite3.connect(known.removeprefix("sqlite:///")) as db:
        db.execute("ALTER TABLE samples RENAME TO samples_gone")
    st.cache_data.clear()
    app.run()
    assert not app.exception
    assert "The history store cannot be read: no such table: samples" in app.warning[0].value


def test_a_baseline_rules_alert_is_shown_against_its_usual(known: str) -> None:
    store = HistoryStore(known)
    with store.writing() as conn:
        conn.execute(
            text(
                "INSERT INTO alerts (rule, subject, metric, labels, severity, peak_severity, "
                "state, value, threshold, message, opened_at, updated_at) VALUES "
                "('table_slower_than_usual', '___xtr_order', 'database.___xtr_order.queryTime', "
                "'', 'warning', 'warning', 'open', 12.5, 10, 'A table is slow', 1, 1)"
            )
        )
    store.close()
    captions = [c.value for c in open_page("alerts").caption]
    assert any(c.startswith("12.5 × its usual (threshold 10.0 × its usual)") for c in captions)


def test_every_page_says_so_in_one_line_while_the_demo_runs(
    known: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "demo.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n', encoding="utf-8")  # no shop: the demo
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    for page in ("overview", "health", "business"):
        captions = [c.value for c in open_page(page).caption]
        assert captions.count(dashboard.DEMO_LINE) == 1, page


def test_no_page_mentions_the_demo_on_a_real_shop(known: str) -> None:
    assert dashboard.DEMO_LINE not in [c.value for c in open_page("overview").caption]


def _maintenance_open_to(given: str, secret_in_file: str | None) -> bool:
    """Whether ops who type `given` may press Clean up, with .streamlit/secrets.toml's
    ops_token set to `secret_in_file` (and the config's token OPS_SECRET)."""
    st.cache_resource.clear()  # the settings are read anew, as within a minute of a change
    app = AppTest.from_file(APP, default_timeout=60)
    if secret_in_file is not None:
        app.secrets["ops_token"] = secret_in_file
    app.run()
    app.session_state["ops_token"] = given
    app.switch_page("pages/maintenance.py").run()
    assert not app.exception, [e.message for e in app.exception]
    return not app.button(key="run-cleanup").disabled


def test_the_secrets_file_token_wins_over_the_configuration(known: str) -> None:
    assert _maintenance_open_to(OPS_SECRET, secret_in_file=None)  # the config's alone
    assert _maintenance_open_to("from-secrets", secret_in_file="from-secrets")
    assert not _maintenance_open_to(OPS_SECRET, secret_in_file="from-secrets")


def test_the_alerts_page_shows_the_silences_and_the_notification_log(known: str) -> None:
    import time

    from monitor.access import Person
    from monitor.notifications import silences
    from monitor.notifications.tables import notifications_table

    store = HistoryStore(known)
    now = time.time()
    with store.writing() as conn:
        conn.execute(
            notifications_table.insert().values(
                alert_id=1, change="opened", rule="disk_full", subject="performance.diskUsage",
                severity="critical", channel="ops", title="The data disk is filling up",
                body="…", state="waiting", attempts=2, created_at=now - 60, next_at=now + 40,
                answer="Servers are overloaded., error=503.",
            )
        )  # fmt: skip
    silences.create(store, Person("ana", "ops"), rule="orders_*", subject="*",
                    max_severity="critical", duration_s=3600, comment="provider migration",
                    now=now)  # fmt: skip
    store.close()
    app = open_page("alerts")
    captions = [c.value for c in app.caption]
    assert any("`orders_*` on `*` (up to critical)" in c and "provider migration" in c
               for c in captions), captions  # fmt: skip
    log = app.dataframe[-1].value
    assert list(log["Channel"]) == ["ops"] and list(log["State"]) == ["waiting"]
    assert list(log["Answer"]) == ["Servers are overloaded., error=503."]


def test_ops_silence_and_end_a_silence_from_the_alerts_page(known: str) -> None:
    import time

    from monitor.audit import entries
    from monitor.notifications.silences import listing

    app = open_page("alerts", ops=True)
    fields = {field.label: field for field in app.text_input}
    fields["Rules (a name or a glob)"].set_value("orders_*")
    fields["Why"].set_value("payment provider migration")
    app.button(key="FormSubmitter:silence-Silence").click().run()
    assert not app.exception, [e.message for e in app.exception]
    store = HistoryStore(known)
    [silence] = listing(store, time.time())
    assert (silence.rule, silence.created_by) == ("orders_*", "ops secret")
    app.button(key=f"end-silence-{silence.id}").click().run()
    [ended] = listing(store, time.time())
    assert ended.ends_at <= time.time()
    assert [e.outcome for e in entries(store)][:2] == ["ended", "created"]
    store.close()


def test_a_silence_needs_the_ops_gate(known: str) -> None:
    app = open_page("alerts")
    assert app.button(key="FormSubmitter:silence-Silence").disabled


def test_every_page_says_when_it_read_and_the_refresh_can_be_paused(known: str) -> None:
    app = open_page("overview")
    assert re.fullmatch(
        r":material/update: Read at \d\d:\d\d:\d\d UTC · again every 30 s", app.caption[0].value
    )
    app.session_state["refresh_paused"] = True  # what the sidebar's switch keeps
    app.run()
    assert app.caption[0].value.endswith("· refresh paused")


def test_a_view_is_in_the_address_and_a_bookmark_opens_it(known: str) -> None:
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["period"] = "7 d"
    app.query_params["business_metric"] = "business.revenue24h"
    app.run()
    app.switch_page("pages/business.py").run()
    assert not app.exception, [e.message for e in app.exception]
    assert app.session_state["period"] == "7 d"
    [chart] = charts(app)
    assert title(chart).startswith("Revenue in 24 h, against the previous 7 d")
    app.pills(key="business_metric").set_value("business.averageBasket").run()
    assert app.query_params["business_metric"] == "business.averageBasket"
    assert app.query_params["period"] == "7 d"


def test_the_custom_period_applies_as_soon_as_it_is_chosen(known: str) -> None:
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.session_state["period"] = "Custom"  # what choosing it in the sidebar keeps
    app.switch_page("pages/overview.py").run()
    assert app.subheader[1].value.startswith("Headline figures (")
    assert "24 h" not in app.subheader[1].value  # the last week, not the old preset


def test_a_tables_postgresql_statistics_are_charted_when_collected(known: str) -> None:
    from monitor.samples import Sample

    store = HistoryStore(known)
    now = time.time()
    store.write([Sample(f"database.{TABLE}.deadRows", 40.0 + i, now - 600 * i) for i in range(6)])
    store.close()
    titles = [title(c) for c in charts(open_page("tables"))]
    assert "Orders: Dead rows" in titles
    assert "Orders: Sequential scans" not in titles  # never collected: no empty chart


def test_while_the_demo_is_built_the_pages_say_how_far_it_got(known: str, tmp_path: Path) -> None:
    from monitor.demo import progress

    with (tmp_path / "vigie.toml").open("a", encoding="utf-8") as config:
        config.write("[demo]\nenabled = true\n")
    progress.report(progress.path_in(tmp_path), "shop", 40)
    app = open_page("overview")
    assert [i.value for i in app.info] == [
        "Building the demo shop: 40 %. The figures appear here as soon as it is done."
    ]
    assert not app.warning and not app.metric  # nothing about a stopped collector, no figures
    progress.report(progress.path_in(tmp_path), "history", 70)
    assert app.run().info[0].value.startswith("Writing the demo's history: 70 %")
    progress.done(progress.path_in(tmp_path))
    assert app.run().metric  # built: the page itself


def test_by_hour_is_the_shops_day_with_its_chart(known: str) -> None:
    from monitor.samples import Sample

    store = HistoryStore(known)
    midnight = time.time() // 86400 * 86400
    # Today so far: 3 orders by 01:30, 5 by 02:30 (the test may run just after midnight:
    # then these are in the future and nothing shows, which the page must say).
    store.write([Sample("business.ordersToday", 3, midnight + 5400),
                 Sample("business.ordersToday", 5, midnight + 9000)])  # fmt: skip
    store.close()
    app = open_page("business")
    app.segmented_control(key="business_view").set_value("By hour").run()
    assert not app.exception, [e.message for e in app.exception]
    if time.time() < midnight + 5400:  # before 01:30 UTC: neither sample has happened yet
        assert app.info[0].value.startswith("No orders were counted by the hour")
        return
    [figure] = charts(app)
    assert title(figure) == "Orders per hour of the day, on average (24 h)"
    profile = app.dataframe[0].value.set_index("Hour")
    assert profile.loc["01:00"]["Orders today"] == 3
    if time.time() >= midnight + 9000:  # from 02:30 UTC the second one counts too
        assert profile.loc["02:00"]["Orders today"] == 2
