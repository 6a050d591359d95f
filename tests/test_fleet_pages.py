"""The fleet on the dashboard: one host reads as before; several get a host picker on Health
and Overview, each host's own figures, and the Overview's list of hosts with a quiet one."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from monitor.alerts import AlertBook
from monitor.config import DEFAULT_ALERT_RULES
from monitor.fleet import Fleet
from monitor.metrics import shipped
from monitor.samples import Sample
from monitor.store import HistoryStore
from tests.known_history import fill
from tests.test_app import fresh_caches, metrics, open_page  # noqa: F401 — the fixture

CPU = "performance.cpuUsage"


def _as_web_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> HistoryStore:
    """The known history, its machine figures labelled as web-1's (CPU at 25 %)."""
    url = fill(tmp_path / "history.sqlite")
    store = HistoryStore(url)
    moved = Fleet(store).adopt("web-1", shipped().per_host)
    AlertBook(store, DEFAULT_ALERT_RULES).relabel(moved)
    Fleet(store).beat("web-1", interval_s=120, now=time.time())
    monkeypatch.setenv("MONITOR_STORE", url)
    return store


@pytest.fixture
def one_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _as_web_1(tmp_path, monkeypatch).close()


@pytest.fixture
def fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """web-1, and web-2 beside it (CPU at 70 %), which last wrote 20 minutes ago: quiet for
    its 2-minute interval."""
    store = _as_web_1(tmp_path, monkeypatch)
    end = int(time.time()) - 1200
    store.write(
        [Sample(CPU, 70.0, ts, (("host", "web-2"),)) for ts in range(end - 3 * 86400, end + 1, 600)]
    )
    Fleet(store).beat("web-2", interval_s=120, now=end)
    store.close()


def _cpu(app: AppTest) -> float:
    # The period's average: a sample on the period's edge may move it a little.
    return float(metrics(app)["CPU usage · average"][0].rstrip(" %"))


def _text(app: AppTest) -> str:
    cells = [str(v) for frame in app.dataframe for v in frame.value.to_numpy().ravel()]
    return " ".join([*(e.value for e in [*app.markdown, *app.caption, *app.subheader]), *cells])


def test_one_host_has_no_picker_and_no_host_in_its_words(one_host: None) -> None:
    for page in ("health", "overview", "alerts", "insights"):
        app = open_page(page)
        assert not app.segmented_control, page
        assert "web-1" not in _text(app), page
    # Its figures read as before: the tiles hold web-1's, the alert reads without the host.
    assert _cpu(open_page("health")) == pytest.approx(25, abs=0.5)
    assert "Disk usage" in _text(open_page("alerts"))
    assert "Disk usage is 97" in _text(open_page("insights"))  # the advice, without the host


def test_the_alerts_name_the_host_where_there_are_several(fleet: None) -> None:
    assert "Disk usage (web-1)" in _text(open_page("alerts"))


def test_several_hosts_get_a_picker_and_each_hosts_own_figures(fleet: None) -> None:
    app = open_page("health")
    picker = app.segmented_control[0]
    assert picker.label == "Host" and list(picker.options) == ["web-1", "web-2"]
    assert picker.value == "web-1"  # not this machine: the first by name
    assert _cpu(app) == pytest.approx(25, abs=0.5)
    assert any("of web-1" in s.value for s in app.subheader)
    picker.set_value("web-2").run()
    assert _cpu(app) == pytest.approx(70, abs=0.5)
    assert app.query_params["host"] == "web-2"
    # The shop's figures are the shop's whoever is picked; the collector check names web-2.
    captions = " ".join(c.value for c in app.caption)
    assert "web-2" in captions and "no collection from web-2" in captions


def test_the_overview_lists_the_hosts_and_says_which_is_quiet(fleet: None) -> None:
    app = open_page("overview")
    assert any(s.value == "Hosts" for s in app.subheader)
    assert any("No figures from web-2" in e.value for e in app.error)
    shown = metrics(app)
    assert shown["Orders in 24 h · latest"][0] == "120"
    app.segmented_control[0].set_value("web-2").run()
    assert any("Performance of web-2" in m.value for m in app.markdown)
