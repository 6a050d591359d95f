"""What a person reads, in Debian's Chromium at a desktop's width (1440 px) and a phone's
(390 px): words, not Vigie's identifiers; figures shown whole; chart titles clear of their
legends; on a phone, the status first, tiles two to a row and a sidebar that gets out of the way."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.test_browser import ARTIFACTS, PAGES, _streamlit, settle
from tests.test_browser import browser as browser  # the shared Chromium

WIDTHS = (1440, 390)
PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Mobile Safari/537.36"
)

# Every text node a person can see (cells of a table included: its grid draws them on a canvas
# and keeps them in an accessible table), outside code spans and icons.
_VISIBLE_TEXT = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const element = node.parentElement;
    if (!text || !element) continue;
    if (element.closest('code, pre, script, style, noscript, [data-testid="stIconMaterial"]'))
      continue;
    const box = element.getBoundingClientRect();
    const inGrid = element.closest('[data-testid="stDataFrame"]');
    if (!inGrid && box.width === 0 && box.height === 0) continue;
    if (!inGrid && getComputedStyle(element).visibility === "hidden") continue;
    found.push(text);
  }
  return found;
}"""
# Vigie's names for things: `performance.diskUsage`, `___xtr_order`, `disk_full`, `lastWrite`.
IDENTIFIER = re.compile(
    r"\b[a-z]+(?:\.[\w*]+)*\.[a-z]+[A-Z]\w*"  # a metric's name
    r"|(?<![\w/.-])_+[A-Za-z]\w*"  # a table's name
    r"|\b[a-z]+_[a-z_]+\b"  # a rule, a job type, a key
    r"|\b[a-z]+[A-Z][a-z]\w*"  # a JSON field
)
# Title and legend boxes of every chart that intersect (its title a line above the plot, or
# plotly's own).
_OVERLAPS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(plot => {
  const title = plot.parentElement.querySelector(':scope > .vigie-chart-title:not([hidden])')
    ?? plot.querySelector('.gtitle');
  const legend = plot.querySelector('.legend');
  if (!title || !legend) return [];
  const a = title.getBoundingClientRect(), b = legend.getBoundingClientRect();
  const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
  return apart ? [] : [title.textContent];
})"""
_CUT = """values => values.filter(v => [v, ...v.querySelectorAll('*')]
    .some(e => e.scrollWidth > e.clientWidth + 1)).map(v => v.textContent)"""


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    with _streamlit(tmp_path_factory.mktemp("reading")) as running:
        yield running


def _open(browser: Browser, url: str, title: str, charts: int, width: int) -> Page:
    # Below 640 px, a phone: Streamlit tells one from a narrow window by its touch and agent.
    phone = width < 640
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        is_mobile=phone,
        has_touch=phone,
        user_agent=PHONE if phone else None,
    )
    page = context.new_page()
    page.goto(url)
    settle(page, title)
    if charts:  # drawn, not only placed
        page.locator(".js-plotly-plot :is(.scatterlayer, .barlayer) .trace").first.wait_for(
            state="attached", timeout=30_000
        )
    return page


_URL = re.compile(r"\b\w+://\S+")


def identifiers(texts: list[str]) -> list[str]:
    """The identifiers in `texts`, outside web addresses (which are what they are)."""
    return sorted(
        {
            f"{m.group(0)!r} in {t[:80]!r}"
            for t in texts
            for m in IDENTIFIER.finditer(_URL.sub(" ", t))
        }
    )


def test_the_identifier_check_finds_what_it_should() -> None:
    # The patterns this test relies on, so a loosened one cannot pass unnoticed.
    assert identifiers(["Disk usage 97 %", "Orders: Rows", "http://127.0.0.1:8000/x_y"]) == []
    found = identifiers(
        ["performance.diskUsage", "___xtr_order: sizeBytes", "rule disk_full", "lastWrite"]
    )
    assert len(found) == 5, found


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("path", "title", "charts"), PAGES)
def test_a_person_reads_words_and_whole_figures(
    dashboard: tuple[str, str], browser: Browser, path: str, title: str, charts: int, width: int
) -> None:
    page = _open(browser, f"{dashboard[0]}/{path}", title, charts, width)
    try:
        seen = page.evaluate(_VISIBLE_TEXT)
        assert any(title == t for t in seen)  # the walk reads the page
        assert identifiers(seen) == []
        assert page.get_by_test_id("stMetricValue").evaluate_all(_CUT) == []
        assert page.evaluate(_OVERLAPS) == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{path or 'overview'}-{width}.png"), full_page=True)
    finally:
        page.context.close()


def _tops(page: Page, test_id: str) -> list[float]:
    return page.get_by_test_id(test_id).evaluate_all(
        "found => found.map(e => e.getBoundingClientRect().top)"
    )


def test_on_a_phone_the_status_comes_first_and_tiles_pair_up(
    dashboard: tuple[str, str], browser: Browser
) -> None:
    page = _open(browser, dashboard[0], "Overview", 0, 390)
    try:
        status = page.get_by_test_id("stMain").get_by_text("UNHEALTHY", exact=True)
        status_top = status.bounding_box()
        assert status_top is not None
        tiles = _tops(page, "stMetric")
        assert len(tiles) >= 4
        assert status_top["y"] < min(tiles)
        # Two to a row: the first two side by side, the third below them.
        assert tiles[0] == pytest.approx(tiles[1], abs=2)
        assert tiles[2] > tiles[0] + 20
        widths = page.get_by_test_id("stMetric").evaluate_all(
            "found => found.map(e => e.getBoundingClientRect().width)"
        )
        assert max(widths[:2]) < 390 / 2
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "overview-phone.png"), full_page=True)
    finally:
        page.context.close()


def test_on_a_phone_the_sidebar_closes_after_choosing_a_page(
    dashboard: tuple[str, str], browser: Browser
) -> None:
    page = _open(browser, dashboard[0], "Overview", 0, 390)
    try:
        sidebar = page.get_by_test_id("stSidebar")
        page.get_by_test_id("stExpandSidebarButton").click()
        nav = sidebar.get_by_test_id("stSidebarNav")
        nav.get_by_text("Business", exact=True).click()
        settle(page, "Business")
        box = sidebar.bounding_box()
        # Closed: moved out of sight, the page's own width free for the figures.
        assert box is None or box["x"] + box["width"] <= 1
    finally:
        page.context.close()


def test_a_tile_leads_to_its_chart(dashboard: tuple[str, str], browser: Browser) -> None:
    page = _open(browser, dashboard[0], "Overview", 0, 1440)
    try:
        orders = page.get_by_test_id("stMetric").filter(has_text="Orders in 24 h")
        chart = page.get_by_role("link", name="Chart")
        # The innermost block holding both: the tile (ancestors come first in the page).
        tile = page.get_by_test_id("stVerticalBlock").filter(has=orders).filter(has=chart).last
        tile.get_by_role("link", name="Chart").click()
        settle(page, "Business")
        expect(page.locator(".vigie-chart-title")).to_have_text(
            "Orders in 24 h, against the previous 24 h", timeout=30_000
        )
        assert "business_metric=business.orders24h" in page.url
    finally:
        page.context.close()


def test_a_zoom_can_become_the_period(dashboard: tuple[str, str], browser: Browser) -> None:
    page = _open(browser, f"{dashboard[0]}/business", "Business", 1, 1440)
    try:
        plot = page.locator(".js-plotly-plot .nsewdrag").first
        plot.scroll_into_view_if_needed()
        box = plot.bounding_box()
        assert box is not None
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + 5, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 3, y, steps=8)
        page.mouse.up()
        offer = page.get_by_role("button", name=re.compile(r"^Show .* on every page$"))
        expect(offer).to_be_visible(timeout=15_000)
        offer.click()
        start = page.get_by_test_id("stSidebar").get_by_role("group", name="From – to start date")
        expect(start).to_be_visible(timeout=15_000)
        expect(page).to_have_url(re.compile(r"period=Custom.*from=\d{4}-\d\d-\d\d"), timeout=15_000)
    finally:
        page.context.close()


def test_clicking_a_tables_row_opens_its_history(
    dashboard: tuple[str, str], browser: Browser
) -> None:
    page = _open(browser, f"{dashboard[0]}/tables", "Tables", 3, 1440)
    try:
        grid = page.get_by_test_id("stDataFrame").first
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        assert box is not None
        # The row marker of the first row (Customers): under the 35 px header, 35 px a row.
        page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)
        expect(
            page.get_by_text("Customers: Rows: nothing collected in this period.")
        ).to_be_visible(timeout=15_000)
        assert "table=___xtr_customer" in page.url
    finally:
        page.context.close()
