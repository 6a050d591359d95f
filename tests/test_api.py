"""The JSON API over a real uvicorn server on 127.0.0.1, against a store with known content."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from monitor.api import create_app
from monitor.config import Settings
from monitor.daemon import CollectorDaemon
from tests.reference_shop import EXPECTED, EXPECTED_COUNTS, fill_reference_shop

TOKEN = "ops-s3cret"
_STORE_URL: list[str] = []  # the module API's store, for tests that read it directly


def _serve(settings: Settings, *, root_path: str = "") -> Iterator[httpx.Client]:
    """The API on a spare port of 127.0.0.1 (behind a proxy's prefix with `root_path`: the
    client calls the stripped paths, as the proxy does)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            root_path=root_path,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        yield client
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    folder = tmp_path_factory.mktemp("api")
    shop = f"sqlite:///{folder / 'shop.sqlite'}"
    fill_reference_shop(shop)
    settings = Settings.model_validate(
        {
            "data_dir": str(folder),
            "source": {"url": shop},
            "store": {"url": f"sqlite:///{folder / 'history.sqlite'}"},
            "ops": {"token": TOKEN},
        }
    )
    daemon = CollectorDaemon(settings)
    daemon.run_once()
    daemon.close()
    _STORE_URL[:] = [settings.store_url]
    yield from _serve(settings)


def test_it_says_it_is_alive(api: httpx.Client) -> None:
    answer = api.get("/api/system/health/live")
    assert answer.status_code == 200
    body = answer.json()
    assert body["success"] is True and body["data"] == {"status": "alive"}
    assert body["timestamp"].endswith("Z")


def test_the_quick_check_is_healthy_with_a_fresh_store(api: httpx.Client) -> None:
    answer = api.get("/api/system/health/quick")
    assert answer.status_code == 200
    data = answer.json()["data"]
    assert {c["name"]: c["status"] for c in data["checks"]} == dict.fromkeys(
        ["database", "store", "collector", "memory", "disk"], "healthy"
    )
    # The reference shop's last order is days old: its open alerts decide the one status.
    assert data["status"] == "degraded", data
    assert "error alert orders stopped: No order for a long while" in data["reasons"]


def test_the_quick_check_answers_503_with_the_reason_when_the_database_is_down(
    tmp_path: Path,
) -> None:
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "source": {"url": "postgresql://v:pw-9@127.0.0.1:1/shop"},
            "store": {"url": f"sqlite:///{tmp_path / 'h.sqlite'}"},
        }
    )
    CollectorDaemon(settings).close()  # creates the (empty) store
    for client in _serve(settings):
        answer = client.get("/api/system/health/quick")
        assert answer.status_code == 503
        data = answer.json()["data"]
        assert data["status"] == "unhealthy"
        assert "database: connection refused" in data["reasons"]
        assert "pw-9" not in answer.text
        assert client.get("/api/system/health/live").status_code == 200  # never restarted
        dashboard = client.get("/api/system/dashboard").json()["data"]["system"]
        assert dashboard["overall"] == "unhealthy"
        assert dashboard["database"]["status"] == "unhealthy"
        assert client.get("/api/system/status").json()["data"]["overall"] == "unhealthy"


def test_the_detailed_check_covers_every_component(api: httpx.Client) -> None:
    data = api.get("/api/system/health/detailed").json()["data"]
    assert {c["name"] for c in data["checks"]} >= {
        "database",
        "collector",
        "memory",
        "disk",
        "network",
    }
    ietf = api.get("/api/system/health/detailed", headers={"Accept": "application/health+json"})
    assert ietf.headers["content-type"].startswith("application/health+json")
    body = ietf.json()
    assert body["status"] in ("pass", "warn")
    assert body["checks"]["database:responseTime"][0]["observedUnit"] == "ms"
    memory = body["checks"]["memory:utilization"][0]
    assert memory["observedUnit"] == "%" and 0 < memory["observedValue"] < 100
    assert body["checks"]["collector:freshness"][0]["observedUnit"] == "s"
    assert ietf.headers["vary"] == "Accept, Authorization"


