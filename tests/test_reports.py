"""Reports from a known history: the figures match it, the PDF's text holds them, the HTML
carries its charts, and a period without data says so."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from monitor.alerts.past import episodes, record_past
from monitor.config import Settings
from monitor.metrics import catalog
from monitor.reports import build, charts, html, pdf
from monitor.samples import Sample
from monitor.store import HistoryStore
from tests.test_app import fresh_caches  # noqa: F401 — the fixture

DAY = 86400
NOW = int(datetime(2026, 11, 25, 12, tzinfo=UTC).timestamp())  # a Wednesday
WEEK = int(datetime(2026, 11, 16, tzinfo=UTC).timestamp())  # the last whole week's Monday
ROOT = Path(__file__).resolve().parent.parent


def _day(n: int) -> tuple[int, int, int]:
    """Day n's orders, revenue and visitors (n = 0 is 9 Nov, the week before)."""
    return 100 + n, 10_000 + 250 * n, 4_000


@pytest.fixture
def known(tmp_path: Path) -> tuple[HistoryStore, Settings]:
    """Three weeks and a half of hourly trade; one slow half hour of responses on 18 Nov."""
    store = HistoryStore(f"sqlite:///{tmp_path / 'history.sqlite'}")
    samples = []
    for n in range(-7, 17):  # from a week before the week before
        midnight = WEEK - 7 * DAY + n * DAY
        orders, revenue, visitors = _day(n)
        for hour in range(24):
            ts = midnight + hour * 3600 + 1800
            share = (hour + 1) / 24  # the day's counts grow to their total at its last hour
            samples += [
                Sample("business.ordersToday", round(orders * share), ts),
                Sample("business.revenueToday", round(revenue * share, 2), ts),
                Sample("business.visitors24h", visitors, ts),
                Sample("database.___xtr_order.recordCount", 1000 + 100 * n + hour, ts),
                Sample("seo.sitemapHealth", 97.0 if n < 7 else 99.0, ts),
            ]
    store.write(samples)
    settings = Settings.model_validate({"data_dir": str(tmp_path), "store": {"url": store.url}})
    rule = next(r for r in settings.alerts.effective() if r.name == "slow_responses")
    slow = WEEK + 2 * DAY + 10 * 3600
    points = [(float(slow + k * 300), 5000.0 if k < 6 else 100.0) for k in range(12)]
    store.write([Sample("performance.responseTime", v, int(t)) for t, v in points])
    record_past(store, rule, "performance.responseTime", episodes(rule, points), "test")
    return store, settings


def test_a_weekly_report_holds_the_weeks_figures_against_the_week_before(
    known: tuple[HistoryStore, Settings],
) -> None:
    store, settings = known
    found = build(store, settings, name="weekly", period="week", now=NOW)
    assert (found.start, found.end) == (WEEK, WEEK + 7 * DAY)
    trade = {f.metric: f for f in found.trade}
    orders = sum(_day(n)[0] for n in range(7, 14))
    revenue = sum(_day(n)[1] for n in range(7, 14))
    assert trade["business.ordersToday"].now == orders == 770
    assert trade["business.ordersToday"].before == sum(_day(n)[0] for n in range(7)) == 721
    assert trade["business.revenueToday"].now == revenue
    assert trade["business.averageBasket"].now == pytest.approx(revenue / orders)
    assert trade["business.conversionRate"].now == pytest.approx(100 * orders / (7 * 4000))
    [opened] = found.opened
    assert opened.rule == "slow_responses" and found.resolved == [opened]
    orders_table = dict((t, (a, b)) for t, a, b in found.growth)["Orders"]
    assert orders_table == (700, 700)  # 100 rows a day, week after week
    seo = {f.metric: f for f in found.seo}
    assert (seo["seo.sitemapHealth"].now, seo["seo.sitemapHealth"].before) == (99.0, 97.0)
    assert found.has_data


def test_the_pdf_and_the_html_say_the_same(known: tuple[HistoryStore, Settings]) -> None:
    store, settings = known
    words = catalog(settings)
    found = build(store, settings, name="weekly", period="week", now=NOW)
    drawn = charts(found, words)
    assert [c.name for c in drawn] == ["ordersToday", "revenueToday"]
    assert all(c.png.startswith(b"\x89PNG") for c in drawn)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf(found, words, drawn))).pages)
    for said in ("Weekly report: 16 Nov 2026 to 22 Nov 2026", "770", "721", "+6.8 %",
                 "slow", "Orders", "99"):  # fmt: skip
        assert said in text, said
    mail = html(found, words, drawn, mail=True)
    assert 'src="cid:ordersToday.png"' in mail and "<script" not in mail
    assert "770" in mail and "+6.8 %" in mail
    page = html(found, words, drawn, mail=False)
    assert page.count('src="data:image/png;base64,') == 2


def test_a_period_without_data_says_so(tmp_path: Path) -> None:
    store = HistoryStore(f"sqlite:///{tmp_path / 'history.sqlite'}")
    settings = Settings.model_validate({"data_dir": str(tmp_path), "store": {"url": store.url}})
    words = catalog(settings)
    found = build(store, settings, name="daily", period="day", now=NOW)
    assert not found.has_data
    assert "No data was recorded in this period" in html(found, words, [], mail=False)
    text = PdfReader(io.BytesIO(pdf(found, words, []))).pages[0].extract_text()
    assert "No data was recorded in this period" in text and "0 %" not in text


def test_the_command_writes_a_pdf_or_an_html_file(
    known: tuple[HistoryStore, Settings], tmp_path: Path
) -> None:
    store, _ = known
    config = tmp_path / "vigie.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n[store]\nurl = "{store.url}"\n', encoding="utf-8")
    for name in ("week.pdf",):  # the HTML is the same report (test above)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "monitor",
                "report",
                "weekly",
                "--config",
                str(config),
                "--out",
                str(tmp_path / name),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert (tmp_path / name).stat().st_size > 1000
    wrong = subprocess.run(
        [
            sys.executable,
            "-m",
            "monitor",
            "report",
            "weekly",
            "--config",
            str(config),
            "--out",
            str(tmp_path / "week.doc"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wrong.returncode == 2 and "give a file ending in .pdf or .html" in wrong.stderr


def test_the_overview_offers_both_reports_as_pdf(
    known: tuple[HistoryStore, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_app import open_page

    store, _ = known
    monkeypatch.setenv("MONITOR_STORE", store.url)
    app = open_page("overview")
    labels = [b.proto.label for b in app.get("download_button")]
    assert "Yesterday's report (PDF)" in labels and "Last week's report (PDF)" in labels
    from dashboard.reports import _made

    made = _made("weekly")()  # what the button hands over when pressed
    assert (
        made.startswith(b"%PDF")
        and "Weekly report" in PdfReader(io.BytesIO(made)).pages[0].extract_text()
    )
