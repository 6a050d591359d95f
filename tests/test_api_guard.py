"""The API's door, on a real uvicorn: body limits, the token before the body, burst audits, the
schema and OPTIONS."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from monitor.api.guard import MAX_BODY_BYTES
from monitor.audit import entries
from monitor.config import Settings
from monitor.daemon import CollectorDaemon
from monitor.jobs.maintenance import TASKS
from monitor.store import HistoryStore
from tests.test_api import _serve

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "guard-t0ken"
PATH = "/api/system/maintenance"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _settings(folder: Path) -> Settings:
    return Settings.model_validate(
        {
            "data_dir": str(folder),
            "source": {"url": f"sqlite:///{folder / 'shop.sqlite'}"},
            "store": {"url": f"sqlite:///{folder / 'h.sqlite'}"},
            "ops": {"token": TOKEN},
        }
    )


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[tuple[httpx.Client, Settings]]:
    settings = _settings(tmp_path)
    CollectorDaemon(settings).close()  # creates the (empty) store
    for client in _serve(settings):
        yield client, settings


def _audit(settings: Settings) -> dict[str, int]:
    store = HistoryStore(settings.store_url, create=False)
    lines = entries(store, limit=10_000)
    store.close()
    times: dict[str, int] = {}
    for line in lines:
        times[line.outcome] = times.get(line.outcome, 0) + line.times
    return times | {"lines": len(lines)}


def _raw(port: int, head: bytes) -> bytes:
    """Send only the head of a request and read the answer: the body never comes."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(head)
        return sock.recv(65536)


def test_it_answers_413_by_the_declared_length_without_waiting_for_the_body(
    guarded: tuple[httpx.Client, Settings],
) -> None:
    client, settings = guarded
    port = int(str(client.base_url).rsplit(":", 1)[1])
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {500 * 1024 * 1024}\r\n\r\n"
    ).encode()
    answer = _raw(port, head)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert _audit(settings)["invalid"] == 1


def test_it_checks_the_token_before_the_body(guarded: tuple[httpx.Client, Settings]) -> None:
    client, _ = guarded
    headers = {"Content-Type": "application/json"}
    assert client.post(PATH, content=b"{not json", headers=headers).status_code == 401
    wrong = {**headers, "Authorization": "Bearer wrong"}
    assert client.post(PATH, content=b"{not json", headers=wrong).status_code == 401
    port = int(str(client.base_url).rsplit(":", 1)[1])
    unsent = f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: {10**9}\r\n\r\n".encode()
    assert _raw(port, unsent).startswith(b"HTTP/1.1 401")


def test_it_stops_reading_a_chunked_body_at_the_limit(
    guarded: tuple[httpx.Client, Settings],
) -> None:
    client, settings = guarded

    def chunks() -> Iterator[bytes]:
        yield b'{"tasks": ["' + b"x" * (MAX_BODY_BYTES + 10)
        yield b'"]}'

    answer = client.post(PATH, content=chunks(), headers=AUTH)
    assert answer.status_code == 413 and "64 KiB" in answer.json()["error"]
    assert _audit(settings)["invalid"] == 1


