"""Drill-down (AppTest): a tile and an alert lead to their chart, with the period kept; a link
(or a bookmark) arriving with a figure, a table or custom days opens on them; a custom period's
days are written into the address."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs

from streamlit.testing.v1 import AppTest

from tests.known_history import TABLE
from tests.test_app import APP, charts, fresh_caches, known, open_page, title

__all__ = ["fresh_caches", "known"]  # the fixtures this module shares with test_app


def _links(app: AppTest) -> list[tuple[str, str, dict[str, list[str]]]]:
    return [
        (link.proto.page, link.proto.label, parse_qs(link.proto.query_string))
        for link in app.get("page_link")
    ]


def test_every_headline_tile_leads_to_its_chart_in_the_chosen_period(known: str) -> None:
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.session_state["period"] = "7 d"  # what choosing it in the sidebar keeps
    app.switch_page("pages/overview.py").run()
    links = _links(app)
    assert (
        "business",
        "Chart",
        {"business_metric": ["business.orders24h"], "period": ["7 d"]},
    ) in links
    assert (
        "health",
        "Chart",
        {"health_metric": ["performance.responseTime"], "period": ["7 d"]},
    ) in links
    assert ("seo", "Chart", {"seo_metric": ["seo.sitemapHealth"], "period": ["7 d"]}) in links
    assert len(links) == len(app.metric) - 4  # every figure tile; the alert counts have none


def test_an_alert_leads_to_the_chart_of_its_figure(known: str) -> None:
    [link] = _links(open_page("alerts"))
    assert link[0] == "health"
    assert link[1] == "Chart of Disk usage"
    assert link[2]["health_metric"] == ["performance.diskUsage"]


def test_a_link_opens_its_page_on_the_figure_it_names(known: str) -> None:
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["health_metric"] = "performance.cpuUsage"
    app.run()
    app.switch_page("pages/health.py").run()
    assert not app.exception, [e.message for e in app.exception]
    [chart] = charts(app)
    assert title(chart) == "CPU usage, against the previous 24 h"
    # A later link wins over the session's earlier choice.
    app.query_params["health_metric"] = "performance.diskUsage"
    app.run()
    assert title(charts(app)[0]) == "Disk usage, against the previous 24 h"
    # The reader's own choice then stays, and goes into the address.
    app.pills(key="health_metric").set_value("performance.responseTime").run()
    assert title(charts(app)[0]).startswith("Response time")
    assert app.query_params["health_metric"] == "performance.responseTime"


def test_a_link_to_a_table_opens_its_history(known: str) -> None:
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["table"] = "___xtr_customer"
    app.run()
    app.switch_page("pages/tables.py").run()
    assert app.selectbox(key="table").value == "___xtr_customer"
    app.query_params["table"] = TABLE
    app.run()
    assert app.selectbox(key="table").value == TABLE
    assert title(charts(app)[0]) == "Orders: Rows"


def test_custom_days_are_in_the_address_both_ways(known: str) -> None:
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["period"] = "Custom"
    app.query_params["from"] = "2020-01-01"
    app.query_params["to"] = "2020-01-07"
    app.run()
    app.switch_page("pages/business.py").run()
    assert not app.exception, [e.message for e in app.exception]
    assert app.session_state["period_dates"] == (date(2020, 1, 1), date(2020, 1, 7))
    app.segmented_control(key="business_view").set_value("By day").run()
    assert app.info[0].value == "No business figures were collected in 2020-01-01 → 2020-01-07."


def test_custom_days_chosen_in_the_sidebar_go_into_the_address(known: str) -> None:
    # AppTest runs app.py's sidebar (the period control) on the first run only.
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["period"] = "Custom"  # what choosing them in the sidebar keeps
    app.session_state["period_dates"] = (date(2020, 2, 1), date(2020, 2, 3))
    app.run()
    assert app.query_params["period"] == "Custom"
    assert (app.query_params["from"], app.query_params["to"]) == ("2020-02-01", "2020-02-03")
    preset = AppTest.from_file(APP, default_timeout=60)
    preset.query_params.update({"period": "7 d", "from": "2020-02-01", "to": "2020-02-03"})
    preset.run()
    assert "from" not in preset.query_params  # days belong to a custom period only


def test_a_zoom_asks_for_its_days_as_the_period(known: str) -> None:
    from dashboard.period import PENDING_KEY

    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state[PENDING_KEY] = (date(2020, 3, 1), date(2020, 3, 2))
    app.run()
    assert app.session_state["period"] == "Custom"
    assert app.session_state["period_dates"] == (date(2020, 3, 1), date(2020, 3, 2))
    assert (app.query_params["from"], app.query_params["to"]) == ("2020-03-01", "2020-03-02")
