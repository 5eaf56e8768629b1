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


def _schema(platform: Platform, service: str) -> Any:
    return schemathesis.openapi.from_url(f"{platform.service(service)}/openapi.json", config=CONFIG)


@pytest.fixture(scope="package")
def intake_api(platform: Platform) -> Any:
    return _schema(platform, "intake")


@pytest.fixture(scope="package")
def casework_api(platform: Platform) -> Any:
    return _schema(platform, "casework")


@pytest.fixture(scope="package")
def housing_api(platform: Platform) -> Any:
    return _schema(platform, "housing")


@pytest.fixture(scope="package")
def events_api(platform: Platform) -> Any:
    return _schema(platform, "events")


@pytest.fixture(scope="package")
def observatory_api(platform: Platform) -> Any:
    return _schema(platform, "observatory")


@schemathesis.pytest.from_fixture("intake_api").parametrize()
def test_intake_api(case: Any, platform: Platform) -> None:
    _fuzz(case, platform)


@schemathesis.pytest.from_fixture("casework_api").parametrize()
def test_casework_api(case: Any, platform: Platform) -> None:
    _fuzz(case, platform)


@schemathesis.pytest.from_fixture("housing_api").parametrize()
def test_housing_api(case: Any, platform: Platform) -> None:
    _fuzz(case, platform)


@schemathesis.pytest.from_fixture("events_api").parametrize()
def test_events_api(case: Any, platform: Platform) -> None:
    _fuzz(case, platform)


@schemathesis.pytest.from_fixture("observatory_api").parametrize()
def test_observatory_api(case: Any, platform: Platform) -> None:
    _fuzz(case, platform)