def test_a_body_that_is_not_utf8_is_refused_and_audited(
    guarded: tuple[httpx.Client, Settings],
) -> None:
    client, settings = guarded
    body = b'{"tasks": ["clean\xff"]}'
    answer = client.post(PATH, content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.json()["error"] == "the request body is not UTF-8 text"
    assert _audit(settings) == {"invalid": 1, "lines": 1}


def test_3000_refused_calls_make_one_audit_line_a_minute(
    guarded: tuple[httpx.Client, Settings],
) -> None:
    client, settings = guarded
    for i in range(3000):
        headers = {"Authorization": "Bearer wrong"} if i % 2 else {}
        assert client.post(PATH, json={"tasks": ["cleanup"]}, headers=headers).status_code in (
            401,
            403,
        )
    found = _audit(settings)
    assert found["refused"] == 3000
    assert found["lines"] <= 2  # two only if a minute ended during the burst


def test_errors_echo_only_a_short_excerpt(guarded: tuple[httpx.Client, Settings]) -> None:
    client, _ = guarded
    long = "y" * 5000
    answer = client.get(f"/api/system/performance/{long}")
    assert answer.status_code == 404 and len(answer.json()["error"]) < 300
    invalid = client.post(PATH, json={"tasks": [long]}, headers=AUTH)
    assert invalid.status_code == 422
    assert "y" * 41 not in invalid.json()["error"] and "is not one of" in invalid.json()["error"]


def test_options_lists_the_methods_that_work(guarded: tuple[httpx.Client, Settings]) -> None:
    client, _ = guarded
    maintenance = client.options(PATH)
    assert maintenance.status_code == 204 and maintenance.headers["allow"] == "OPTIONS, POST"
    quick = client.options("/api/system/health/quick")
    assert quick.headers["allow"] == "GET, HEAD, OPTIONS"
    assert client.options("/api/system/performance/x").headers["allow"] == "GET, OPTIONS"
    assert client.options("/api/nowhere").status_code == 404


def test_the_schema_documents_every_answer_and_the_task_names(
    guarded: tuple[httpx.Client, Settings],
) -> None:
    client, _ = guarded
    schema = client.get("/openapi.json").json()
    post = schema["paths"][PATH]["post"]
    assert {"202", "400", "401", "403", "413", "422", "503"} <= set(post["responses"])
    body = post["requestBody"]["content"]["application/json"]["schema"]
    model = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert model["properties"]["tasks"]["items"]["enum"] == list(TASKS)
    assert post["security"] == [{"bearerToken": []}] and post["x-scope"] == "operate"
    assert schema["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "413" in operation["responses"], (path, method)


def _serve_process(folder: Path) -> Iterator[tuple[int, psutil.Process]]:
    config = folder / "vigie.toml"
    config.write_text(
        f'data_dir = "{folder}"\n[source]\nurl = "sqlite:///{folder / "shop.sqlite"}"\n'
        f'[store]\nurl = "sqlite:///{folder / "h.sqlite"}"\n[ops]\ntoken = "{TOKEN}"\n',
        encoding="utf-8",
    )
    CollectorDaemon(_settings(folder)).close()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = subprocess.Popen(
        [sys.executable, "-m", "monitor.api", "--port", str(port), "--config", str(config)],
        cwd=ROOT,
        env={**os.environ, "MONITOR_CONFIG": ""},
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/system/health/live", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the API did not start"
                time.sleep(0.1)
        yield port, psutil.Process(server.pid)
    finally:
        server.terminate()
        server.wait(10)


def _peak_rss_while(process: psutil.Process, action: threading.Thread) -> int:
    peak = process.memory_info().rss
    action.start()
    while action.is_alive():
        peak = max(peak, process.memory_info().rss)
        time.sleep(0.005)
    return max(peak, process.memory_info().rss)


def _post_500_mb(port: int, headers: dict[str, str], statuses: list[int]) -> None:
    def body() -> Iterator[bytes]:
        block = b"z" * (1024 * 1024)
        for _ in range(500):
            yield block

    try:
        answer = httpx.post(
            f"http://127.0.0.1:{port}{PATH}", content=body(), headers=headers, timeout=30
        )
        statuses.append(answer.status_code)
    except httpx.TransportError:
        statuses.append(-1)  # the server closed on a body it would not read


@pytest.mark.parametrize("authorised", [False, True])
def test_a_500_mb_body_costs_the_api_no_memory(tmp_path: Path, authorised: bool) -> None:
    for port, process in _serve_process(tmp_path):
        idle = process.memory_info().rss
        statuses: list[int] = []
        headers = AUTH if authorised else {}
        sender = threading.Thread(target=_post_500_mb, args=(port, headers, statuses))
        peak = _peak_rss_while(process, sender)
        assert peak - idle < 50 * 1024 * 1024, (idle, peak)
        assert statuses and statuses[0] in ((413, -1) if authorised else (401, -1))
