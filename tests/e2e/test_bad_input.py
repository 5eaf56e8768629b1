"""Malformed JSON, wrong media types and oversized bodies: 4xx problem+json from every service."""

from __future__ import annotations

import httpx
import pytest

from kit.testing.platform import Platform

pytestmark = pytest.mark.integration

# a write endpoint per service (casework and observatory take no writes yet: 405 then)
WRITES = {
    "intake": "/v1/intake/referrals",
    "casework": "/v1/casework/cases",
    "housing": "/v1/housing/facilities",
    "events": "/v1/initiatives",
    "observatory": "/v1/observatory/indicators",
}
TARGETS = [*WRITES, "gateway"]


def _target(platform: Platform, target: str) -> str:
    if target == "gateway":
        return f"{platform.gateway}{WRITES['intake']}"
    return f"{platform.service(target)}{WRITES[target]}"


def _assert_problem(response: httpx.Response, *statuses: int) -> None:
    assert response.status_code in statuses, f"{response.status_code}: {response.text[:300]}"
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("target", TARGETS)
def test_malformed_json_is_a_client_error(platform: Platform, target: str) -> None:
    response = httpx.post(
        _target(platform, target),
        content=b'{"channel": "mobile_unit",',
        headers={**platform.as_user("coordinator.comune"), "Content-Type": "application/json"},
    )
    _assert_problem(response, 400, 405)


@pytest.mark.parametrize("target", TARGETS)
def test_a_non_json_body_is_refused(platform: Platform, target: str) -> None:
    response = httpx.post(
        _target(platform, target),
        content=b"channel=mobile_unit",
        headers={
            **platform.as_user("coordinator.comune"),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    _assert_problem(response, 415, 405)


@pytest.mark.parametrize("target", TARGETS)
def test_an_oversized_body_is_refused(platform: Platform, target: str) -> None:
    huge = b'{"padding": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = httpx.post(
        _target(platform, target),
        content=huge,
        headers={**platform.as_user("coordinator.comune"), "Content-Type": "application/json"},
    )
    _assert_problem(response, 413)
