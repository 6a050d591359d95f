"""Signing in to the dashboard (AppTest, through app.py): open access says so; an account
makes every page need a signed-in person; wrong passwords, slowed-down guessing, sessions that
end; what each role may press; and the admins' Access page, where a token is shown once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.access import (
    ACCOUNT_CHECK_S,
    OPEN_LINE,
    SESSION_KEY,
    Session,
    forget_accounts_cache,
)
from monitor.access import Person, accounts, tokens
from monitor.audit import entries
from monitor.jobs import JobQueue
from monitor.store import HistoryStore
from tests.test_app import APP
from tests.test_app import fresh_caches as fresh_caches  # autouse: each test its own settings
from tests.test_app import known as known  # the store with known content

ADMIN = Person("cli:root", "admin", via="cli")
PASSWORD = "a long enough password"


def _account(url: str, name: str, role: str) -> None:
    store = HistoryStore(url)
    accounts.add(store, ADMIN, name, role, PASSWORD, now=time.time())
    store.close()
    forget_accounts_cache()  # as a running dashboard does within ACCOUNTS_TTL_S


def _start() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def _sign_in(app: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    fields = {field.label: field for field in app.text_input}
    fields["Name"].set_value(name)
    fields["Password"].set_value(password)
    app.button(key="FormSubmitter:sign-in-Sign in").click().run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def test_open_access_says_anyone_can_read_it(known: str) -> None:
    app = _start()
    assert OPEN_LINE in [c.value for c in app.sidebar.caption]
    assert app.title[0].value == "Overview"


def test_an_account_makes_every_page_need_a_sign_in(known: str) -> None:
    _account(known, "alice", "ops")
    app = _start()
    assert [t.value for t in app.title] == ["Sign in to Vigie"]
    assert not app.metric and not app.dataframe  # nothing of the shop before signing in
    with pytest.raises(ValueError, match=r"Known pages: \['Sign in'\]"):
        app.switch_page("pages/business.py")  # no other page exists before signing in
    _sign_in(app, "alice")
    assert app.title[0].value == "Overview"
    assert "alice · ops" in [t.value for t in app.sidebar.text]


def test_a_wrong_password_is_refused_then_guessing_slows_down(known: str) -> None:
    _account(known, "alice", "viewer")
    app = _start()
    for _ in range(accounts.FREE_FAILURES):
        _sign_in(app, "alice", "not the password")
        assert [e.value for e in app.error] == ["wrong name or password"]
    _sign_in(app, "alice")  # the right password, too soon
    assert "too many failed sign-ins" in app.error[0].value
    assert [t.value for t in app.title] == ["Sign in to Vigie"]
    store = HistoryStore(known)
    counted: dict[tuple[str, str], int] = {}
    for line in entries(store):  # a burst is one line a minute, with its count
        if line.action == "sign in":
            key = (line.actor, line.outcome)
            counted[key] = counted.get(key, 0) + line.times
    store.close()
    assert counted == {("alice", "failed"): 3, ("alice", "throttled"): 1}


@pytest.mark.parametrize(
    ("started_ago", "idle", "why"),
    [(13 * 3600, 60, "after 12 h"), (600, 2 * 3600, "after 60 minutes idle")],
)
def test_a_session_ends_when_it_is_too_old_or_idle(
    known: str, started_ago: float, idle: float, why: str
) -> None:
    _account(known, "alice", "ops")
    app = _sign_in(_start(), "alice")
    now = time.time()
    app.session_state[SESSION_KEY] = Session(
        "alice", "ops", "account", now - started_ago, now - idle
    )
    app.run()
    assert [t.value for t in app.title] == ["Sign in to Vigie"]
    assert why in app.info[0].value


def test_a_new_password_ends_the_session(known: str) -> None:
    _account(known, "alice", "ops")
    app = _sign_in(_start(), "alice")
    store = HistoryStore(known)
    accounts.set_password(store, ADMIN, "alice", "another long password", now=time.time() + 1)
    store.close()
    time.sleep(ACCOUNT_CHECK_S)  # the session asks the store again within that
    app.run()
    assert "password changed" in app.info[0].value


def test_a_viewer_reads_but_may_not_run_maintenance(known: str) -> None:
    _account(known, "vic", "viewer")
    app = _sign_in(_start(), "vic")
    app.switch_page("pages/maintenance.py").run()
    assert all(b.disabled for b in app.button if b.key and b.key.startswith("run-"))
    assert "you are signed in as a viewer" in app.info[0].value
    app.switch_page("pages/alerts.py").run()
    assert app.button(key="ack-1").disabled
    # Not in a viewer's navigation; reached by its address, the page itself refuses them.
    app.switch_page("pages/access.py").run()
    assert "for admins" in app.info[0].value
    assert not [f for f in app.text_input if f.label == "Name (what it is for)"]


def test_ops_run_maintenance_under_their_own_name(known: str) -> None:
    _account(known, "olga", "ops")
    app = _sign_in(_start(), "olga")
    app.switch_page("pages/maintenance.py").run()
    app.button(key="run-cleanup").click().run()
    app.button(key="confirm").click().run()
    store = HistoryStore(known)
    waiting = JobQueue(store).recent(state="waiting")
    newest = entries(store)[0]
    store.close()
    assert [(j.type, j.requested_by) for j in waiting] == [("cleanup", "olga")]
    assert (newest.actor, newest.action, newest.outcome) == ("olga", "maintenance", "requested")


def test_admins_make_a_token_shown_once_and_revoke_it(known: str) -> None:
    _account(known, "ada", "admin")
    app = _sign_in(_start(), "ada")
    app.switch_page("pages/access.py").run()
    assert not app.exception, [e.message for e in app.exception]
    [name] = [f for f in app.text_input if f.label == "Name (what it is for)"]
    name.set_value("grafana")
    app.button(key="FormSubmitter:new-token-Make a token").click().run()
    assert "Copy it now" in app.success[0].value
    secret = app.code[0].value
    store = HistoryStore(known)
    assert tokens.bearer_of(store, secret, now=time.time()) == Person(
        "token:grafana", "viewer", "token"
    )
    app.run()  # shown once: the next run no longer has it
    assert not app.code and secret not in str(app.dataframe[0].value.to_dict())
    [revoke] = [s for s in app.selectbox if s.label == "Token to revoke"]
    revoke.select("grafana").run()
    [button] = [b for b in app.button if b.label == "Revoke"]
    button.click().run()
    assert tokens.bearer_of(store, secret, now=time.time()) is None
    store.close()


def test_the_access_page_is_for_admins_only(known: str) -> None:
    _account(known, "olga", "ops")
    app = _sign_in(_start(), "olga")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("pages/access.py")
    _account(known, "ada", "admin")
    admin = _sign_in(_start(), "ada")
    admin.switch_page("pages/access.py").run()
    # An admin demoted while on the page: it refuses them at its next run.
    store = HistoryStore(known)
    accounts.remove(store, ADMIN, "ada", now=time.time())
    accounts.add(store, ADMIN, "ada", "viewer", PASSWORD, now=time.time() - 3600)
    store.close()
    time.sleep(ACCOUNT_CHECK_S)
    admin.run()
    assert not [f for f in admin.text_input if f.label == "Name (what it is for)"]


PROVIDER = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-cookie-secret-for-the-tests",
    "client_id": "vigie",
    "client_secret": "x",
    "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
}


def _provider_app(claims: dict[str, object]) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.secrets["auth"] = PROVIDER
    app.user = {"is_logged_in": True, **claims}
    return app


def test_a_provider_session_counts_from_the_sign_in_at_the_provider(
    known: str, tmp_path: Path
) -> None:
    config = tmp_path / "vigie.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '[auth.oidc.roles]\n"shop-ops" = "ops"\n',
        encoding="utf-8",
    )
    now = time.time()
    fresh = _provider_app({"email": "ana@example.com", "groups": ["shop-ops"], "iat": now - 60})
    fresh.run()
    assert fresh.title[0].value == "Overview"
    assert "ana@example.com · ops" in [t.value for t in fresh.sidebar.text]
    # Signed in at the provider 13 h ago: a reload does not start the clock again.
    old = _provider_app(
        {"email": "ana@example.com", "groups": ["shop-ops"], "iat": now - 13 * 3600}
    )
    old.run()
    assert "Overview" not in [t.value for t in old.title] and not old.metric
    assert old.user.get("is_logged_in") is not True  # st.logout() was called


def test_admins_add_and_remove_accounts_on_the_access_page(known: str) -> None:
    _account(known, "ada", "admin")
    app = _sign_in(_start(), "ada")
    app.switch_page("pages/access.py").run()
    fields = {f.label: f for f in app.text_input}
    fields["Name"].set_value("olga")
    fields["Password"].set_value(PASSWORD)
    [role] = [s for s in app.selectbox if s.label == "Role"]
    role.select("ops")
    app.button(key="FormSubmitter:new-account-Add the account").click().run()
    assert not app.error, [e.value for e in app.error]
    store = HistoryStore(known)
    assert accounts.sign_in(store, "olga", PASSWORD, now=time.time()) == Person("olga", "ops")
    [gone] = [s for s in app.selectbox if s.label == "Account to remove"]
    assert gone.options == ["olga"]  # not themselves
    gone.select("olga").run()
    [button] = [b for b in app.button if b.label == "Remove"]
    button.click().run()
    assert [a.name for a in accounts.listing(store)] == ["ada"]
    assert [(e.actor, e.action) for e in entries(store)[:2]] == [
        ("ada", "account remove"),
        ("olga", "sign in"),
    ]
    store.close()


def test_admins_change_a_role_on_the_access_page(known: str) -> None:
    _account(known, "ada", "admin")
    _account(known, "vic", "viewer")
    app = _sign_in(_start(), "ada")
    app.switch_page("pages/access.py").run()
    [which] = [s for s in app.selectbox if s.label == "Account whose role changes"]
    which.select("vic").run()
    app.selectbox(key="new-role").select("ops").run()
    [button] = [b for b in app.button if b.label == "Change the role"]
    button.click().run()
    store = HistoryStore(known)
    assert accounts.current(store, "vic", time.time()) == Person("vic", "ops")
    assert (entries(store)[0].action, entries(store)[0].detail) == ("account role", "role ops")
    store.close()


def test_an_unreadable_secrets_file_closes_the_dashboard(
    known: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import streamlit as st
    from streamlit.errors import StreamlitSecretNotFoundError

    class Unreadable(dict[str, object]):
        def __contains__(self, key: object) -> bool:
            raise StreamlitSecretNotFoundError(
                "Error parsing secrets file at {path}: {error}",
                path="/srv/.streamlit/secrets.toml",
                error="Invalid value (at line 3, column 10)",
            )

        def get(self, *_: object) -> object:
            return None

    monkeypatch.setattr(st, "secrets", Unreadable())
    app = _start()
    assert "secrets file cannot be read" in app.error[0].value
    assert not app.title and not app.metric  # neither the sign-in nor the shop
