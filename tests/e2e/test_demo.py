"""The demo data `make run` loads goes through the gateway into every service as it is today:
a request schema that moves on without the demo breaks this test, not a fresh machine's
first start."""

from __future__ import annotations

import httpx
import pytest

from deploy.local.demo import load_demo_data_once
from deploy.local.stack import Stack
from kit.testing.platform import Platform

pytestmark = pytest.mark.integration


def test_the_demo_data_loads_and_the_programme_shows_it(platform: Platform) -> None:
    stack = platform.stack
    assert isinstance(stack, Stack)
    marker = stack.profile.state / "demo-data-loaded"
    marker.unlink(missing_ok=True)
    try:
        load_demo_data_once(stack, referrals=4)
        assert marker.exists()
        with httpx.Client(base_url=stack.gateway_url, timeout=30) as gateway:
            programme = gateway.get("/v1/initiatives/programme")
            facilities = gateway.get(
                "/v1/housing/facilities", headers=platform.as_user("housing.ponte")
            )
        assert programme.status_code == 200, programme.text
        assert len(programme.json()["items"]) >= 4  # published, each with a session
        assert facilities.status_code == 200, facilities.text
        assert all(f["capacity_beds"] > 0 for f in facilities.json()["items"])
    finally:
        marker.unlink(missing_ok=True)
