"""The public status page: what customers read, as HTML (Chromium at 1440 and 390 px, without
JavaScript) and as JSON (against its schema); cacheable, no login, every configured text shown
as text, and none of the store's internal names anywhere."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import jsonschema
import pytest
from playwright.sync_api import Browser

from monitor.config import Settings
from monitor.samples import Sample
from tests.test_api import _serve
from tests.test_availability import DAY, METRIC, TABLE, _fill
from tests.test_browser import ARTIFACTS
from tests.test_browser import browser as browser  # the shared Chromium

XSS = "<script>alert('x')</script>"
# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture(scope="module")
def status(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Settings]]:
    """The orders table's known history, the database down for the last ten minutes, a
    maintenance window tomorrow at 02:00, and a configuration that tries its luck."""
    folder = tmp_path_factory.mktemp("status")
    now = int(time.time())
    store, _ = _fill(folder, now // DAY * DAY)
    today = range(now // DAY * DAY, now, 300)  # the table readable since midnight too
    store.write([Sample(METRIC, 1.0, ts) for ts in today])
    recent = range(now - 2 * DAY, now, 300)
    store.write([Sample("database.up", 0.0 if ts > now - 600 else 1.0, ts) for ts in recent])
    store.close()
    logo = folder / "logo.png"
    logo.write_bytes(PNG)
    tomorrow = (now // DAY + 1) * DAY
    settings = Settings.model_validate(
        {
            "data_dir": str(folder),
            "store": {"url": store.url},
            "ops": {"token": "s3cret-ops"},
            "status_page": {
                "title": f"Pièces Auto {XSS}",
                "logo": str(logo),
                "components": [
                    {"name": "Checkout <b>now</b>", "checks": ["database", f"table:{TABLE}"]},
                    {"name": "Catalogue", "checks": [f"table:{TABLE}"]},
                ],
            },
            "maintenance_windows": [
                {
                    "name": "internal-upgrade-db-7",
                    "start": datetime.fromtimestamp(tomorrow + 7200, UTC).isoformat(),
                    "end": datetime.fromtimestamp(tomorrow + 10800, UTC).isoformat(),
                    "rule": "table_*",
                }
            ],
        }
    )
    for client in _serve(settings):
        yield client, settings


def test_the_json_holds_states_days_incidents_and_maintenance(
    status: tuple[httpx.Client, Settings],
) -> None:
    client, _ = status
    answer = client.get("/api/public/status")  # no token: it is public
    assert answer.status_code == 200
    found = answer.json()
    schema = client.get("/openapi.json").json()
    models = schema["components"]["schemas"]
    jsonschema.validate(found, {**models["PublicStatus"], "components": {"schemas": models}})
    assert found["title"] == f"Pièces Auto {XSS}" and found["status"] == "outage"
    states = {c["name"]: c["state"] for c in found["components"]}
    assert states == {"Checkout <b>now</b>": "outage", "Catalogue": "operational"}
    [incident] = found["incidents"]
    assert incident["component"] == "Checkout <b>now</b>"
    assert incident["since"] <= datetime.now(UTC).isoformat()
    [planned] = found["maintenance"]
    assert planned["components"] == ["Checkout <b>now</b>", "Catalogue"]
    days = found["components"][1]["days"]
    assert len(days) == 90 and days[-1]["availability"] == 100.0 and days[0]["availability"] is None


def test_it_is_cacheable_and_tells_nothing_internal(status: tuple[httpx.Client, Settings]) -> None:
    client, settings = status
    for path in ("/status", "/api/public/status"):
        first = client.get(path)
        assert first.headers["cache-control"] == "public, max-age=30"
        again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        text = first.text
        internal = [TABLE, METRIC, "database.up", "health.up", "probe", "performance.",
                    "internal-upgrade-db-7", settings.store_url, str(settings.data_dir),
                    settings.host_name, "127.0.0.1", "s3cret"]  # fmt: skip
        assert [word for word in internal if word in text] == [], path
    page = client.get("/status").text
    assert XSS not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;now&lt;/b&gt;" in page and "<b>now" not in page
    logo = client.get("/status/logo")
    assert logo.status_code == 200 and logo.content == PNG
    assert logo.headers["content-type"] == "image/png"


def test_a_customer_reads_it_on_a_desk_and_on_a_phone_without_javascript(
    status: tuple[httpx.Client, Settings], browser: Browser
) -> None:
    client, _ = status
    for width in (1440, 390):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, java_script_enabled=False
        )
        page = context.new_page()
        page.goto(f"{client.base_url}/status")
        heading = page.locator("h1")
        assert heading.inner_text() == f"Pièces Auto {XSS}"  # shown as text, never run
        assert page.locator("script").count() == 0
        assert page.get_by_text("Some systems are down").is_visible()
        assert page.locator(".bars").count() == 2 and page.locator(".bars span").count() == 180
        assert page.get_by_text("Checkout <b>now</b>: down since").is_visible()
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"the page is {wide} px wide on a {width} px screen"
        assert page.locator("header img").evaluate("img => img.naturalWidth") == 1
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"status-{width}.png"), full_page=True)
        context.close()


def test_a_check_the_configuration_lacks_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'probe:payment' is not a configured probe"):
        Settings.model_validate(
            {"status_page": {"components": [{"name": "Pay", "checks": ["probe:payment"]}]}}
        )
    with pytest.raises(ValueError, match="is not one of shop, database"):
        Settings.model_validate(
            {"status_page": {"components": [{"name": "Pay", "checks": ["cpu"]}]}}
        )
