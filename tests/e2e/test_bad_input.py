"""Malformed JSON, wrong media types and oversized bodies: 4xx problem+json from every service."""

from __future__ import annotations

import httpx
import pytest

from kit.testing.platform import TARGETS, Platform

pytestmark = pytest.mark.integration


def _assert_problem(response: httpx.Response, *statuses: int) -> None:
    assert response.status_code in statuses, f"{response.status_code}: {response.text[:300]}"
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("target", TARGETS)
def test_malformed_json_is_a_client_error(platform: Platform, target: str) -> None:
    response = httpx.post(
        platform.collection(target),
        content=b'{"channel": "mobile_unit",',
        headers={**platform.as_user("coordinator.comune"), "Content-Type": "application/json"},
    )
    _assert_problem(response, 400, 405)


@pytest.mark.parametrize("target", TARGETS)
def test_a_non_json_body_is_refused(platform: Platform, target: str) -> None:
    response = httpx.post(
        platform.collection(target),
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
        platform.collection(target),
        content=huge,
        headers={**platform.as_user("coordinator.comune"), "Content-Type": "application/json"},
    )
    _assert_problem(response, 413)
