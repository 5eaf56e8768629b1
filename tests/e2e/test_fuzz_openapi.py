"""Schemathesis against each service's own OpenAPI, called directly with a real token.

Positive and negative cases (wrong types, unknown fields on closed schemas, out-of-range
values, malformed parameters): the service never answers 5xx, rejects invalid data with 4xx,
and every 4xx is RFC 9457 problem+json.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import negative_data_rejection

from kit.testing.platform import Platform

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Invalid data must be refused with a 4xx; 413 is one (a generated body can exceed the
# request size limit, and the services document it), added to schemathesis' default list.
_REJECTIONS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"mode": "all", "max-examples": 25},
        "seed": 2026,
        "checks": {"negative_data_rejection": {"expected-statuses": [*_REJECTIONS, "5xx"]}},
    }
)


def _problem_on_client_errors(ctx: Any, response: Any, case: Any) -> bool | None:
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("content-type", [""])
        first = content_type[0] if isinstance(content_type, list) else content_type
        assert first.startswith("application/problem+json"), (
            f"{response.status_code} answered with {first!r}, not problem+json"
        )
    return None


def _fuzz(case: Any, platform: Platform) -> None:
    case.call_and_validate(
        headers=platform.as_user("coordinator.comune"),
        checks=[not_a_server_error, negative_data_rejection, _problem_on_client_errors],
    )


def _fuzzed(service: str) -> tuple[Any, Any]:
    """A package-scoped fixture ``<service>_api`` loading ``service``'s OpenAPI from the running
    platform, and the test fuzzing every operation in it."""

    @pytest.fixture(scope="package", name=f"{service}_api")
    def schema(platform: Platform) -> Any:
        return schemathesis.openapi.from_url(
            f"{platform.service(service)}/openapi.json", config=CONFIG
        )

    @schemathesis.pytest.from_fixture(f"{service}_api").parametrize()
    def test(case: Any, platform: Platform) -> None:
        _fuzz(case, platform)

    return schema, test


intake_api, test_intake_api = _fuzzed("intake")
casework_api, test_casework_api = _fuzzed("casework")
housing_api, test_housing_api = _fuzzed("housing")
events_api, test_events_api = _fuzzed("events")
observatory_api, test_observatory_api = _fuzzed("observatory")