SEED_DASHBOARD = {
    "system": {
        "overall": str,
        "performance": {"responseTime", "uptime", "memoryUsage", "requestsPerMinute", "errorRate"},
        "database": {"status", "connections", "responseTime", "tableStatus"},
        "alerts": list,
    },
    "insights": {"recommendations", "trends", "predictedIssues"},
    "metrics": {
        "business": {"totalUsers", "activeUsers", "revenue24h", "conversionRate"},
        "seo": {"totalPages", "optimizedPages", "sitemapHealth"},
    },
}


def test_the_dashboard_has_the_shape_of_the_seed_example(api: httpx.Client) -> None:
    body = api.get("/api/system/dashboard").json()
    assert set(body) == {"success", "data", "timestamp"}
    data = body["data"]
    assert set(data) == set(SEED_DASHBOARD)
    for block, keys in SEED_DASHBOARD.items():
        assert set(data[block]) == set(keys), block
        for key, expected in keys.items() if isinstance(keys, dict) else []:
            if isinstance(expected, set):
                assert set(data[block][key]) == expected, key
            else:
                assert isinstance(data[block][key], expected), key
    assert data["metrics"]["business"]["totalUsers"] == EXPECTED["business.totalUsers"]
    assert data["metrics"]["seo"]["sitemapHealth"] == EXPECTED["seo.sitemapHealth"]
    orders = data["system"]["database"]["tableStatus"]["___xtr_order"]
    assert orders == {"accessible": True, "recordCount": EXPECTED_COUNTS["___xtr_order"]}
    assert set(data["insights"]["trends"]) == {"performance", "business", "seo"}
    # One collection: too little history for any trend, and it says so.
    assert set(data["insights"]["trends"].values()) == {"not enough data"}
    assert data["insights"]["predictedIssues"] == []  # one collection: no trend to extrapolate
    assert any(r.startswith("Order lines: ") for r in data["insights"]["recommendations"])


def test_it_serves_one_monitored_table(api: httpx.Client) -> None:
    data = api.get("/api/system/performance/___xtr_customer").json()["data"]
    assert data["recordCount"] == 5 and data["accessible"] is True


@pytest.mark.parametrize(
    "name",
    [
        "users",
        "___XTR_ORDER",
        "___xtr_order;DROP TABLE x",
        "%5F%5F%5Fxtr_order%27",
        "..%2F..%2Fetc",
        "___xtr_order%00",
    ],
)
def test_any_other_table_name_is_a_json_404(api: httpx.Client, name: str) -> None:
    answer = api.get(f"/api/system/performance/{name}")
    assert answer.status_code == 404
    assert answer.json()["success"] is False
    if "%2F" not in name:  # an encoded slash makes it another path: a plain JSON 404
        assert "not a monitored table" in answer.json()["error"]


def test_maintenance_is_for_ops_only(api: httpx.Client) -> None:
    body = {"tasks": ["cleanup"]}
    assert api.post("/api/system/maintenance", json=body).status_code == 401
    wrong = api.post(
        "/api/system/maintenance", json=body, headers={"Authorization": "Bearer guess"}
    )
    # An unknown token is no token (401); a token too small for the call gets 403.
    assert wrong.status_code == 401 and wrong.json()["success"] is False
    accepted = api.post(
        "/api/system/maintenance",
        json={"tasks": ["cleanup", "optimization"]},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert accepted.status_code == 202
    [first, _] = accepted.json()["data"]["jobs"]
    job = api.get(f"/api/system/jobs/{first}").json()["data"]
    assert (job["type"], job["state"], job["requestedBy"]) == (
        "cleanup",
        "waiting",
        "ops token",  # the configuration's token acts as operate, named as such
    )
    assert job["createdAt"].endswith("Z") and job["maxAttempts"] == 2


def test_every_maintenance_call_is_audited(tmp_path: Path) -> None:
    from monitor.audit import entries
    from monitor.store import HistoryStore

    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "source": {"url": f"sqlite:///{tmp_path / 'shop.sqlite'}"},
            "store": {"url": f"sqlite:///{tmp_path / 'h.sqlite'}"},
            "ops": {"token": TOKEN},
        }
    )
    CollectorDaemon(settings).close()  # creates the (empty) store
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for api in _serve(settings):
        assert api.post("/api/system/maintenance", content=b"{}").status_code == 401  # before body
        api.post("/api/system/maintenance", json={"tasks": ["cleanup"]})
        api.post(
            "/api/system/maintenance",
            json={"tasks": ["cleanup"]},
            headers={"Authorization": "Bearer nope"},
        )
        api.post("/api/system/maintenance", json={"tasks": ["reboot"]}, headers=auth)
        api.post("/api/system/maintenance", json={"tasks": []}, headers=auth)
        api.post("/api/system/maintenance", json={"tasks": ["cleanup"]}, headers=auth)
    store = HistoryStore(settings.store_url, create=False)
    lines = entries(store)
    store.close()
    # Refused callers are named by their address; the ops token's calls by it.
    assert {e.actor for e in lines if e.outcome == "refused"} == {"api:127.0.0.1"}
    assert {e.actor for e in lines if e.outcome != "refused"} == {"ops token"}
    # Refusals are counted per minute (two lines if a minute ended between the calls).
    times: dict[str, int] = {}
    for entry in lines:
        times[entry.outcome] = times.get(entry.outcome, 0) + entry.times
    assert times == {"refused": 3, "invalid": 2, "requested": 1}
    assert lines[0].outcome == "requested" and lines[0].target == "cleanup"


