"""Vigie as a Prometheus target, checked by the real tools (Debian's `prometheus` package, which
`make test` installs as it installs Chromium): the server scrapes a Vigie API on a known store
every second and its query API gives back the store's figures and open alert; `promtool check
metrics` finds nothing to say about a live demo's /metrics."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from monitor.alerts import open_alerts
from monitor.config import Settings
from monitor.daemon import CollectorDaemon
from monitor.demo.live import start_demo
from monitor.store import HistoryStore
from tests.known_history import TABLE, fill
from tests.test_api import _serve
from tests.test_browser import _free_port

PROMETHEUS = Path(os.environ.get("VIGIE_PROMETHEUS", "/usr/bin/prometheus"))
PROMTOOL = PROMETHEUS.with_name("promtool")
ROOT = Path(__file__).resolve().parent.parent


def _needs(tool: Path) -> None:
    if not tool.exists():
        pytest.fail(f"{tool} is required: apt-get install -y prometheus (make test does it)")


@pytest.fixture(scope="module")
def known(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, httpx.Client]]:
    """A Vigie API over the known history, and its configuration file."""
    folder = tmp_path_factory.mktemp("scraped")
    store_url = fill(folder / "history.sqlite")
    config = folder / "vigie.toml"
    config.write_text(
        f'data_dir = "{folder}"\n[source]\nurl = "sqlite:///{folder / "shop.sqlite"}"\n'
        f'[store]\nurl = "{store_url}"\n',
        encoding="utf-8",
    )
    settings = Settings.model_validate(
        {"data_dir": str(folder), "source": {"url": f"sqlite:///{folder / 'shop.sqlite'}"},
         "store": {"url": store_url}}
    )  # fmt: skip
    for client in _serve(settings):
        yield config, client


@pytest.fixture(scope="module")
def prometheus(
    known: tuple[Path, httpx.Client], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[httpx.Client]:
    """Prometheus on loopback, scraping that API every second."""
    _needs(PROMETHEUS)
    folder = tmp_path_factory.mktemp("prometheus")
    target = known[1].base_url
    (folder / "prometheus.yml").write_text(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
        "scrape_configs:\n  - job_name: vigie\n    metrics_path: /metrics\n"
        f"    static_configs:\n      - targets: ['{target.host}:{target.port}']\n",
        encoding="utf-8",
    )
    port = _free_port()
    server = subprocess.Popen(
        [str(PROMETHEUS), f"--config.file={folder / 'prometheus.yml'}",
         f"--storage.tsdb.path={folder / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if client.get("/-/ready").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "prometheus did not get ready"
                time.sleep(0.2)
            yield client
    finally:
        server.terminate()
        server.wait(timeout=20)


def _query(prometheus: httpx.Client, promql: str) -> list[dict[str, Any]]:
    """The instant vector of `promql` once the scrapes have filled it (up to 30 s)."""
    deadline = time.monotonic() + 30
    while True:
        answer = prometheus.get("/api/v1/query", params={"query": promql}).json()
        assert answer["status"] == "success", answer
        if answer["data"]["result"] or time.monotonic() > deadline:
            return list(answer["data"]["result"])
        time.sleep(0.5)


def _latest(config: Path) -> dict[str, Any]:
    """What `python -m monitor latest --json` says."""
    found = subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(config), "latest", "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return dict(json.loads(found.stdout))


def test_prometheus_scrapes_the_figures_and_the_open_alert(
    known: tuple[Path, httpx.Client], prometheus: httpx.Client
) -> None:
    config, _ = known
    latest = _latest(config)
    [up] = _query(prometheus, 'up{job="vigie"}')
    assert up["value"][1] == "1"  # scraped without an error
    [orders] = _query(prometheus, "vigie_business_orders_24h")
    assert float(orders["value"][1]) == latest["business.orders24h"]["value"] == 120
    [read] = _query(prometheus, f'vigie_database_table_query_time_seconds{{table="{TABLE}"}}')
    assert float(read["value"][1]) == pytest.approx(
        latest[f"database.{TABLE}.queryTime"]["value"] / 1000  # ms in Vigie, s in Prometheus
    )
    [alert] = _query(prometheus, "vigie_alert == 1")
    store = HistoryStore(f"sqlite:///{config.parent / 'history.sqlite'}")
    try:
        [opened] = open_alerts(store)
    finally:
        store.close()
    labels = alert["metric"]
    assert (labels["rule"], labels["subject"], labels["severity"]) == (
        opened.rule, opened.subject, opened.severity,
    )  # fmt: skip
    [critical] = _query(prometheus, 'vigie_alerts_open{severity="critical"}')
    assert critical["value"][1] == "1"
    # The collectors' freshness, for a "gone quiet" rule: seconds since their last write.
    quiet = _query(prometheus, "time() - vigie_collector_last_success_timestamp_seconds")
    assert {q["metric"]["collector"] for q in quiet} >= {"performance", "business", "seo"}
    assert all(float(q["value"][1]) < 3600 for q in quiet)


def test_promtool_finds_nothing_to_say_about_a_live_demo(tmp_path: Path) -> None:
    _needs(PROMTOOL)
    settings = Settings.model_validate(
        {"data_dir": str(tmp_path), "demo": {"scale": 0.01, "backfill_days": 1}}
    )
    daemon = CollectorDaemon(settings)
    start_demo(settings, daemon)
    daemon.run_once()
    daemon.close()
    for client in _serve(settings):
        text = client.get("/metrics")
        openmetrics = client.get(
            "/metrics", headers={"Accept": "application/openmetrics-text;version=1.0.0"}
        )
    assert text.headers["content-type"].startswith("text/plain")
    assert openmetrics.headers["content-type"].startswith("application/openmetrics-text")
    assert openmetrics.text.endswith("# EOF\n")
    assert "vigie_business_orders_24h" in text.text
    assert "vigie_database_table_query_time_seconds{" in text.text
    linted = subprocess.run(
        [str(PROMTOOL), "check", "metrics"], input=text.text, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert (linted.returncode, linted.stdout + linted.stderr) == (0, "")


def test_the_readmes_alerting_rules_are_valid_and_fire_when_they_should(tmp_path: Path) -> None:
    _needs(PROMTOOL)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [rules] = [b for b in readme.split("```yaml\n")[1:] if b.startswith("groups:")]
    (tmp_path / "rules.yml").write_text(rules.split("```")[0], encoding="utf-8")
    # A week of 100 orders in 24 h, then 20; a collector that last wrote at time 0.
    (tmp_path / "test.yml").write_text(
        """rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: vigie_business_orders_24h
        values: 100x10080 20x60
      - series: 'vigie_collector_last_success_timestamp_seconds{collector="seo"}'
        values: 0x120
    alert_rule_test:
      - eval_time: 168h
        alertname: ShopOrdersStalled
        exp_alerts: []
      - eval_time: 169h
        alertname: ShopOrdersStalled
        exp_alerts:
          - exp_labels: {severity: page}
            exp_annotations:
              summary: "Orders in 24 h are under half of last week's at this time"
      - eval_time: 10m
        alertname: VigieCollectorQuiet
        exp_alerts: []
      - eval_time: 1h
        alertname: VigieCollectorQuiet
        exp_alerts:
          - exp_labels: {collector: seo}
            exp_annotations:
              summary: "Vigie's seo collector has not written for 15 minutes"
""",
        encoding="utf-8",
    )
    for command in (["check", "rules", "rules.yml"], ["test", "rules", "test.yml"]):
        checked = subprocess.run(
            [str(PROMTOOL), *command], cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
