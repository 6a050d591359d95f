"""A property-based fuzz of the whole API from its own OpenAPI schema (bounded in time)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance

from monitor.config import Settings
from monitor.daemon import CollectorDaemon
from tests.test_api import _serve, api  # noqa: F401 — the module's uvicorn server, reused here

# Rules a schema cannot say ("from" before "to", a range within the bounds, labels as a JSON
# object): a request the schema allows may still be refused, with a 422 in one line.
SEMANTIC = {"/api/system/history"}


def _fuzz(client: httpx.Client, *, unhealthy: bool = False) -> None:
    schema = schemathesis.openapi.from_url(f"{client.base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 12
    for operation in operations:
        _fuzzer(operation, unhealthy)()


def _fuzzer(operation: Any, unhealthy: bool) -> Callable[[], None]:
    semantic: list[Any] = [positive_data_acceptance] if operation.path in SEMANTIC else []

    @given(operation.as_strategy())
    @settings(
        max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def fuzz(case: schemathesis.Case) -> None:
        if not unhealthy:
            case.call_and_validate(excluded_checks=semantic)
            return
        # An unhealthy system answers 503, documented: any other 5xx is still a failure.
        response = case.call_and_validate(excluded_checks=[not_a_server_error, *semantic])
        assert response.status_code in range(500) or response.status_code == 503

    return fuzz


def test_no_answer_is_a_500_and_every_answer_matches_its_schema(
    api: httpx.Client,  # noqa: F811
) -> None:
    _fuzz(api)


def test_an_unhealthy_system_still_answers_to_its_schema(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "source": {"url": "postgresql://v@127.0.0.1:1/shop"},
            "store": {"url": f"sqlite:///{tmp_path / 'h.sqlite'}"},
        }
    )
    CollectorDaemon(settings).close()
    for client in _serve(settings):
        assert client.get("/api/system/health/quick").status_code == 503
        _fuzz(client, unhealthy=True)