def test_the_bearer_scheme_is_case_insensitive(api: httpx.Client) -> None:
    answer = api.post(
        "/api/system/maintenance",
        json={"tasks": ["alerts_resolution"]},
        headers={"Authorization": f"bearer {TOKEN}"},
    )
    assert answer.status_code == 202


def test_load_balancers_may_probe_with_head(api: httpx.Client) -> None:
    assert api.head("/api/system/health/quick").status_code == 200
    assert api.head("/api/system/health/live").status_code == 200


def test_counts_are_whole_and_money_has_cents(api: httpx.Client) -> None:
    data = api.get("/api/system/metrics").json()["data"]
    assert isinstance(data["business"]["totalUsers"], int)
    assert isinstance(data["seo"]["totalPages"], int)
    revenue = data["business"]["revenue24h"]
    assert revenue == round(revenue, 2)


def test_a_probe_url_never_shows_its_credentials(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "store": {"url": f"sqlite:///{tmp_path / 'h.sqlite'}"},
            "probes": [
                {
                    "name": "shop",
                    "url": "http://admin:pr0be-pw@127.0.0.1:9/h?api_key=K3Y",
                    "timeout_s": 1,
                }
            ],
        }
    )
    CollectorDaemon(settings).close()
    for client in _serve(settings):
        text = client.get("/api/system/health/detailed").text
        assert "pr0be-pw" not in text and "K3Y" not in text
        assert "http://127.0.0.1:9/h" in text


def test_a_corrupt_store_is_a_503_everywhere(tmp_path: Path) -> None:
    (tmp_path / "h.sqlite").write_bytes(b"this is not a database file at all" * 200)
    settings = Settings.model_validate(
        {"data_dir": str(tmp_path), "store": {"url": f"sqlite:///{tmp_path / 'h.sqlite'}"}}
    )
    for client in _serve(settings):
        for path in ("/api/system/metrics", "/api/system/health/quick", "/metrics"):
            answer = client.get(path)
            assert answer.status_code == 503, path
            assert "Traceback" not in answer.text


