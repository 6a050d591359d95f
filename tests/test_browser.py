"""What a person sees, in Debian's Chromium driven by Playwright: every page renders (with its
charts), the ops gate on maintenance, a CSV download, and a screenshot of each page under
test-artifacts/ (as Streamlit's own e2e suite does: `streamlit run`, wait for health, assert)."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from monitor.audit import entries
from monitor.jobs import JobQueue
from monitor.store import HistoryStore
from tests.known_history import RECOMMENDATION, TABLE, fill

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("VIGIE_CHROMIUM", "/usr/bin/chromium")
OPS_SECRET = "browser-ops-secret"
# (url path, title, plotly charts the page draws)
PAGES = [
    ("", "Overview", 0),
    ("health", "Health", 1),
    ("alerts", "Alerts", 0),
    ("availability", "Availability", 1),
    ("tables", "Tables", 3),
    ("business", "Business", 1),
    ("seo", "SEO", 1),
    ("insights", "Insights", 1),
    ("jobs", "Jobs", 0),
    ("maintenance", "Maintenance", 0),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _streamlit(folder: Path) -> Iterator[tuple[str, str]]:
    """`streamlit run app.py` on a spare port over a store with known content."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is required at {CHROMIUM}: apt-get install -y chromium")
    store_url = fill(folder / "history.sqlite")
    config = folder / "vigie.toml"
    config.write_text(
        f'data_dir = "{folder}"\n[source]\nurl = "sqlite:///{folder / "shop.sqlite"}"\n'
        f'[ops]\ntoken = "{OPS_SECRET}"\n',
        encoding="utf-8",
    )
    port = _free_port()
    env = {**os.environ, "MONITOR_CONFIG": str(config), "MONITOR_STORE": store_url}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.headless=true",
            "--server.address=127.0.0.1",
            f"--server.port={port}",
            "--browser.gatherUsageStats=false",
            "--client.showErrorDetails=full",  # a failing test's screenshot shows why
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    with serving(server, base):
        yield base, store_url


@contextlib.contextmanager
def serving(server: subprocess.Popen[bytes], base: str) -> Iterator[None]:
    """Once `streamlit run` answers its health check; stopped after."""
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start: {server.stderr}") from None
                time.sleep(0.3)
        yield
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    with _streamlit(tmp_path_factory.mktemp("browser")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    opened = context.new_page()
    yield opened
    context.close()


def _leaves_the_host(url: str) -> bool:
    parts = urlsplit(url)  # blob: and data: URLs are the page's own
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1"


def settle(page: Page, title: str) -> None:
    """Wait until the page's title is shown, the script has stopped running and every element
    is drawn."""
    expect(page.get_by_role("heading", name=title, exact=True).first).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)
    # Elements whose code is still loading show as grey skeletons.
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=30_000)


@pytest.mark.parametrize(("path", "title", "charts"), PAGES)
def test_it_renders_every_page(
    dashboard: tuple[str, str], page: Page, path: str, title: str, charts: int
) -> None:
    outside: list[str] = []  # a self-hosted dashboard fetches nothing from the internet

    def note_outside(request: Any) -> None:
        if _leaves_the_host(request.url):
            outside.append(request.url)

    page.on("request", note_outside)
    page.goto(f"{dashboard[0]}/{path}")
    settle(page, title)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    if charts:
        # Every chart, its lines or its bars drawn.
        traces = page.locator(":is(.scatterlayer, .barlayer) .trace")
        drawn = page.locator(".js-plotly-plot").filter(has=traces)
        expect(drawn).to_have_count(charts, timeout=30_000)
        ticks = page.locator(".js-plotly-plot .ytick text").all_text_contents()
        assert ticks and not [t for t in ticks if t and t[-1] in "kMGTµm"], ticks  # no SI suffix
    # Every headline figure is shown whole ("15,420.50 €", not "15,420.…").
    cut = page.get_by_test_id("stMetricValue").evaluate_all(
        """values => values.filter(v => [v, ...v.querySelectorAll('*')]
            .some(e => e.scrollWidth > e.clientWidth + 1)).map(v => v.textContent)"""
    )
    assert cut == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{path or 'overview'}.png"), full_page=True)
    assert outside == []


