"""The dashboard's side of notifications: maintenance windows shown and shaded, covered alerts
marked, a failing channel named on the Overview, and the ops' test button."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.alerts import AlertBook
from monitor.audit import entries
from monitor.config import DEFAULT_ALERT_RULES
from monitor.notifications.tables import notifications_table
from monitor.samples import Sample
from monitor.store import HistoryStore
from tests.known_history import fill
from tests.receivers import SECRET, Webhook
from tests.test_app import charts, open_page
from tests.test_app import fresh_caches as fresh_caches  # autouse: each test its own settings


@pytest.fixture
def known(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = fill(tmp_path / "history.sqlite")
    monkeypatch.setenv("MONITOR_STORE", url)
    return url


def _configure(tmp_path: Path, toml: str) -> None:
    with (tmp_path / "vigie.toml").open("a", encoding="utf-8") as config:
        config.write(toml)


def _window(name: str, rule: str, start: float, end: float) -> str:
    iso = [datetime.fromtimestamp(t, UTC).isoformat() for t in (start, end)]
    return (
        f'[[maintenance_windows]]\nname = "{name}"\nrule = "{rule}"\n'
        f'start = "{iso[0]}"\nend = "{iso[1]}"\ncomment = "new disk"\n'
    )


def test_an_alert_a_window_covers_is_marked_not_notified(known: str, tmp_path: Path) -> None:
    now = time.time()
    _configure(tmp_path, _window("disk-swap", "disk_*", now - 60, now + 3600))
    app = open_page("alerts")
    captions = [c.value for c in app.caption]
    assert any("Not notified: maintenance window disk-swap until" in c for c in captions), captions
    assert any(c.startswith("disk-swap: running, ") and "new disk" in c for c in captions)
    assert app.subheader[-2].value == "Maintenance windows (1 running)"


def test_a_window_elsewhere_marks_nothing(known: str, tmp_path: Path) -> None:
    now = time.time()
    _configure(tmp_path, _window("psp", "orders_*", now - 60, now + 3600))
    captions = [c.value for c in open_page("alerts").caption]
    assert not any("Not notified" in c for c in captions), captions


def test_charts_shade_the_windows_that_cover_their_metric(known: str, tmp_path: Path) -> None:
    now = time.time()
    _configure(tmp_path, _window("psp", "orders_*", now - 3 * 3600, now - 2 * 3600))
    [figure] = charts(open_page("business"))
    [shape] = figure["layout"]["shapes"]
    assert shape["type"] == "rect" and shape["x0"].startswith(
        datetime.fromtimestamp(now - 3 * 3600, UTC).strftime("%Y-%m-%dT%H:%M")
    )
    assert [a["text"] for a in figure["layout"]["annotations"]] == ["maintenance: psp"]
    # The SEO charts' metrics have no rule a window on orders covers: no shade there.
    assert all("shapes" not in f["layout"] for f in charts(open_page("seo")))


def test_the_overview_names_a_failing_channel(known: str) -> None:
    now = time.time()
    store = HistoryStore(known)
    store.write([Sample("notifications.ops.failing", 1.0, now)])
    AlertBook(store, DEFAULT_ALERT_RULES).evaluate({("notifications.ops.failing", ())}, now=now)
    with store.writing() as conn:
        conn.execute(
            notifications_table.insert().values(
                alert_id=1, change="opened", rule="disk_full", subject="performance.diskUsage",
                severity="critical", channel="ops", title="The data disk is filling up",
                body="…", state="waiting", attempts=4, created_at=now - 600, next_at=now + 40,
                answer="Servers are overloaded., error=503.",
            )
        )  # fmt: skip
    store.close()
    [failing] = [e.value for e in open_page("overview").error]
    assert failing.startswith("Notifications to channel ops are failing: 1 message(s) wait")
    assert "error=503" in failing


def test_admins_send_a_test_message_from_the_alerts_page(
    known: str, tmp_path: Path, webhook: Webhook
) -> None:
    from tests.test_app_access import _account, _sign_in, _start

    _configure(tmp_path, f'[[notify.channels]]\nname = "ops"\nurl = "{webhook.url}"\n')
    label = "Send a test message to every channel"
    [closed] = [b for b in open_page("alerts", ops=True).button if b.label == label]
    assert closed.disabled  # for admins: the ops secret is not enough
    _account(known, "ada", "admin")
    app = _sign_in(_start(), "ada")
    app.switch_page("pages/alerts.py").run()
    [button] = [b for b in app.button if b.label == label]
    button.click().run()
    assert not app.exception, [e.message for e in app.exception]
    assert [s.value for s in app.success] == ["ops: sent: taken"]
    assert [m["title"] for m in webhook.got] == ["Vigie test message"]
    assert SECRET not in " ".join(s.value for s in app.success)
    store = HistoryStore(known)
    newest = entries(store)[0]
    assert (newest.actor, newest.action, newest.target, newest.outcome) == (
        "ada", "notify test", "ops", "sent"
    )  # fmt: skip
    store.close()
