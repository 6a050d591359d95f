"""Signing in, end to end in Chromium: through the organisation's identity provider (Streamlit's
own st.login against a real OpenID Connect provider run here, oidc-provider-mock), the role
taken from the person's groups claim as [auth.oidc.roles] maps it, the audit naming them, a
person whose groups map to no role turned away, and signing out; and with a local account
beside it, its password changed by its owner."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import oidc_provider_mock
import pytest
from playwright.sync_api import Browser, Page, expect

from monitor.access import Person, accounts
from monitor.audit import entries
from monitor.jobs import JobQueue
from monitor.store import HistoryStore
from tests.known_history import fill
from tests.test_browser import ARTIFACTS, CHROMIUM, ROOT, _free_port, serving, settle
from tests.test_browser import browser as browser  # the module's Chromium

HOST = "127.0.0.1"  # one host for the browser and the redirect URI: the login cookie is per host
OPS = "ana@example.com"
STRANGER = "sam@example.com"
LOCAL = "lea"
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread() as server:
        base = f"http://{HOST}:{server.server_port}"
        for sub, groups in ((OPS, ["staff", "shop-ops"]), (STRANGER, ["guests"])):
            claims = {"email": sub, "name": sub.split("@")[0], "groups": groups}
            answer = httpx.put(f"{base}/users/{quote(sub, safe='')}", json=claims)
            assert answer.status_code == 204, answer.text
        yield base


@contextlib.contextmanager
def _dashboard(folder: Path, provider: str) -> Iterator[tuple[str, str]]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is required at {CHROMIUM}: apt-get install -y chromium")
    store_url = fill(folder / "history.sqlite")
    store = HistoryStore(store_url)
    accounts.add(store, Person("cli:root", "admin"), LOCAL, "viewer", PASSWORD, now=time.time())
    store.close()
    port = _free_port()
    base = f"http://{HOST}:{port}"
    secrets = folder / "secrets.toml"
    secrets.write_text(
        f'[auth]\nredirect_uri = "{base}/oauth2callback"\n'
        'cookie_secret = "a-cookie-secret-for-the-tests-0123456789"\n'
        'client_id = "vigie"\nclient_secret = "vigie-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    config = folder / "vigie.toml"
    config.write_text(
        f'data_dir = "{folder}"\n[source]\nurl = "sqlite:///{folder / "shop.sqlite"}"\n'
        '[auth.oidc]\nlabel = "Example SSO"\n'
        '[auth.oidc.roles]\n"shop-ops" = "ops"\n"it-admins" = "admin"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "MONITOR_CONFIG": str(config), "MONITOR_STORE": store_url}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.headless=true", f"--server.address={HOST}", f"--server.port={port}",
         "--browser.gatherUsageStats=false", f"--secrets.files={secrets}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    with serving(server, base):
        yield base, store_url


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory, provider: str) -> Iterator[tuple[str, str]]:
    with _dashboard(tmp_path_factory.mktemp("oidc"), provider) as running:
        yield running


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


def _sign_in(page: Page, base: str, provider: str, sub: str) -> None:
    page.goto(base)
    settle(page, "Sign in to Vigie")
    expect(page.get_by_text("Overview")).to_have_count(0)  # no page of the shop before
    page.screenshot(path=str(ARTIFACTS / "sign-in.png"))
    page.get_by_role("button", name="Sign in with Example SSO").click()
    page.wait_for_url(f"{provider}/oauth2/authorize**")
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_url(f"{base}/**")


def test_a_person_signs_in_with_the_provider_and_acts_with_their_groups_role(
    dashboard: tuple[str, str], provider: str, page: Page
) -> None:
    base, store_url = dashboard
    _sign_in(page, base, provider, OPS)
    settle(page, "Overview")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(f"{OPS} · ops")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "oidc-signed-in.png"), full_page=True)
    page.goto(f"{base}/maintenance")
    settle(page, "Maintenance")
    clean_up = page.get_by_role("button", name="Clean up", disabled=False)
    expect(clean_up).to_have_count(1)
    clean_up.click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Clean up: waiting")).to_be_visible()
    store = HistoryStore(store_url)
    try:
        waiting = JobQueue(store).recent(state="waiting")
        assert [(j.type, j.requested_by) for j in waiting] == [("cleanup", OPS)]
        lines = [(e.actor, e.action, e.outcome) for e in entries(store)[:3]]
        assert (OPS, "maintenance", "requested") in lines
        assert (OPS, "sign in", "done") in lines
    finally:
        store.close()
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{provider}/oauth2/end_session**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{base}/**")
    settle(page, "Sign in to Vigie")


def test_a_person_whose_groups_map_to_no_role_is_turned_away(
    dashboard: tuple[str, str], provider: str, page: Page
) -> None:
    base, _ = dashboard
    _sign_in(page, base, provider, STRANGER)
    settle(page, "Sign in to Vigie")
    expect(page.get_by_text("none of your groups (groups) has a role in Vigie")).to_be_visible()
    page.goto(f"{base}/business")  # a bookmark: still only the sign-in
    settle(page, "Sign in to Vigie")
    expect(page.get_by_role("heading", name="Business")).to_have_count(0)


def _local_sign_in(page: Page, base: str, password: str) -> None:
    page.goto(base)
    settle(page, "Sign in to Vigie")
    page.get_by_label("Name", exact=True).fill(LOCAL)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_a_local_account_signs_in_beside_the_provider_and_changes_its_password(
    dashboard: tuple[str, str], page: Page
) -> None:
    base, store_url = dashboard
    _local_sign_in(page, base, "not the password")
    expect(page.get_by_text("wrong name or password")).to_be_visible()
    _local_sign_in(page, base, PASSWORD)
    settle(page, "Overview")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(f"{LOCAL} · viewer")).to_be_visible()
    sidebar.get_by_text("Change your password").click()
    sidebar.get_by_label("Current password", exact=True).fill(PASSWORD)
    sidebar.get_by_label("New password", exact=True).fill("a brand new password")
    sidebar.get_by_label("New password again", exact=True).fill("a brand new password")
    sidebar.get_by_role("button", name="Change").click()
    expect(sidebar.get_by_text("Password changed")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "password-changed.png"), full_page=True)
    sidebar.get_by_role("button", name="Sign out").click()
    settle(page, "Sign in to Vigie")
    _local_sign_in(page, base, "a brand new password")
    settle(page, "Overview")
    store = HistoryStore(store_url)
    try:
        done = [(e.actor, e.action) for e in entries(store)[:4] if e.outcome == "done"]
        assert (LOCAL, "account password") in done
    finally:
        store.close()