def test_bad_requests_get_a_json_error_and_the_right_status(api: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    unknown = api.post("/api/system/maintenance", json={"tasks": ["reboot"]}, headers=auth)
    assert unknown.status_code == 422 and "reboot" in unknown.json()["error"]
    malformed = api.post(
        "/api/system/maintenance",
        content=b"{not json",
        headers={**auth, "Content-Type": "application/json"},
    )
    assert malformed.status_code == 400 and malformed.json()["error"] == (
        "the request body is not valid JSON"
    )
    assert api.get("/api/system/maintenance").status_code == 405
    assert api.get("/api/system/nothing-here").json()["success"] is False
    assert api.get("/api/system/jobs/999999").status_code == 404
    assert api.get("/api/system/jobs/not-a-number").status_code == 422


def test_it_exports_every_metric_for_prometheus(api: httpx.Client) -> None:
    text = api.get("/metrics").text
    assert "vigie_business_total_users 5.0" in text
    assert 'vigie_database_table_rows{table="___xtr_order"} 8.0' in text
    assert "vigie_build_info{" in text and "vigie_store_size_bytes " in text


def test_a_missing_store_is_a_503_with_the_reason(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {"data_dir": str(tmp_path), "store": {"url": f"sqlite:///{tmp_path / 'none.sqlite'}"}}
    )
    for client in _serve(settings):
        answer = client.get("/api/system/metrics")
        assert answer.status_code == 503
        assert "start the collector daemon" in answer.json()["error"]


def test_the_openapi_documentation_lists_every_endpoint(api: httpx.Client) -> None:
    docs = api.get("/docs")
    assert docs.status_code == 200
    # Swagger UI's script and style come from this server, not a CDN.
    assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", docs.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    for asset in assets:
        assert api.get(asset).status_code == 200, asset
    paths = set(api.get("/openapi.json").json()["paths"])
    assert paths >= {
        f"/api/system/{p}"
        for p in (
            "health/quick",
            "health/live",
            "health/detailed",
            "status",
            "metrics",
            "dashboard",
            "insights",
            "alerts",
            "maintenance",
            "performance/{table}",
            "jobs/{job_id}",
        )
    }


def test_a_broken_store_is_a_503_not_a_traceback(tmp_path: Path) -> None:
    import sqlite3

    settings = Settings.model_validate(
        {"data_dir": str(tmp_path), "store": {"url": f"sqlite:///{tmp_path / 'h.sqlite'}"}}
    )
    CollectorDaemon(settings).close()
    with sqlite3.connect(tmp_path / "h.sqlite") as db:
        db.execute("ALTER TABLE samples RENAME TO samples_gone")
    for client in _serve(settings):
        answer = client.get("/api/system/metrics")
        assert answer.status_code == 503
        assert "no such table" in answer.json()["error"]
        assert "Traceback" not in answer.text


def test_the_insights_hold_what_the_dashboard_leaves_out(api: httpx.Client) -> None:
    full = api.get("/api/system/insights").json()["data"]
    assert set(full) == {
        "allGood",
        "recommendations",
        "advice",
        "trends",
        "metricTrends",
        "predictedIssues",
        "accuracy",
        "forecasts",
        "anomalies",
        "baselines",
        "tableGrowth",
    }
    assert full["baselines"] == []  # one collection: no previous week to compare with
    assert full["accuracy"] == []  # nor any history to backtest on
    # Every recommendation is one piece of advice, worded.
    assert len(full["recommendations"]) == len(full["advice"])
    assert full["allGood"] == (full["advice"] == [])
    seed = api.get("/api/system/dashboard").json()["data"]["insights"]
    assert set(seed) == {"recommendations", "trends", "predictedIssues"}


def _fresh_settings(tmp_path: Path) -> Settings:
    shop = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    fill_reference_shop(shop)
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "source": {"url": shop},
            "store": {"url": f"sqlite:///{tmp_path / 'h.sqlite'}"},
        }
    )
    CollectorDaemon(settings).close()
    return settings


def _quick_status(client: httpx.Client) -> int:
    return client.get("/api/system/health/quick").status_code


def test_the_quick_check_runs_once_a_second_however_many_ask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from monitor import health

    runs: list[float] = []
    real = health.quick

    def counted(*args: object, **kwargs: object) -> health.Health:
        runs.append(time.monotonic())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(health, "quick", counted)
    for client in _serve(_fresh_settings(tmp_path)):
        start = time.monotonic()
        with ThreadPoolExecutor(16) as pool:
            codes = list(pool.map(lambda _, c=client: _quick_status(c), range(200)))
        seconds = time.monotonic() - start
    assert set(codes) <= {200, 503} and len(codes) == 200
    assert 1 <= len(runs) <= seconds / 1.0 + 2  # at most one check a second (TTL 1 s)


def test_a_quick_check_that_hangs_is_an_unhealthy_answer_in_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor import health
    from monitor.api.backend import QUICK_DEADLINE_S

    def hangs(*_args: object, **_kwargs: object) -> health.Health:
        time.sleep(QUICK_DEADLINE_S + 2)
        return health.overall([])

    monkeypatch.setattr(health, "quick", hangs)
    for client in _serve(_fresh_settings(tmp_path)):
        start = time.monotonic()
        answer = client.get("/api/system/health/quick")
        took = time.monotonic() - start
    assert answer.status_code == 503
    assert answer.json()["data"]["reasons"] == [
        f"health: the health check did not finish in {QUICK_DEADLINE_S:g} s"
    ]
    assert QUICK_DEADLINE_S <= took < QUICK_DEADLINE_S + 1
