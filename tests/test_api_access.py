"""The API's door, table-driven: each kind of caller (no token, each scope, the configuration's
ops token, an expired, a revoked and a made-up token) against each class of endpoint (health
checks, the public status page, reads, operate, admin), on a real server. Then what admins do
through it, what the schema declares, and that no token or password leaks anywhere."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from monitor.access import Person, accounts, tokens
from monitor.audit import entries
from monitor.config import Settings
from monitor.store import HistoryStore
from tests.known_history import fill
from tests.test_api import _serve

OPS_TOKEN = "door-ops-t0ken"
ADMIN = Person("cli:root", "admin", via="cli")
PASSWORD = "a long enough password"
# (endpoint class, method, path, JSON body, the status it answers when let in)
ENDPOINTS = [
    ("health", "GET", "/api/system/health/live", None, 200),
    ("public", "GET", "/api/public/status", None, 200),
    ("read", "GET", "/api/system/alerts", None, 200),
    ("read", "GET", "/metrics", None, 200),
    ("operate", "POST", "/api/system/maintenance", {"tasks": ["cleanup"]}, 202),
    ("operate", "POST", "/api/system/alerts/1/acknowledge", None, 200),
    ("admin", "GET", "/api/system/tokens", None, 200),
    ("admin", "GET", "/api/system/audit", None, 200),
]
# caller → the endpoint classes it may call (anything else: 401 without a valid token, 403
# with one whose scope is too small).
MAY = {
    "none": {"health", "public"},
    "read": {"health", "public", "read"},
    "operate": {"health", "public", "read", "operate"},
    "admin": {"health", "public", "read", "operate", "admin"},
    "ops token": {"health", "public", "read", "operate"},
    "expired": {"health", "public"},
    "revoked": {"health", "public"},
    "made up": {"health", "public"},
}
VALID = {"read", "operate", "admin", "ops token"}


def _settings(folder: Path, **api: object) -> Settings:
    return Settings.model_validate(
        {
            "data_dir": str(folder),
            "source": {"url": f"sqlite:///{folder / 'shop.sqlite'}"},
            "store": {"url": fill(folder / "history.sqlite")},
            "ops": {"token": OPS_TOKEN},
            "api": api,
        }
    )


@pytest.fixture(scope="module")
def door(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[httpx.Client, dict[str, str], Settings]]:
    folder = tmp_path_factory.mktemp("door")
    settings = _settings(folder)
    store = HistoryStore(settings.store_url)
    now = time.time()
    made = {
        scope: tokens.create(store, ADMIN, f"t-{scope}", scope, expires_days=None, now=now)
        for scope in ("read", "operate", "admin")
    }
    made["expired"] = tokens.create(
        store, ADMIN, "old", "admin", expires_days=1, now=now - 2 * 86400
    )
    made["revoked"] = tokens.create(store, ADMIN, "gone", "admin", expires_days=None, now=now)
    tokens.revoke(store, ADMIN, "gone", now=now)
    made["ops token"] = OPS_TOKEN
    made["made up"] = "vigie_" + "x" * 43
    store.close()
    for client in _serve(settings):
        yield client, made, settings


@pytest.mark.parametrize("caller", list(MAY))
@pytest.mark.parametrize(("kind", "method", "path", "body", "ok"), ENDPOINTS)
def test_each_caller_against_each_endpoint_class(
    door: tuple[httpx.Client, dict[str, str], Settings],
    caller: str, kind: str, method: str, path: str, body: object, ok: int,
) -> None:  # fmt: skip
    client, made, _ = door
    headers = {"Authorization": f"Bearer {made[caller]}"} if caller != "none" else {}
    answer = client.request(method, path, json=body, headers=headers)
    if kind in MAY[caller]:
        assert answer.status_code == ok, answer.text
    else:
        assert answer.status_code == (403 if caller in VALID else 401), answer.text
        assert answer.json()["success"] is False
        if answer.status_code == 401:
            assert answer.headers["www-authenticate"].startswith("Bearer")
        else:
            assert "scope" in answer.json()["error"]


def test_the_audit_names_each_token_and_counts_refusals(
    door: tuple[httpx.Client, dict[str, str], Settings],
) -> None:
    client, made, settings = door
    body = {"tasks": ["optimization"]}
    for caller in ("operate", "ops token", "read", "made up"):
        client.post("/api/system/maintenance", json=body,
                    headers={"Authorization": f"Bearer {made[caller]}"})  # fmt: skip
    store = HistoryStore(settings.store_url, create=False)
    lines = [
        e for e in entries(store, limit=500) if e.target == "optimization" or e.outcome == "refused"
    ]
    store.close()
    requested = {e.actor for e in lines if e.action == "maintenance" and e.outcome == "requested"}
    assert {"token:t-operate", "ops token"} <= requested
    refused = {(e.actor, e.detail) for e in lines if e.outcome == "refused"}
    assert ("token:t-read", "viewer role, operate needed") in refused
    # A made-up token's caller is named by its address (a burst: one line a minute).
    assert "api:127.0.0.1" in {actor for actor, _ in refused}


def test_reads_are_open_on_a_fresh_install_and_closed_once_a_token_exists(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    for client in _serve(settings):
        assert client.get("/api/system/alerts").status_code == 200  # the demo: no token yet
        store = HistoryStore(settings.store_url, create=False)
        tokens.create(store, ADMIN, "first", "read", expires_days=None, now=time.time())
        store.close()
        deadline = time.monotonic() + 10  # the door asks the store again within 5 s
        while client.get("/api/system/alerts").status_code == 200:
            assert time.monotonic() < deadline, "reads stayed open after a token was made"
            time.sleep(0.5)
        assert client.get("/api/system/alerts").status_code == 401
        assert client.get("/api/system/health/quick").status_code in (200, 503)
        assert client.get("/status").status_code == 200


def test_reads_may_stay_open_or_be_closed_by_configuration(tmp_path: Path) -> None:
    opened = _settings(tmp_path, require_token_for_reads=False)
    store = HistoryStore(opened.store_url)
    tokens.create(store, ADMIN, "some", "read", expires_days=None, now=time.time())
    store.close()
    for client in _serve(opened):
        assert client.get("/api/system/alerts").status_code == 200
        assert (
            client.post("/api/system/maintenance", json={"tasks": ["cleanup"]}).status_code == 401
        )
    closed = opened.model_copy(
        update={"api": opened.api.model_copy(update={"require_token_for_reads": True})}
    )
    store = HistoryStore(closed.store_url)
    with store.writing() as conn:
        conn.execute(text("DELETE FROM api_tokens"))
    store.close()
    for client in _serve(closed):
        assert client.get("/api/system/alerts").status_code == 401


def test_admins_make_list_and_revoke_tokens_through_the_api(
    door: tuple[httpx.Client, dict[str, str], Settings],
) -> None:
    client, made, _ = door
    admin = {"Authorization": f"Bearer {made['admin']}"}
    created = client.post("/api/system/tokens", json={"name": "ci", "scope": "operate",
                                                     "expires_days": 7}, headers=admin)  # fmt: skip
    assert created.status_code == 201
    secret = created.json()["data"]["token"]
    assert created.json()["data"]["scope"] == "operate" and created.json()["data"]["expiresAt"]
    listed = client.get("/api/system/tokens", headers=admin).json()["data"]
    assert "ci" in {t["name"] for t in listed} and secret not in str(listed)
    assert all("token" not in t for t in listed)
    ci = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/system/tokens", headers=ci).status_code == 403
    assert (
        client.post("/api/system/maintenance", json={"tasks": ["cleanup"]}, headers=ci).status_code
        == 202
    )
    again = client.post("/api/system/tokens", json={"name": "ci"}, headers=admin)
    assert again.status_code == 409 and "exists already" in again.json()["error"]
    assert client.delete("/api/system/tokens/ci", headers=admin).status_code == 200
    assert client.get("/api/system/alerts", headers=ci).status_code == 401
    assert client.delete("/api/system/tokens/ci", headers=admin).status_code == 404
    tested = client.post("/api/system/notifications/test", headers=admin)
    assert tested.status_code == 404 and "no channel to test" in tested.json()["error"]


def test_the_schema_declares_the_bearer_scheme_and_each_scope(
    door: tuple[httpx.Client, dict[str, str], Settings],
) -> None:
    client, _, _ = door
    schema = client.get("/openapi.json").json()
    scheme = schema["components"]["securitySchemes"]["bearerToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert "tokens create" in scheme["description"]
    paths = schema["paths"]
    assert paths["/api/system/maintenance"]["post"]["x-scope"] == "operate"
    assert paths["/api/system/tokens"]["post"]["x-scope"] == "admin"
    assert paths["/api/system/alerts"]["get"]["security"] == [{"bearerToken": []}, {}]
    assert "security" not in paths["/api/system/health/live"]["get"]
    assert "security" not in paths["/api/public/status"]["get"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_no_token_or_password_appears_in_the_store_logs_or_answers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = _settings(tmp_path)
    store = HistoryStore(settings.store_url)
    now = time.time()
    secret = tokens.create(store, ADMIN, "root-token", "admin", expires_days=None, now=now)
    accounts.add(store, ADMIN, "alice", "ops", PASSWORD, now=now)
    with pytest.raises(accounts.SignInRefused):
        accounts.sign_in(store, "alice", PASSWORD + "!", now=now)
    accounts.sign_in(store, "alice", PASSWORD, now=now + 1)
    store.close()
    answers = []
    for client in _serve(settings):
        for path in ("/api/system/audit", "/api/system/tokens", "/api/system/status", "/metrics",
                     "/api/system/health/detailed", "/api/system/jobs"):  # fmt: skip
            answers.append(client.get(path, headers={"Authorization": f"Bearer {secret}"}).text)
        answers.append(
            client.get(
                "/api/system/alerts", headers={"Authorization": "Bearer " + OPS_TOKEN + "x"}
            ).text
        )
    dump = Path(settings.store_url.removeprefix("sqlite:///")).read_bytes()
    for needle in (secret, PASSWORD, OPS_TOKEN, tokens.PREFIX + secret[6:16]):
        assert needle.encode() not in dump
        assert needle not in caplog.text
        assert not any(needle in answer for answer in answers)


def test_odd_paths_are_judged_as_the_route_that_answers_them(
    door: tuple[httpx.Client, dict[str, str], Settings],
) -> None:
    client, made, _ = door
    read = {"Authorization": f"Bearer {made['read']}"}
    # A route's pattern also matches before one trailing newline: /audit%0A is /audit.
    for path in ("/api/system/audit%0A", "/api/system/audit%0a", "/api/system/tokens%0A"):
        assert client.get(path, headers=read).status_code == 403, path
    assert client.post("/api/system/maintenance%0A", json={"tasks": ["cleanup"]},
                       headers=read).status_code == 403  # fmt: skip


def test_behind_a_proxy_prefix_the_scopes_hold(tmp_path: Path) -> None:
    """`python -m monitor.api` behind a reverse proxy at /vigie (uvicorn's --root-path)."""
    settings = _settings(tmp_path)
    store = HistoryStore(settings.store_url)
    read = tokens.create(store, ADMIN, "reader", "read", expires_days=None, now=time.time())
    store.close()
    for client in _serve(settings, root_path="/vigie"):
        auth = {"Authorization": f"Bearer {read}"}
        assert client.get("/api/system/health/live").status_code == 200
        assert client.get("/api/system/alerts", headers=auth).status_code == 200
        assert client.get("/api/system/audit", headers=auth).status_code == 403
        assert client.get("/api/system/tokens", headers=auth).status_code == 403
        assert client.get("/api/system/alerts").status_code == 401


def test_reads_close_once_people_sign_in(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    store = HistoryStore(settings.store_url)
    accounts.add(store, ADMIN, "alice", "viewer", PASSWORD, now=time.time())
    store.close()
    for client in _serve(settings):
        assert client.get("/api/system/alerts").status_code == 401
        assert client.get("/api/system/health/live").status_code == 200


def test_a_token_revoked_elsewhere_stops_working_within_a_second(tmp_path: Path) -> None:
    from monitor.api.access import TOKEN_TTL_S, Doorman

    settings = _settings(tmp_path)
    store = HistoryStore(settings.store_url)
    secret = tokens.create(store, ADMIN, "cron", "operate", expires_days=None, now=time.time())
    door = Doorman(settings, lambda: store)
    assert door.person(secret, now=time.time()) == Person("token:cron", "ops", "token")
    assert door.knows(secret)  # the next calls are answered from memory
    tokens.revoke(store, ADMIN, "cron", now=time.time())  # as `tokens revoke` in a shell
    time.sleep(TOKEN_TTL_S + 0.1)
    assert not door.knows(secret) and door.person(secret, now=time.time()) is None
    store.close()
