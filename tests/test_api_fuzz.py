"""A property-based fuzz of the whole API from its own OpenAPI schema (bounded in time)."""

from __future__ import annotations

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.test_api import api  # noqa: F401 — the module's uvicorn server, reused here


def test_no_answer_is_a_500_and_every_answer_matches_its_schema(
    api: httpx.Client,  # noqa: F811
) -> None:
    schema = schemathesis.openapi.from_url(f"{api.base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:

        @given(operation.as_strategy())
        @settings(
            max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate()

        fuzz()
