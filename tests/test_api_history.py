"""`GET /api/system/history`: one series, raw or hourly, with its words, bounded; wrong
requests get one line and a 4xx."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from monitor.config import Settings
from monitor.samples import Sample
from monitor.store import HistoryStore
from tests.test_api import _serve

NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z
CPU = "performance.cpuUsage"


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    folder: Path = tmp_path_factory.mktemp("history")
    url = f"sqlite:///{folder / 'h.sqlite'}"
    store = HistoryStore(url)
    start = NOW - 10 * 86400
    store.write([Sample(CPU, float(i % 50), start + 120 * i) for i in range(7200)])
    probe = (("probe", "home"),)
    store.write([Sample("performance.probe.up", 1.0, NOW - 60 * i, probe) for i in range(10)])
    store.rollup(start - 3600)
    store.close()
    settings = Settings.model_validate({"data_dir": str(folder), "store": {"url": url}})
    yield from _serve(settings)


def test_a_short_range_is_raw_with_the_metrics_words(api: httpx.Client) -> None:
    got = api.get(f"/api/system/history?metric={CPU}&from={_iso(NOW - 3600)}&to={_iso(NOW)}")
    assert got.status_code == 200
    data = got.json()["data"]
    assert (data["title"], data["unit"], data["step"]) == ("CPU usage", "%", "raw")
    assert len(data["points"]) == 30  # every 2 minutes, the hour's end exclusive of 8:00
    assert data["points"][0]["ts"] == "2027-01-15T07:00:00.000Z"  # as every API time


def test_a_long_range_is_hourly_and_raw_over_it_is_refused(api: httpx.Client) -> None:
    since = int(NOW - 9 * 86400)
    data = api.get(f"/api/system/history?metric={CPU}&from={since}&to={int(NOW)}").json()["data"]
    assert data["step"] == "hour" and 215 <= len(data["points"]) <= 217
    assert all(p["min"] <= p["value"] <= p["max"] for p in data["points"])
    refused = api.get(f"/api/system/history?metric={CPU}&from={since}&to={int(NOW)}&step=raw")
    assert refused.status_code == 422
    assert "at most 48 h per request; ask step=hour" in refused.json()["error"]
    decade = api.get(f"/api/system/history?metric={CPU}&from=0&step=hour")
    assert decade.status_code == 422 and "400 days" in decade.json()["error"]


def test_a_labelled_series_is_asked_for_by_its_labels(api: httpx.Client) -> None:
    params = {"metric": "performance.probe.up", "labels": '{"probe":"home"}', "to": str(NOW)}
    data = api.get("/api/system/history", params=params).json()["data"]
    assert data["labels"] == {"probe": "home"} and len(data["points"]) == 10
    assert data["title"] == "Probe answers"


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("metric=business.nothing", 404, "no stored metric 'business.nothing'"),
        (f"metric={CPU}&from=yesterday", 422, "is not a time"),
        (f"metric={CPU}&from=nan", 422, "is not a time"),
        (f"metric={CPU}&to=1e20", 422, "between 1970 and 3000"),
        (f"metric={CPU}&from=0001-01-01T00:00:00%2B14:00", 422, "is not a time"),
        (f"metric={CPU}&from={int(NOW)}&to={int(NOW) - 60}", 422, "from must be before to"),
        (f"metric={CPU}&labels=[1]", 422, "labels must be a JSON object"),
        (f"metric={CPU}&step=minute", 422, "step"),
    ],
)
def test_a_wrong_request_is_one_line(
    api: httpx.Client, query: str, status: int, words: str
) -> None:
    got = api.get(f"/api/system/history?{query}")
    assert got.status_code == status
    error = got.json()["error"]
    assert words in error and "\n" not in error and "Traceback" not in error


def test_the_openapi_schema_describes_it(api: httpx.Client) -> None:
    schema = api.get("/openapi.json").json()
    names = {p["name"] for p in schema["paths"]["/api/system/history"]["get"]["parameters"]}
    assert names == {"metric", "from", "to", "step", "labels"}