def test_it_keeps_maintenance_closed_without_the_ops_secret(
    dashboard: tuple[str, str], page: Page
) -> None:
    page.goto(f"{dashboard[0]}/maintenance")
    settle(page, "Maintenance")
    expect(page.get_by_role("button", name="Clean up")).to_be_disabled()
    expect(page.get_by_text("Maintenance is for ops")).to_be_visible()


def test_it_runs_maintenance_for_ops(dashboard: tuple[str, str], page: Page) -> None:
    base, store_url = dashboard
    page.goto(f"{base}/maintenance")
    settle(page, "Maintenance")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Ops", exact=True).click()
    sidebar.get_by_label("Ops secret").fill(OPS_SECRET)
    sidebar.get_by_label("Ops secret").press("Enter")
    expect(sidebar.get_by_text("Ops actions unlocked")).to_be_visible(timeout=15_000)
    settle(page, "Maintenance")  # the rerun's stale, disabled buttons are gone
    clean_up = page.get_by_role("button", name="Clean up", disabled=False)
    expect(clean_up).to_have_count(1, timeout=15_000)
    clean_up.click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Clean up: waiting")).to_be_visible(timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "maintenance-requested.png"), full_page=True)
    store = HistoryStore(store_url)
    try:
        waiting = JobQueue(store).recent(state="waiting")
        assert [(j.type, j.requested_by) for j in waiting] == [("cleanup", "ops secret")]
        newest = entries(store)[0]
        assert (newest.actor, newest.outcome) == ("ops secret", "requested")
    finally:
        store.close()


def test_it_downloads_a_tables_csv(dashboard: tuple[str, str], page: Page) -> None:
    page.goto(f"{dashboard[0]}/tables")
    settle(page, "Tables")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").first.click()
    body = Path(download.value.path()).read_text(encoding="utf-8")
    rows = {row["table"]: row for row in csv.DictReader(io.StringIO(body))}
    assert next(csv.reader(io.StringIO(body))) == [
        "table",
        "accessible",
        "recordCount",
        "growth",
        "queryTime",
        "sizeBytes",
        "recommendations",
    ]
    assert rows[TABLE]["recordCount"] == "121500"
    assert rows[TABLE]["growth"] == "1500"  # a whole figure, written whole
    # The spreadsheet formula that a shop's data could smuggle in is shown as text.
    assert rows[TABLE]["recommendations"] == "'" + RECOMMENDATION


def test_bookmarks_open_through_the_app_on_a_new_server(tmp_path: Path, browser: Browser) -> None:
    """The first visits a restarted dashboard gets may be bookmarks, several at once (tabs
    reconnecting), not the home page."""
    with _streamlit(tmp_path) as (base, _):
        contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in "ab"]
        try:
            business, tables = (context.new_page() for context in contexts)
            business.goto(f"{base}/business", wait_until="commit")
            tables.goto(f"{base}/tables", wait_until="commit")
            for page, title in ((business, "Business"), (tables, "Tables")):
                settle(page, title)
                expect(page.get_by_test_id("stException")).to_have_count(0)
                sidebar = page.get_by_test_id("stSidebar")
                expect(sidebar.get_by_text("Period", exact=True)).to_be_visible()
                nav = sidebar.get_by_test_id("stSidebarNav")
                expect(nav.get_by_text("Figures")).to_be_visible()
            scatter = business.locator(".js-plotly-plot .scatterlayer")
            expect(scatter).to_have_count(1, timeout=30_000)
        finally:
            for context in contexts:
                context.close()


def test_charts_follow_the_dark_theme(dashboard: tuple[str, str], browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(f"{dashboard[0]}/business")
        settle(page, "Business")
        tick = page.locator(".js-plotly-plot .xtick text").first
        expect(tick).to_be_visible(timeout=30_000)
        # [theme.dark] textColor = "#e6edf3" in .streamlit/config.toml
        assert tick.evaluate("t => getComputedStyle(t).fill") == "rgb(230, 237, 243)"
        # The hover box: the theme's panel (secondaryBackgroundColor = "#161b22"), not white.
        page.locator(".js-plotly-plot .nsewdrag").first.hover()
        box = page.locator(".js-plotly-plot .hoverlayer .bg").first
        expect(box).to_be_visible()
        assert box.evaluate("b => getComputedStyle(b).fill") == "rgb(22, 27, 34)"
        page.screenshot(path=str(ARTIFACTS / "business-dark.png"), full_page=True)
    finally:
        context.close()
